"""The autograd-nlp command: graph and gradcheck subcommands."""
import shutil

import pytest

from autograd_nlp.cli import main


def test_gradcheck_one_op_prints_a_table(capsys):
    assert main(["gradcheck", "tanh"]) == 0
    out = capsys.readouterr().out
    assert "max abs err" in out and "tanh[matrix]" in out and "pass" in out


def test_gradcheck_all_ops(capsys):
    assert main(["gradcheck", "--all", "--samples", "3"]) == 0
    out = capsys.readouterr().out
    for op in ("softmax_cross_entropy", "embedding", "lstm_step", "layer_norm"):
        assert op in out
    assert "FAIL" not in out


def test_gradcheck_example_model(capsys):
    assert main(["gradcheck", "rnnlm", "--samples", "5"]) == 0
    out = capsys.readouterr().out
    assert "lstm.cell.Wh" in out and "out.W" in out


def test_gradcheck_unknown_name(capsys):
    assert main(["gradcheck", "nonsense"]) == 2
    assert "--list" in capsys.readouterr().err


@pytest.mark.parametrize("example", ["mlp", "rnnlm"])
def test_graph_writes_dot_and_svg(tmp_path, capsys, example):
    out = tmp_path / example
    assert main(["graph", example, "--out", str(out)]) == 0
    dot = (tmp_path / f"{example}.dot").read_text()
    assert "Linear" in dot
    if example == "rnnlm":
        assert "✂ cut" in dot and "lstm t=2" in dot and "embed.W" in dot
    if shutil.which("dot"):
        assert "<svg" in (tmp_path / f"{example}.svg").read_text()


def test_graph_fused_draws_one_lstm_sequence_node_per_layer_call(tmp_path):
    assert main(["graph", "rnnlm", "--fused", "--time", "4", "--out", str(tmp_path / "g")]) == 0
    dot = (tmp_path / "g.dot").read_text()
    assert dot.count("label=LSTMSequence") == 1
    assert dot.count("(was LSTMSequence)") == 2      # the carried h and c, cut
    assert "LSTMStep" not in dot and "lstm t=" not in dot
