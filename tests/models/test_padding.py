"""An attention model that ignores its questions' padding (``pad_id``):
where each question sits (models/padding.py), and answers, losses,
gradients, attention weights and beam search that do not change with how
far a question was padded, on both sides of the padding and both ways of
reading."""
import numpy as np
import pytest

import autograd_nlp as ag
from autograd_nlp.models.attention_seq2seq import AttentionSeq2seq
from autograd_nlp.models.padding import QuestionSpans

PAD = 0
WAYS = [dict(pads_first=False, bidirectional=False), dict(pads_first=True, bidirectional=False),
        dict(pads_first=False, bidirectional=True), dict(pads_first=True, bidirectional=True)]
WAY_IDS = ["pads-last", "pads-first", "pads-last-bidirectional", "pads-first-bidirectional"]


def padded(questions, width, pads_first):
    """(n, width) rows of ``questions`` padded with PAD on one side."""
    rows = np.full((len(questions), width), PAD, dtype=np.int64)
    for row, q in zip(rows, questions):
        if pads_first:
            row[width - len(q):] = q
        else:
            row[:len(q)] = q
    return rows


def questions(seed=0, lengths=(3, 5, 1, 4)):
    rng = np.random.default_rng(seed)
    return [rng.integers(1, 12, size=n) for n in lengths]


def test_spans_find_each_question_on_either_side():
    qs = questions()
    for pads_first in (False, True):
        xs = padded(qs, 7, pads_first)
        spans = QuestionSpans.find(xs, PAD, pads_first)
        np.testing.assert_array_equal(spans.length, [3, 5, 1, 4])
        np.testing.assert_array_equal(spans.start, [4, 2, 6, 3] if pads_first else [0] * 4)
        front = spans.front(xs, PAD)
        assert front.shape == (4, 5)
        for row, q in zip(front, qs):
            np.testing.assert_array_equal(row[:len(q)], q)
            assert (row[len(q):] == PAD).all()
        np.testing.assert_array_equal(spans.allowed(), front != PAD)


def test_padding_inside_a_question_is_kept_and_an_empty_row_reads_one_column():
    xs = np.array([[0, 0, 5, 0, 6], [0, 0, 0, 0, 0]])       # pads first; a space inside
    spans = QuestionSpans.find(xs, PAD, pads_first=True)
    np.testing.assert_array_equal(spans.length, [3, 1])
    np.testing.assert_array_equal(spans.front(xs, PAD), [[5, 0, 6], [0, 0, 0]])


def test_reversal_turns_each_question_around_and_is_its_own_inverse():
    spans = QuestionSpans(np.array([0, 0]), np.array([3, 1]), 4)
    flip = spans.reversal()
    np.testing.assert_array_equal(flip, [[2, 1, 0], [0, 1, 2]])
    np.testing.assert_array_equal(np.take_along_axis(flip, flip, axis=1), [[0, 1, 2]] * 2)


@pytest.mark.parametrize("way", WAYS, ids=WAY_IDS)
def test_loss_and_gradients_do_not_depend_on_the_padding(way):
    qs = questions()
    ts = np.random.default_rng(1).integers(1, 12, (4, 4))
    with ag.default_dtype(np.float64):
        model = AttentionSeq2seq(12, 5, 6, pad_id=PAD, **way)
    results = []
    for width in (5, 9):
        model.cleargrads()
        loss = model(padded(qs, width, way["pads_first"]), ts)
        loss.backward()
        results.append((loss.data, {n: p.grad.data.copy() for n, p in model.named_params()}))
    np.testing.assert_allclose(results[0][0], results[1][0], rtol=1e-12)
    for name, grad in results[0][1].items():
        np.testing.assert_allclose(grad, results[1][1][name], rtol=1e-10, atol=1e-14,
                                   err_msg=name)


@pytest.mark.parametrize("way", WAYS, ids=WAY_IDS)
def test_a_question_alone_answers_as_in_a_padded_batch(way):
    qs = questions(2)
    model = AttentionSeq2seq(12, 5, 8, pad_id=PAD, **way)
    xs = padded(qs, 8, way["pads_first"])
    ids, weights = model.generate(xs, 1, 4, return_attention=True)
    for i, q in enumerate(qs):                  # no padding at all: the question alone
        alone, alone_weights = model.generate(q[None], 1, 4, return_attention=True)
        np.testing.assert_array_equal(alone[0], ids[i])
        columns = slice(8 - len(q), 8) if way["pads_first"] else slice(0, len(q))
        np.testing.assert_allclose(alone_weights[0], weights[i, :, columns], rtol=1e-5,
                                   atol=1e-7)
    assert weights.shape == (4, 4, 8)
    on_padding = ~QuestionSpans.find(xs, PAD, way["pads_first"]).to_columns(
        np.ones((4, 1, 5))).astype(bool)
    assert (weights[np.broadcast_to(on_padding, weights.shape)] == 0).all()
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, rtol=1e-5)


def test_beam_search_follows_the_spans():
    qs = questions(3)
    model = AttentionSeq2seq(12, 5, 8, pad_id=PAD, pads_first=True)
    wide, narrow = padded(qs, 10, True), padded(qs, 5, True)
    np.testing.assert_array_equal(model.beam_search(wide, 1, 4, beam=3),
                                  model.beam_search(narrow, 1, 4, beam=3))
    np.testing.assert_array_equal(model.beam_search(wide, 1, 4, beam=1),
                                  model.generate(wide, 1, 4))


def test_question_lengths_only_for_a_model_that_ignores_padding():
    xs = padded(questions(), 6, True)
    np.testing.assert_array_equal(
        AttentionSeq2seq(12, 4, 4, pad_id=PAD, pads_first=True).question_lengths(xs),
        [3, 5, 1, 4])
    assert AttentionSeq2seq(12, 4, 4).question_lengths(xs) is None


def test_the_book_model_reads_padding():
    """Without pad_id the padding is read like any character (the book's way)."""
    qs = questions()
    model = AttentionSeq2seq(12, 5, 8)
    ts = np.ones((4, 3), dtype=np.int64)
    assert model(padded(qs, 6, True), ts).data != model(padded(qs, 9, True), ts).data


def test_evaluation_in_length_order_returns_answers_in_the_questions_order():
    from autograd_nlp.training import seq2seq_accuracy
    rng = np.random.default_rng(4)
    qs = questions(4, lengths=rng.integers(1, 8, 23))
    xs = padded(qs, 8, True)
    model = AttentionSeq2seq(12, 5, 8, pad_id=PAD, pads_first=True)
    expected = model.generate(xs, 1, 3)
    ts = np.concatenate([np.ones((23, 1), np.int64), expected], axis=1)
    ts[::2, 1] = (ts[::2, 1] + 1) % 12              # every other answer wrong
    accuracy, predictions = seq2seq_accuracy(model, xs, ts, batch_size=5,
                                             return_predictions=True)
    np.testing.assert_array_equal(predictions, expected)
    assert accuracy == 11 / 23
