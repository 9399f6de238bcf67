"""``autograd_nlp.load(path)``: every checkpoint kind as a ready object, the
same answers as the CLI gives. Tiny runs (1 epoch, a 20-word PTB) are
trained once for the module with the CLI in-process."""
import numpy as np
import pytest

import autograd_nlp
from autograd_nlp.cli import main
from autograd_nlp.errors import BadFileError, CheckpointError
from autograd_nlp.loading.language_model import LanguageModel
from autograd_nlp.loading.policy import Policy
from autograd_nlp.serialization import load_npz, save_npz
from autograd_nlp.text import WordVectors
from autograd_nlp.text.translator import Translator
from autograd_nlp.training.checkpoint import save_checkpoint
from cli_run import run, train_tiny_runs


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """{"data", "rnnlm", "attention", "cbow", "vectors"}: tiny runs, 1 epoch."""
    return train_tiny_runs(tmp_path_factory.mktemp("load_runs"))


def test_a_seq2seq_checkpoint_is_a_translator_answering_as_translate(runs, capsys):
    translator = autograd_nlp.load(runs["attention"])
    assert isinstance(translator, Translator)
    assert translator.meta["kind"] == "attention" and not translator.model.training
    questions = ["december 6, 2026", "6/12/1999"]
    for question in questions:
        code, out, _ = run(capsys, "translate", "--checkpoint", runs["attention"], question)
        assert code in (0, 3)                   # 3: a tiny model's answer is flagged
        assert translator.translate(question).text == out.strip()
    assert [a.text for a in translator.translate(questions)] == \
        [translator.translate(q).text for q in questions]


def test_a_language_model_checkpoint_measures_perplexity_as_eval(runs, capsys):
    lm = autograd_nlp.load(runs["rnnlm"])
    assert isinstance(lm, LanguageModel)
    assert lm.meta["kind"] == "rnnlm" and lm.model is not None and len(lm.vocab) == 21
    code, out, _ = run(capsys, "eval", "--checkpoint", runs["rnnlm"], "--data-dir",
                       runs["data"], "--split", "test", "--batch-size", "2", "--time-size", "5")
    assert code == 0
    printed = float(out.split("rnnlm test perplexity: ")[1].split()[0])
    with open(f"{runs['data']}/ptb.test.txt", encoding="utf-8") as f:
        text = f.read()
    assert round(lm.perplexity(text, batch_size=2, time_size=5), 2) == printed
    words = text.replace("\n", " <eos> ").split()
    assert lm.perplexity(words, batch_size=2, time_size=5) == \
        lm.perplexity(text, batch_size=2, time_size=5)
    # a short text is read as one stream; an unknown word is named, or read as <unk>
    assert np.isfinite(lm.perplexity("w1 w2 w3"))
    with pytest.raises(ValueError, match="'nope'"):
        lm.perplexity("w1 nope w2")
    with pytest.raises(ValueError, match="too short"):
        lm.perplexity("w1 w2 w3", batch_size=2, time_size=5)


def test_a_transformer_lm_reads_its_context_as_eval_does(tmp_path, monkeypatch, capsys):
    from tiny_ptb import write_tiny_ptb
    monkeypatch.delenv("AUTOGRAD_NLP_DATA", raising=False)
    ptb = write_tiny_ptb(tmp_path / "data", [f"w{i}" for i in range(20)],
                         {"train": 40, "valid": 10, "test": 10}, np.random.default_rng(0))
    out = tmp_path / "tlm"
    assert main(["train", "transformer-lm", "--data-dir", str(ptb), "--epochs", "1",
                 "--dim", "8", "--heads", "2", "--layers", "1", "--batch-size", "4",
                 "--time-size", "6", "--eval-batch-size", "2", "--warmup", "3", "--quiet",
                 "--out", str(out)]) == 0
    lm = autograd_nlp.load(out / "checkpoint.npz")
    assert lm.meta["kind"] == "transformer-lm"
    code, text, _ = run(capsys, "eval", "--checkpoint", out / "checkpoint.npz", "--data-dir",
                        ptb, "--split", "valid", "--batch-size", "2")
    assert code == 0
    printed = float(text.split("transformer-lm valid perplexity: ")[1].split()[0])
    valid = (ptb / "ptb.valid.txt").read_text()
    assert round(lm.perplexity(valid, batch_size=2), 2) == printed      # time: its context
    code, text, _ = run(capsys, "generate", "--checkpoint", out / "checkpoint.npz", "--start",
                        "w3", "--length", "9", "--seed", "1")
    assert code == 0 and lm.generate("w3", 9, seed=1) == text[:-1]


