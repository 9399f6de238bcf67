"""autograd_nlp.export.torch: every chapter model and the Transformer family,
rebuilt in torch.nn with our weights, give our outputs to float32 precision,
with int64 or int32 ids."""
import json
import subprocess
import sys

import numpy as np
import pytest

from autograd_nlp import random as ag_random
from autograd_nlp.core import eval_mode, no_grad
from autograd_nlp.export import ExportError
from autograd_nlp.export.torch import module_source_path, save_torch, to_torch
from autograd_nlp.layers import GRU
from autograd_nlp.models.attention_seq2seq import AttentionSeq2seq
from autograd_nlp.models.bert import Bert
from autograd_nlp.models.transformer_lm import TransformerLM
from autograd_nlp.models.transformer_seq2seq import TransformerSeq2seq
from autograd_nlp.models.rnnlm import BetterRnnlm, Rnnlm, SimpleRnnlm
from autograd_nlp.models.seq2seq import PeekySeq2seq, Seq2seq
from autograd_nlp.models.word2vec import CBOW, SimpleCBOW, SimpleSkipGram, SkipGram

torch = pytest.importorskip("torch")

VOCAB = 13
TOL = dict(rtol=1e-5, atol=1e-6)


def randomize(model, seed=0):
    """Give every parameter (biases too) random values, so that a transposed
    or misordered block cannot hide behind zeros."""
    rng = np.random.default_rng(seed)
    for p in model.params():
        p.data = (rng.standard_normal(p.shape) * 0.5).astype(p.dtype)
    return model


def ids(shape, seed=1):
    return np.random.default_rng(seed).integers(0, VOCAB, shape)


@pytest.mark.parametrize("make", [
    lambda: SimpleRnnlm(VOCAB, 5, 6),
    lambda: Rnnlm(VOCAB, 5, 6),
    lambda: BetterRnnlm(VOCAB, 6, 6),
], ids=["SimpleRnnlm", "Rnnlm", "BetterRnnlm"])
def test_language_models_match_over_two_stateful_calls(make):
    model = randomize(make())
    model.eval()
    exported = to_torch(model)
    xs1, xs2 = ids((3, 4)), ids((3, 5), seed=2)
    model.reset_state()
    with no_grad(), eval_mode():
        ours = [model(xs1).data, model(xs2).data]       # the second starts from the carried state
    with torch.no_grad():
        logits1, state = exported(torch.from_numpy(xs1))
        logits2, _ = exported(torch.from_numpy(xs2).int(), state)      # int32 ids too
    np.testing.assert_allclose(logits1.numpy(), ours[0], **TOL)
    np.testing.assert_allclose(logits2.numpy(), ours[1], **TOL)


def test_better_rnnlm_keeps_the_tied_weight_one_parameter():
    exported = to_torch(randomize(BetterRnnlm(VOCAB, 6, 6)))
    assert exported.out.weight is exported.embed.weight
    assert exported.lstm.num_layers == 2 and exported.lstm.dropout == 0.5
    n_ours = BetterRnnlm(VOCAB, 6, 6).num_params()
    # torch has a second (zero) bias per LSTM layer: 2 layers x 4H
    assert sum(p.numel() for p in exported.parameters()) == n_ours + 2 * 4 * 6


@pytest.mark.parametrize("make", [
    lambda: Seq2seq(VOCAB, 4, 6),
    lambda: PeekySeq2seq(VOCAB, 4, 6),
    lambda: AttentionSeq2seq(VOCAB, 4, 6),
    lambda: AttentionSeq2seq(VOCAB, 4, 3, bidirectional=True),
], ids=["Seq2seq", "PeekySeq2seq", "AttentionSeq2seq", "AttentionSeq2seq-bidirectional"])
def test_seq2seq_models_match_teacher_forced_and_greedy(make):
    model = randomize(make())
    exported = to_torch(model)
    xs, ys = ids((4, 7)), ids((4, 5), seed=3)
    with no_grad(), eval_mode():
        memory = model.encoder(xs)
        ours = model.decoder(ys, model.decoder.start(memory), memory)[0].data
    with torch.no_grad():
        theirs = exported(torch.from_numpy(xs), torch.from_numpy(ys)).numpy()
    np.testing.assert_allclose(theirs, ours, **TOL)
    greedy = exported.generate(torch.from_numpy(xs), 2, 6).numpy()
    np.testing.assert_array_equal(greedy, model.generate(xs, 2, 6))


