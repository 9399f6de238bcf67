"""Where a word-vector run writes: its folder and its vectors file, both
claimed before any work (``training/run_folder.py``'s rules: an earlier run
is never overwritten unasked, a file cannot be a folder...).

``--out`` may name the folder (the vectors go to OUT/vectors.npz) or, ending
in ``.npz``, the vectors file itself; ``--vectors P`` names the file anyway.
Each function takes the run's settings (a recipe Config: ``out``,
``vectors``, ``overwrite``, ``resume``)."""
import os

from autograd_nlp.errors import UserError
from autograd_nlp.training.run_folder import claim_output_file, prepare_out

VECTORS_NAME = "vectors.npz"


def run_folder_and_vectors(config):
    """(folder, vectors file) of a trained run (``train cbow|skipgram``: a
    checkpoint and a loss curve besides the vectors). ``--out DIR``: both in
    DIR. ``--out X.npz``: the vectors in X.npz and the run's other files in
    the folder X (beside it), not among X's neighbours."""
    if config.out.endswith(".npz"):
        out = prepare_out(config.out[:-len(".npz")], config)
        path = config.vectors or config.out
        return out, claim_output_file(path, config,
                                      "--vectors" if config.vectors else "--out")
    out = prepare_out(config.out, config)
    if config.vectors:
        claim_output_file(config.vectors, config, "--vectors")
    return out, config.vectors or os.path.join(out, VECTORS_NAME)


def vectors_only_folder(config):
    """(folder, vectors file) of a run that writes nothing but the vectors
    (``train count-svd``): ``--out X.npz`` is the file, in a folder that is
    created but not claimed; ``--out DIR`` claims DIR for OUT/vectors.npz
    (unless ``--vectors`` puts the file elsewhere)."""
    if config.out.endswith(".npz"):
        out = prepare_out(os.path.dirname(os.path.abspath(config.out)), lock=False)
        path = config.vectors or config.out
        return out, claim_output_file(path, config,
                                      "--vectors" if config.vectors else "--out")
    out = prepare_out(config.out, config, writes=() if config.vectors else (VECTORS_NAME,))
    if config.vectors:
        claim_output_file(config.vectors, config, "--vectors")
    return out, config.vectors or os.path.join(out, VECTORS_NAME)


def run_folder_and_vectors_on_root(config, comm):
    """``run_folder_and_vectors`` over MPI ranks (``--distributed``; ``comm``
    None: one process): rank 0 claims the folder and the vectors file, the
    others learn where they are; rank 0's refusal ends every rank (the
    message raised on rank 0, the others exit 2 quietly)."""
    if comm is None:
        return run_folder_and_vectors(config)
    claimed = None
    if comm.is_root:
        try:
            claimed = ("ok",) + run_folder_and_vectors(config)
        except UserError as e:
            claimed = ("error", str(e))
    claimed = comm.bcast(claimed)
    if claimed[0] == "error":
        if comm.is_root:
            raise UserError(claimed[1])
        raise SystemExit(2)
    return claimed[1], claimed[2]
