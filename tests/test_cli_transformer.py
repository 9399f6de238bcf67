"""``autograd-nlp train transformer`` end to end on tiny settings, then
``translate`` with its checkpoint, ``--resume`` and the argument checks."""
import numpy as np
import pytest

from autograd_nlp.cli import main

TINY = ["--generate-size", "300", "--dim", "8", "--heads", "2", "--layers", "1",
        "--batch-size", "32", "--warmup", "5", "--quiet"]


def test_trains_on_generated_dates_draws_the_heads_and_translates(tmp_path, capsys,
                                                                   monkeypatch):
    monkeypatch.delenv("AUTOGRAD_NLP_DATA", raising=False)
    out = tmp_path / "tf"
    assert main(["train", "transformer", "--task", "date", "--epochs", "1", "--out", str(out),
                 *TINY]) == 0
    text = capsys.readouterr().out
    assert "generated date" in text and "accuracy per epoch" in text
    assert "transformer:" in text and "2 heads" in text
    assert (out / "checkpoint.npz").exists()
    pytest.importorskip("matplotlib")
    assert (out / "accuracy.png").stat().st_size > 0
    assert (out / "attention_heads.png").stat().st_size > 0
    with np.load(out / "checkpoint.npz", allow_pickle=False) as f:
        assert "model/decoder.layers.layers.0.cross_attention.query.W" in f.files
    assert main(["translate", "--checkpoint", str(out / "checkpoint.npz"),
                 "september 27, 1994"]) in (0, 3)  # 3: flagged
    assert len(capsys.readouterr().out.strip()) == 10      # YYYY-MM-DD


def test_addition_resumes_with_its_schedule(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("AUTOGRAD_NLP_DATA", raising=False)
    out = tmp_path / "add"
    args = ["train", "transformer", "--dataset", "addition", "--schedule", "cosine",
            "--out", str(out), *TINY]
    assert main(args + ["--epochs", "1"]) == 0
    assert main(args + ["--epochs", "2", "--resume", str(out / "checkpoint.npz")]) == 0
    text = capsys.readouterr().out
    assert "generated addition" in text and "resumed from" in text and "epoch 2:" in text


def test_default_sizes_pass_the_size_check(tmp_path, monkeypatch):
    monkeypatch.delenv("AUTOGRAD_NLP_DATA", raising=False)     # --dim/--heads left out
    from autograd_nlp.recipes import transformer

    def stop(args):                         # past the size check: no need to train
        raise KeyboardInterrupt
    monkeypatch.setattr(transformer, "load_dataset", stop)
    assert main(["train", "transformer", "--quiet", "--out", str(tmp_path)]) == 130


def test_bad_settings_exit_2_with_a_message(tmp_path, capsys):
    assert main(["train", "transformer", "--dim", "10", "--heads", "3", "--out",
                 str(tmp_path), "--quiet"]) == 2
    assert "--dim 10 is not divisible by --heads 3" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:
        main(["train", "transformer", "--dropout", "1.5"])
    assert e.value.code == 2
    assert "must be in [0, 1), got '1.5'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as e:
        main(["train", "transformer", "--warmup", "-3"])
    assert e.value.code == 2
    assert "must be an integer >= 0, got '-3'" in capsys.readouterr().err


def graph_source(tmp_path, *options):
    out = tmp_path / "_".join(("t",) + options).replace("-", "")
    assert main(["graph", "transformer", "--out", str(out), "--format", "svg", *options]) == 0
    return (tmp_path / f"{out.name}.dot").read_text()


def test_graph_draws_one_block_as_nested_sub_layer_clusters(tmp_path, capsys):
    """``graph transformer --layers 1``: a cluster per layer with one per
    sub-layer inside, each LayerNorm one box, the heads drawn once (one
    (batch, heads, T, S) array), and a node count that grows with --layers."""
    one = graph_source(tmp_path, "--layers", "1")
    for layer, subs in (("encoder_layer_0", ("self_attention", "feed_forward")),
                        ("decoder_layer_0", ("self_attention", "cross_attention",
                                             "feed_forward"))):
        outer = one.index(f"subgraph cluster_{layer} {{")
        for sub in subs:
            assert one.index(f"subgraph cluster_{layer}_{sub} {{") > outer, (layer, sub)
    for label in ("self-attention", "cross-attention", "feed-forward"):
        assert f"label={label}" in one or f'label="{label}"' in one, label
    assert one.count("shape=box3d") == 7        # 2 + 1 + 3 + 1 LayerNorms, one box each
    assert one.count("label=Softmax") == 3     # one per attention, not one per head
    nodes = one.count("shape=")
    assert 60 < nodes <= 150
    two = graph_source(tmp_path, "--layers", "2")
    assert "cluster_decoder_layer_1_cross_attention" in two
    assert nodes + 40 < two.count("shape=") < 2 * nodes
    everything = graph_source(tmp_path, "--layers", "1", "--collapse", "--values", "shown")
    assert everything.count("shape=") > 1.5 * nodes and "box3d" not in everything


def test_graph_draws_the_same_picture_for_any_number_of_heads():
    import autograd_nlp as ag
    from autograd_nlp.models.transformer_seq2seq import TransformerSeq2seq
    rng = np.random.default_rng(0)
    xs, ts = rng.integers(0, 10, (2, 4)), rng.integers(0, 10, (2, 4))
    sizes = []
    for heads in (1, 2, 4, 8):
        model = TransformerSeq2seq(vocab_size=10, dim=8, num_heads=heads, num_layers=1,
                                   ff_hidden=16, dropout=0.0)
        sizes.append(ag.to_dot(model(xs, ts), collapse=("layer-norm",)).source.count("shape="))
    assert len(set(sizes)) == 1, sizes


def test_early_stopping_on_a_validation_split(tmp_path, capsys):
    """The same evaluation options as the LSTM seq2seq commands: accuracy on
    a validation split carved from train, the test split once at the end,
    and the best epoch's parameters kept."""
    out = tmp_path / "es"
    assert main(["train", "transformer", "--out", str(out), "--epochs", "2",
                 "--valid-fraction", "0.1", "--early-stop", "1", *TINY]) == 0
    text = capsys.readouterr().out
    assert "valid accuracy per epoch:" in text and "test accuracy:" in text
    best = out / "checkpoint.best-params.npz"
    assert best.exists() and f"--params {best}" in text
    assert main(["translate", "--checkpoint", str(out / "checkpoint.npz"), "--params",
                 str(best), "may 3, 2011"]) in (0, 3)  # 3: flagged
    assert capsys.readouterr().out.strip()
    assert main(["train", "transformer", "--early-stop", "2", "--out", str(tmp_path / "x"),
                 *TINY]) == 2
    assert "--valid-fraction" in capsys.readouterr().err