@pytest.mark.parametrize("model_class", [CBOW, SkipGram])
def test_word2vec_scores_give_our_negative_sampling_loss(model_class):
    corpus = ids(200)
    model = randomize(model_class(VOCAB, 5, corpus, sample_size=3))
    exported = to_torch(model)
    contexts, target = ids((6, 4), seed=4), ids(6, seed=5)
    ag_random.seed(7)
    ours = float(model(contexts, target).data)
    ag_random.seed(7)                       # the same negatives again
    if model_class is CBOW:
        inputs, positives = contexts, target[:, None]
    else:
        inputs, positives = target[:, None], contexts
    negatives = model.sampler.get_negative_sample(positives)
    candidates = np.concatenate([positives[..., None], negatives], axis=-1)
    with torch.no_grad():
        scores = exported(torch.from_numpy(inputs), torch.from_numpy(candidates))
    labels = torch.zeros_like(scores)
    labels[..., 0] = 1
    loss = torch.nn.functional.binary_cross_entropy_with_logits(scores, labels, reduction="sum")
    np.testing.assert_allclose(loss.item() / len(target), ours, rtol=1e-5)
    np.testing.assert_array_equal(exported.in_embed.weight.detach().numpy(), model.word_vectors)


@pytest.mark.parametrize("model_class", [SimpleCBOW, SimpleSkipGram])
def test_chapter3_word2vec_scores_give_our_softmax_loss(model_class):
    model = randomize(model_class(VOCAB, 5))
    exported = to_torch(model)
    contexts, target = ids((6, 2), seed=4), ids(6, seed=5)
    with no_grad():
        ours = float(model(contexts, target).data)
    cross_entropy = torch.nn.functional.cross_entropy
    with torch.no_grad():
        if model_class is SimpleCBOW:
            loss = cross_entropy(exported(torch.from_numpy(contexts)), torch.from_numpy(target))
        else:                    # the target's scores predict each of the 2 context words
            scores = exported(torch.from_numpy(target[:, None]))
            loss = sum(cross_entropy(scores, torch.from_numpy(contexts[:, k])) for k in range(2))
    np.testing.assert_allclose(loss.item(), ours, rtol=1e-5)


def test_an_unsupported_model_is_named_with_the_supported_ones():
    with pytest.raises(ExportError, match=r"GRU.*supported: SimpleRnnlm, Rnnlm"):
        to_torch(GRU(3, 4))


def test_the_output_name_must_make_an_importable_module(tmp_path):
    assert module_source_path(tmp_path / "rnnlm.pt") == str(tmp_path / "rnnlm.py")
    for bad in ("torch.pt", "my-model.pt"):
        with pytest.raises(ExportError, match="cannot import"):
            module_source_path(tmp_path / bad)


def test_saved_module_loads_without_autograd_nlp(tmp_path):
    model = randomize(BetterRnnlm(VOCAB, 6, 6))
    model.eval()
    xs = ids((2, 3))
    with no_grad(), eval_mode():
        expected = model(xs).data
    weights, source, facts = save_torch(model, tmp_path / "better.pt", {"vocab": list("abc")})
    assert json.loads(open(facts).read()) == {
        "architecture": "Rnnlm", "vocab": ["a", "b", "c"],
        "config": dict(vocab_size=VOCAB, wordvec_size=6, hidden_size=6, num_layers=2,
                       dropout=0.5, tied=True)}
    np.save(tmp_path / "xs.npy", xs)
    script = ("import sys, numpy as np, torch\n"
              "from better import load, read_facts\n"
              "m = load('better.pt')\n"
              "assert read_facts('better.pt')['vocab'] == ['a', 'b', 'c']\n"
              "assert 'autograd_nlp' not in sys.modules\n"
              "assert m.out.weight is m.embed.weight\n"
              "with torch.no_grad():\n"
              "    np.save('logits.npy', m(torch.from_numpy(np.load('xs.npy')))[0].numpy())\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=tmp_path, capture_output=True,
                          text=True, env={"PATH": "/usr/bin:/bin"}, timeout=60)
    assert done.returncode == 0, done.stderr
    np.testing.assert_allclose(np.load(tmp_path / "logits.npy"), expected, **TOL)


TRANSFORMERS = {
    "pre-norm": dict(),
    "post-norm-learned-gelu-padding": dict(norm_first=False, positional="learned",
                                           activation="gelu", pad_id=1),
    "gelu-tanh": dict(activation="gelu_tanh"),
}


