"""seq2seq models: end-to-end gradients (float64), reversed input, batched
greedy decoding, attention weights, and learning to copy."""
import numpy as np
import pytest

import autograd_nlp as ag
from autograd_nlp import optim
from autograd_nlp.training import MinibatchTrainer, seq2seq_accuracy
from autograd_nlp.models.attention_seq2seq import AttentionSeq2seq
from autograd_nlp.models.seq2seq import PeekySeq2seq, Seq2seq

MODELS = [(Seq2seq, {}), (PeekySeq2seq, {}), (AttentionSeq2seq, {}),
          (AttentionSeq2seq, {"bidirectional": True}),
          (AttentionSeq2seq, {"pad_id": 0, "pads_first": True}),
          (AttentionSeq2seq, {"pad_id": 0, "bidirectional": True})]
IDS = ["seq2seq", "peeky", "attention", "attention-bidirectional", "attention-ignoring-padding",
       "attention-bidirectional-ignoring-padding"]


@pytest.mark.parametrize("cls,kwargs", MODELS, ids=IDS)
def test_end_to_end_gradcheck(cls, kwargs):
    rng = np.random.default_rng(0)
    xs, ts = rng.integers(0, 7, (3, 4)), rng.integers(0, 7, (3, 3))
    with ag.default_dtype(np.float64):
        model = cls(7, 3, 4, **kwargs)
    assert ag.gradcheck_module(model, lambda: model(xs, ts), samples=12)


@pytest.mark.parametrize("cls,kwargs", MODELS, ids=IDS)
def test_generate_is_batched_and_matches_one_by_one(cls, kwargs):
    rng = np.random.default_rng(1)
    model = cls(9, 4, 6, **kwargs)
    xs = rng.integers(1, 9, (5, 6))
    batch = model.generate(xs, 0, 4)
    assert batch.shape == (5, 4)
    singles = np.concatenate([model.generate(xs[i:i + 1], 0, 4) for i in range(5)])
    np.testing.assert_array_equal(batch, singles)


def test_attention_weights_are_returned():
    model = AttentionSeq2seq(9, 4, 6)
    xs = np.random.default_rng(2).integers(0, 9, (2, 7))
    ids, weights = model.generate(xs, 0, 5, return_attention=True)
    assert weights.shape == (2, 5, 7)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, rtol=1e-5)


def copy_task(n, length=4, vocab=6, seed=0, reverse=False):
    """Questions of random symbols 2..vocab-1; answers: start id 0, then the question."""
    rng = np.random.default_rng(seed)
    x = rng.integers(2, vocab, (n, length))
    t = np.concatenate([np.zeros((n, 1), dtype=x.dtype), x], axis=1)
    return (x[:, ::-1].copy() if reverse else x), t


@pytest.mark.parametrize("cls", [PeekySeq2seq, AttentionSeq2seq], ids=["peeky", "attention"])
def test_tiny_model_learns_to_copy(cls):
    ag.random.seed(0)
    x, t = copy_task(1200, reverse=cls is PeekySeq2seq)
    model = cls(6, 8, 32)
    trainer = MinibatchTrainer(model, optim.Adam(model.params(), lr=0.01), batch_size=32,
                               max_grad=5.0, progress=False, log=lambda *a: None)
    trainer.fit((x[:1000], t[:1000]), epochs=12)
    assert seq2seq_accuracy(model, x[1000:], t[1000:]) > 0.9


def test_reversed_input_is_the_mirror_image():
    x, _ = copy_task(5)
    xr, _ = copy_task(5, reverse=True)
    np.testing.assert_array_equal(xr, x[:, ::-1])


@pytest.mark.parametrize("cls,kind", [(Seq2seq, "seq2seq"), (PeekySeq2seq, "peeky"),
                                      (AttentionSeq2seq, "attention")],
                         ids=["seq2seq", "peeky", "attention"])
def test_book_draws_and_adam_follow_the_books_numpy_recipe(cls, kind):
    """With the book's random numbers (``--book-rng``) and Adam (``eps_hat``),
    training follows benchmarks/numpy_seq2seq_reference.py -- the book's
    recipe with hand-written backward passes -- step for step."""
    from autograd_nlp.data.seq import book_random_state, make_seq_dataset
    from autograd_nlp.layers import LSTMCell
    from benchmarks import numpy_seq2seq_reference as reference

    ds = make_seq_dataset("addition", n=600, seed=4, reverse=True)
    V, D, H, batch, n = ds.vocab_size, 5, 8, 16, len(ds.x_train)
    saved = ag.random.get_rng()
    try:
        ag.random.set_generator(book_random_state(600))
        model = cls(V, D, H)
        for cell in model.modules():
            if isinstance(cell, LSTMCell):
                cell.reorder_gates_from_book()
        order = ag.random.get_rng().permutation(n)
    finally:
        ag.random.set_generator(saved)
    opt = optim.Adam(model.params(), eps=1e-7, eps_hat=True)
    rng = book_random_state(600)
    params = reference.init_params(rng, V, D, H, kind)
    np.testing.assert_array_equal(order, rng.permutation(np.arange(n)))
    adam = reference.BookAdam()
    for i in range(30):
        idx = order[i * batch:(i + 1) * batch]
        loss = model(ds.x_train[idx], ds.t_train[idx])
        opt.cleargrads()
        loss.backward()
        optim.clip_grads(model.params(), 5.0)
        opt.update()
        expected, grads = reference.loss_and_grads(params, ds.x_train[idx], ds.t_train[idx], kind)
        grads = [grads[k] for k in reference.ORDER]
        reference.clip_grads(grads, 5.0)
        adam.update([params[k] for k in reference.ORDER], grads)
        np.testing.assert_allclose(float(loss.data), expected, rtol=1e-5)
    np.testing.assert_array_equal(
        model.generate(ds.x_test, ds.start_id, 4),
        reference.generate(params, ds.x_test, ds.start_id, 4, kind))


def test_attention_dropout_is_off_by_default_and_only_while_training():
    """dropout=0 (the book's) records no dropout op and draws no random number;
    with dropout, eval mode is the same function as without, training is not."""
    rng = np.random.default_rng(2)
    xs, ts = rng.integers(0, 9, (4, 6)), rng.integers(0, 9, (4, 5))
    plain = AttentionSeq2seq(9, 4, 6)
    assert not any(type(m).__name__ == "Dropout" for m in plain.modules())
    dropped = AttentionSeq2seq(9, 4, 6, dropout=0.3)
    dropped.load_state_dict(plain.state_dict())
    with ag.eval_mode():
        np.testing.assert_array_equal(plain(xs, ts).data, dropped(xs, ts).data)
    from autograd_nlp import random as ag_random
    state = ag_random.state_to_json(ag_random.get_state())
    plain(xs, ts)
    assert ag_random.state_to_json(ag_random.get_state()) == state
    dropped(xs, ts)
    assert ag_random.state_to_json(ag_random.get_state()) != state
    assert not np.array_equal(plain(xs, ts).data, dropped(xs, ts).data)
    with ag.default_dtype(np.float64):          # the gradients, with the masks fixed
        model = AttentionSeq2seq(7, 3, 4, dropout=0.2)
    with ag.eval_mode():
        assert ag.gradcheck_module(model, lambda: model(xs % 7, ts % 7), samples=8)