def test_a_language_model_generates_as_the_generate_command(runs, capsys):
    lm = autograd_nlp.load(runs["rnnlm"])
    for options, kwargs in (([], {}), (["--top-k", "3", "--temperature", "0.5"],
                                       dict(top_k=3, temperature=0.5)),
                            (["--beam", "3"], dict(beam=3)), (["--greedy"], dict(greedy=True))):
        code, out, _ = run(capsys, "generate", "--checkpoint", runs["rnnlm"], "--start", "w1",
                           "--length", "12", "--seed", "7", *options)
        assert code == 0
        assert lm.generate("w1", 12, seed=7, **kwargs) == out[:-1]     # print's line end
    with pytest.raises(ValueError, match="not in the vocabulary"):
        lm.generate("nope", 3)
    with pytest.raises(ValueError, match="does not sample"):
        lm.generate("w1", 3, beam=2, top_k=2)


def test_word_vectors_answer_as_similar_and_analogy(runs, capsys):
    from_file = autograd_nlp.load(runs["vectors"])
    from_checkpoint = autograd_nlp.load(runs["cbow"])
    assert isinstance(from_file, WordVectors) and isinstance(from_checkpoint, WordVectors)
    assert from_file.model is None and from_file.meta == {"kind": "word-vectors"}
    assert from_checkpoint.meta["kind"] == "cbow" and from_checkpoint.model is not None
    code, out, _ = run(capsys, "similar", "w1", "--vectors", runs["vectors"], "--top", "3")
    assert code == 0
    printed = [(line.split(": ")[0].strip(), float(line.split(": ")[1]))
               for line in out.splitlines()[1:]]
    for vectors in (from_file, from_checkpoint):
        found = vectors.most_similar("w1", 3)
        assert [w for w, _ in found] == [w for w, _ in printed]
        assert [round(s, 4) for _, s in found] == [s for _, s in printed]
    code, out, _ = run(capsys, "analogy", "w1", "w2", "w3", "--vectors", runs["vectors"])
    assert code == 0
    printed = [line.split(": ")[0].strip() for line in out.splitlines()[1:]]
    assert [w for w, _ in from_checkpoint.analogy("w1", "w2", "w3")] == printed


def test_a_word2vec_checkpoint_without_its_vectors_file_says_what_to_load(runs, tmp_path):
    lone = tmp_path / "checkpoint.npz"
    lone.write_bytes(open(runs["cbow"], "rb").read())
    with pytest.raises(CheckpointError, match="load the vectors.npz"):
        autograd_nlp.load(lone)


def test_an_old_checkpoint_without_its_kind_is_recognised_by_its_parameters(runs, tmp_path):
    arrays, meta = load_npz(runs["rnnlm"], with_meta=True)
    del meta["kind"], meta["model"]
    old = tmp_path / "old.npz"
    save_npz(old, arrays, meta)
    lm, new = autograd_nlp.load(old), autograd_nlp.load(runs["rnnlm"])
    assert isinstance(lm, LanguageModel) and lm.meta["kind"] == "rnnlm"
    assert lm.perplexity("w1 w2 w3 w4 w5 w6") == new.perplexity("w1 w2 w3 w4 w5 w6")


