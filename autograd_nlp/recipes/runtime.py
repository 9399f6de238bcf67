"""What every recipe does before its model trains and that is not about the
model: the MPI ranks (``distributed``), the run folder claimed on rank 0, the
seed, the data announced, the learning-rate schedule. Each takes the recipe's
Config (or anything with the same attributes, as the commands' arguments)."""
import os
import sys

from autograd_nlp import random as ag_random
from autograd_nlp.data.paths import configured_data_dir
from autograd_nlp.errors import UserError
from autograd_nlp.training.run_folder import prepare_out

_COMM = None            # the communicator of this process's distributed run


def distributed_comm(config):
    """The MPI communicator when ``config.distributed`` (None otherwise).
    Without mpi4py, or on one rank, a UserError says what to do. On ranks
    other than 0, stdout goes to the null device: rank 0 alone prints. With
    ``device`` "cuda", each rank takes the GPU of its local rank
    (``distributed.bind_device``)."""
    global _COMM
    if not getattr(config, "distributed", False):
        return None
    if _COMM is not None:
        return _COMM
    from autograd_nlp import distributed
    try:
        comm = distributed.init()
    except distributed.MPIUnavailableError as e:
        raise UserError(f"--distributed: {e}; then start the command with "
                        f"mpiexec -n N autograd-nlp train ... --distributed") from None
    if comm.size < 2:
        raise UserError("--distributed: this process is the only MPI rank; start the "
                        "command with mpiexec -n N (N >= 2), e.g. mpiexec -n 2 autograd-nlp "
                        "train rnnlm --distributed, or leave out --distributed")
    if not comm.is_root:
        sys.stdout = open(os.devnull, "w")
    if getattr(config, "device", None) is not None:
        try:                # --device cuda: this rank's own GPU, before the model moves
            config.device = distributed.bind_device(config.device, comm)
        except ValueError as e:
            raise UserError(str(e)) from None
    _COMM = comm
    return comm


def prepare_out_on_root(path, config, comm):
    """``prepare_out`` for a run over MPI ranks: rank 0 claims the folder
    (the other ranks write nothing); its refusal ends every rank (exit 2,
    the message printed once, by rank 0)."""
    if comm is None:
        return prepare_out(path, config)
    problem = None
    if comm.is_root:
        try:
            prepare_out(path, config)
        except UserError as e:
            problem = str(e)
    problem = comm.bcast(problem)
    if problem is not None:
        if comm.is_root:
            raise UserError(problem)
        raise SystemExit(2)
    return path


def synchronize_ranks(model, optimizer, comm):
    """In a distributed run every rank starts from rank 0's parameters,
    optimizer state and random numbers (docs/distributed.md)."""
    if comm is not None:
        from autograd_nlp import distributed
        distributed.synchronize(model, optimizer, comm)


def seed_everything(seed):
    ag_random.seed(seed)


def data_dir_for_meta(data_dir):
    """The data folder a run reads (``data_dir`` or ``$AUTOGRAD_NLP_DATA``)
    as an absolute path for a checkpoint's meta, so ``eval`` finds it again;
    None when the data was downloaded or generated."""
    path, _ = configured_data_dir(data_dir)
    return None if path is None else os.path.abspath(path)


def load_ptb_announced(split, data_dir):
    """``load_ptb(split, data_dir)``, first printing what was read (source,
    tokens, vocabulary) and a warning on stderr when the file is not the
    standard PTB split (a truncated download, a sample): a run on the wrong
    data shows before it starts."""
    from autograd_nlp.data import check_standard_ptb, describe_corpus, load_ptb, ptb_source
    corpus, word_to_id, id_to_word = load_ptb(split, data_dir)
    summary = describe_corpus(corpus, word_to_id, ptb_source(split, data_dir))
    print(f"{split} {summary}", flush=True)
    warning = check_standard_ptb(split, summary.tokens, summary.vocab_size)
    if warning:
        print(warning, file=sys.stderr, flush=True)
    return corpus, word_to_id, id_to_word


def attach_schedule(optimizer, config, total_steps):
    """The learning-rate schedule named by ``config.schedule`` over
    ``total_steps`` updates, warmed up over ``config.warmup`` (0 when the
    recipe has no warm-up); None for "constant"."""
    from autograd_nlp import optim
    warmup = getattr(config, "warmup", 0)
    if config.schedule == "inverse-sqrt":
        return optim.WarmupInverseSqrt(optimizer, config.lr, max(warmup, 1))
    if config.schedule == "cosine":
        return optim.WarmupCosine(optimizer, config.lr, max(total_steps, 1),
                                  min(warmup, max(total_steps - 1, 0)))
    return None