@pytest.mark.parametrize("config", sorted(TRANSFORMERS))
def test_transformer_seq2seq_matches_teacher_forced_and_greedy(config):
    model = randomize(TransformerSeq2seq(VOCAB, 8, 2, 2, max_length=10, **TRANSFORMERS[config]))
    model.eval()
    exported = to_torch(model)
    xs, ys = ids((3, 7)), ids((3, 5), seed=3)
    xs[0, -3:] = 1
    with no_grad(), eval_mode():
        memory = model.encoder(xs)
        ours = model.decoder(ys, model.decoder.start(memory), memory)[0].data
    with torch.no_grad():
        theirs = exported(torch.from_numpy(xs).int(), torch.from_numpy(ys)).numpy()
    np.testing.assert_allclose(theirs, ours, **TOL)
    greedy = exported.generate(torch.from_numpy(xs), 2, 6).numpy()
    np.testing.assert_array_equal(greedy, model.generate(xs, 2, 6))


@pytest.mark.parametrize("tie", [True, False], ids=["tied", "untied"])
def test_transformer_lm_matches(tie):
    model = randomize(TransformerLM(VOCAB, 8, 2, 2, context_size=6, tie_weights=tie,
                                    positional="learned" if tie else "sinusoidal"))
    model.eval()
    exported = to_torch(model)
    xs = ids((2, 6))
    with no_grad(), eval_mode():
        ours = model(xs).data
    with torch.no_grad():
        theirs = exported(torch.from_numpy(xs).int()).numpy()
    np.testing.assert_allclose(theirs, ours, **TOL)
    assert not tie or not hasattr(exported, "out")       # tied: the embedding is the output


def test_bert_matches_with_padding_and_segments():
    model = randomize(Bert(VOCAB, pad_id=0, dim=8, num_heads=2, num_layers=2, max_length=9))
    model.eval()
    exported = to_torch(model)
    tokens = ids((3, 7)) % 12 + 1
    tokens[1, 4:] = 0
    segments = np.zeros_like(tokens)
    segments[:, 3:] = 1
    with no_grad(), eval_mode():
        hidden = model(tokens, segments)
        pooled, nsp = model.pooled(hidden).data, model.nsp_logits(hidden).data
    with torch.no_grad():
        theirs = exported(torch.from_numpy(tokens), torch.from_numpy(segments))
        np.testing.assert_allclose(theirs.numpy(), hidden.data, **TOL)
        np.testing.assert_allclose(exported.pooled(theirs).numpy(), pooled, **TOL)
        np.testing.assert_allclose(exported.nsp_logits(theirs).numpy(), nsp, **TOL)


def test_bert_classifier_matches():
    from autograd_nlp.models.bert import BertClassifier
    model = randomize(BertClassifier(num_classes=3, vocab_size=VOCAB, pad_id=0, dim=8,
                                     num_heads=2, num_layers=1, max_length=9))
    model.eval()
    exported = to_torch(model)
    tokens = ids((4, 6)) % 12 + 1
    tokens[0, 3:] = 0
    with no_grad(), eval_mode():
        expected = model(tokens).data
    with torch.no_grad():
        theirs = exported(torch.from_numpy(tokens).int()).numpy()
    np.testing.assert_allclose(theirs, expected, **TOL)


@pytest.mark.parametrize("variational", [False, True], ids=["autoencoder", "vae"])
def test_autoencoders_match_codes_and_greedy_rebuild(variational):
    from autograd_nlp.models.sequence_autoencoder import SequenceAutoencoder, VariationalAutoencoder
    make = VariationalAutoencoder if variational else SequenceAutoencoder
    model = randomize(make(VOCAB, 4, 6, code_size=3, reverse=variational))
    model.eval()
    exported = to_torch(model)
    xs = ids((3, 5))
    with torch.no_grad():
        codes = exported.encode(torch.from_numpy(xs).int())
        np.testing.assert_allclose(codes.numpy(), model.codes(xs), **TOL)
        rebuilt = exported.generate(codes, 2, 5).numpy()
        if variational:
            with no_grad(), eval_mode():
                logvar = model.posterior(xs)[1].data
            np.testing.assert_allclose(exported.posterior(torch.from_numpy(xs))[1].numpy(),
                                       logvar, **TOL)
    np.testing.assert_array_equal(rebuilt, model.reconstruct(xs, 2))
