"""The CLI side of devices: ``--device`` on train/eval/generate/translate, a
one-line error without CuPy, and ``autograd-nlp info``."""
import pytest

from autograd_nlp import backend
from autograd_nlp.cli import build_parser, main


@pytest.mark.parametrize("argv", [
    ["train", "rnnlm"], ["train", "better-rnnlm"], ["train", "seq2seq"], ["train", "cbow"],
    ["eval", "--checkpoint", "c.npz"], ["generate", "--checkpoint", "c.npz"],
    ["translate", "--checkpoint", "c.npz", "1+1"]])
def test_model_commands_take_a_device(argv):
    parser = build_parser()
    assert parser.parse_args(argv).device == "cpu"
    assert parser.parse_args(argv + ["--device", "cuda"]).device == "cuda"
    with pytest.raises(SystemExit):
        parser.parse_args(argv + ["--device", "tpu"])


@pytest.mark.skipif(backend.cupy_available(), reason="a GPU is present")
def test_cuda_without_cupy_is_a_one_line_error(tmp_path, capsys):
    rc = main(["train", "seq2seq", "--device", "cuda", "--epochs", "1", "--generate-size",
               "200", "--out", str(tmp_path), "--quiet"])
    err = capsys.readouterr().err
    assert rc == 2 and "CuPy" in err and "Traceback" not in err


def test_info_prints_versions_blas_and_devices(capsys):
    assert main(["info"]) == 0
    out = capsys.readouterr().out
    for word in ("Python", "NumPy", "BLAS", "cupy", "torch", "cuda"):
        assert word in out