def test_a_policy_checkpoint_acts(tmp_path):
    from autograd_nlp.models.policy_gradient import ReinforceAgent
    kwargs = dict(obs_size=4, n_actions=2, hidden_size=8)
    path = tmp_path / "reinforce.npz"
    save_checkpoint(path, ReinforceAgent(**kwargs), meta={"kind": "reinforce",
                                                          "model_kwargs": kwargs})
    policy = autograd_nlp.load(path)
    assert isinstance(policy, Policy) and policy.meta["kind"] == "reinforce"
    obs = np.array([0.1, -0.2, 0.03, 0.4], dtype=np.float32)
    action = policy.act(obs)
    assert action in (0, 1) and action == policy.act(obs)
    assert policy.act(np.stack([obs, obs])).tolist() == [action, action]
    assert policy.act(obs, greedy=False, seed=0) in (0, 1)


def test_a_bert_checkpoint_encodes_sentences_as_its_run_averaged_them(tmp_path, monkeypatch):
    from autograd_nlp.loading.bert import BertEncoder
    from tiny_ptb import write_tiny_ptb
    monkeypatch.delenv("AUTOGRAD_NLP_DATA", raising=False)
    words = [f"w{i}" for i in range(20)]
    ptb = write_tiny_ptb(tmp_path / "data", words, {"train": 40, "valid": 30, "test": 30},
                         np.random.default_rng(0), length=(3, 8))
    out = tmp_path / "bert"
    assert main(["train", "bert", "--data-dir", str(ptb), "--out", str(out), "--dim", "8",
                 "--heads", "2", "--layers", "1", "--batch-size", "8", "--max-length", "12",
                 "--warmup", "2", "--quiet", "--epochs", "1", "--vector-sentences", "10"]) == 0
    encoder = autograd_nlp.load(out / "checkpoint.npz")
    assert isinstance(encoder, BertEncoder) and encoder.meta["kind"] == "bert"
    sentences = (ptb / "ptb.train.txt").read_text().splitlines()[:10]
    encoded = encoder.encode(sentences, batch_size=3)
    assert [e.shape for e in encoded] == [(len(s.split()), 8) for s in sentences]
    assert np.allclose(encoder.encode(sentences[0]), encoded[0], atol=1e-5)
    # the run's vectors.npz: each word's vectors averaged over those 10 sentences
    averaged = WordVectors.load(out / "vectors.npz")
    total = {}
    for sentence, vectors in zip(sentences, encoded):
        for word, vector in zip(sentence.split(), vectors):
            total.setdefault(word, []).append(vector)
    assert sorted(total) == sorted(averaged.words)
    for word, vectors in total.items():
        assert np.allclose(np.mean(vectors, axis=0), averaged[word], atol=1e-5)
    with pytest.raises(ValueError, match="'nope'"):
        encoder.encode("w1 nope")


def test_wrong_damaged_and_unsupported_files_are_clean_errors(runs, tmp_path):
    with pytest.raises(BadFileError, match="does not exist"):
        autograd_nlp.load(tmp_path / "missing.npz")
    junk = tmp_path / "junk.npz"
    junk.write_bytes(b"not a zip file at all")
    with pytest.raises(BadFileError):
        autograd_nlp.load(junk)
    arrays, meta = load_npz(runs["rnnlm"], with_meta=True)
    arrays["model/embed.W"] = np.full_like(arrays["model/embed.W"], np.nan)
    save_npz(tmp_path / "nan.npz", arrays, meta)
    with pytest.raises(CheckpointError, match="embed.W holds nan or inf"):
        autograd_nlp.load(tmp_path / "nan.npz")
    arrays, meta = load_npz(runs["rnnlm"], with_meta=True)
    meta.update(kind="vae", model="vae", chars="ab", width=3)
    save_npz(tmp_path / "vae.npz", arrays, meta)
    with pytest.raises(CheckpointError, match="this is a vae checkpoint.*does not read yet"):
        autograd_nlp.load(tmp_path / "vae.npz")
