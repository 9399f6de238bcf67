"""Beam search, written once for every decoder here: the seq2seq models
(through the EncoderDecoder interface) and the language models.

The search keeps ``beam`` hypotheses per question, all questions in one batch
of batch * (beam + 1) rows. At every step each row's next-token log-probabilities
extend its hypotheses; the ``beam`` best continuations (by summed
log-probability) survive, and the decoder state is reordered to follow them
(``reorder(index)``). A continuation that ends in ``eos_id`` is complete: it
leaves the beam for a per-question pool, ranked by its length-normalised
score. After ``length`` steps the surviving hypotheses are complete too, and
the pool's best is returned. Without ``eos_id`` every hypothesis has
``length`` tokens and normalisation changes nothing. One more row per input
decodes greedily and offers its answer to the pool too, so the result never
ranks below greedy decoding's: without ``eos_id``, or with alpha = 0, it is
never less likely under the model.
"""
import numpy as np

from autograd_nlp.numeric import log_softmax_array

LENGTH_NORMS = ("gnmt", "mean")


def length_penalty(lengths, alpha=0.0, norm="gnmt"):
    """What a summed log-probability is divided by to rank hypotheses of
    different lengths: GNMT's ((5 + length) / 6) ** alpha (Wu et al. 2016;
    alpha = 0: no normalisation) or, with ``norm="mean"``, the length itself
    (the mean log-probability per token; alpha is then unused)."""
    lengths = np.asarray(lengths, dtype=np.float64)
    if norm == "mean":
        return lengths
    return ((5.0 + lengths) / 6.0) ** alpha


def check_beam_options(beam, length, alpha, norm, caller):
    """ValueError naming ``caller`` and the option for a value out of range."""
    if not isinstance(beam, (int, np.integer)) or beam < 1:
        raise ValueError(f"{caller}: beam must be an integer >= 1, got {beam!r}")
    if length < 0:
        raise ValueError(f"{caller}: length must be >= 0, got {length}")
    if alpha < 0:
        raise ValueError(f"{caller}: alpha must be >= 0 (0: no length normalisation), "
                         f"got {alpha}")
    if norm not in LENGTH_NORMS:
        raise ValueError(f"{caller}: norm must be one of {LENGTH_NORMS}, got {norm!r}")


def beam_search(step, reorder, batch_size, start_id, length, beam=3, eos_id=None, alpha=0.0,
                norm="gnmt", skip_ids=None):
    """Batched beam search over ``batch_size`` independent inputs.

    The caller holds a decoding state of ``batch_size`` rows (one per input).
    ``reorder(index)``: index (new_rows,) int -> None; the state's row i must
    become its row index[i] (the first call expands every input to its
    rows). ``step(ids)``: ids (rows,) int, each row's last token -> logits
    (rows, vocab), advancing the state. Each input has ``beam`` rows for
    its hypotheses and, when beam > 1, one more that decodes greedily: the
    greedy answer joins the pool of complete hypotheses, so the answer
    returned never ranks below greedy's (plain beam search can lose the
    greedy path). ``skip_ids`` are never produced.

    Returns ids (batch_size, length) int64 (after an ``eos_id``, the rest of
    the row is ``eos_id``) and their summed log-probabilities (batch_size,).
    beam = 1 is greedy decoding (with ``eos_id`` and alpha = 0: up to the eos).
    """
    check_beam_options(beam, length, alpha, norm, "beam_search")
    k = beam
    per_input = k + 1 if k > 1 else k          # the beam, then the greedy row
    pad = -1 if eos_id is None else eos_id
    if length == 0:
        return np.zeros((batch_size, 0), dtype=np.int64), np.zeros(batch_size)
    tokens = np.full((batch_size, per_input, 0), pad, dtype=np.int64)
    # every hypothesis starts as the same start token: let only the first live
    scores = np.full((batch_size, per_input), -np.inf)
    scores[:, 0] = scores[:, -1] = 0.0
    best_ids = np.full((batch_size, length), pad, dtype=np.int64)
    best_score = np.full(batch_size, -np.inf)       # summed log-probability
    best_rank = np.full(batch_size, -np.inf)        # length-normalised, for ranking
    skip = np.asarray(sorted(set(skip_ids or ())), dtype=np.int64)
    batch_rows = np.arange(batch_size)[:, None]
    last = np.full(batch_size * per_input, start_id, dtype=np.int64)

    def offer(candidate_ids, candidate_scores, steps):
        """Put complete hypotheses (batch_size, n, steps) in the pool."""
        ranks = candidate_scores / length_penalty(steps, alpha, norm)
        for j in range(candidate_scores.shape[1]):
            better = ranks[:, j] > best_rank
            best_rank[better] = ranks[better, j]
            best_score[better] = candidate_scores[better, j]
            best_ids[better] = pad
            best_ids[better, :steps] = candidate_ids[better, j]

    reorder(np.repeat(np.arange(batch_size), per_input))
    for t in range(length):
        logp = log_softmax_array(step(last)).reshape(batch_size, per_input, -1)
        if skip.size:
            logp[..., skip] = -np.inf
        vocab = logp.shape[-1]
        total = (scores[:, :k, None] + logp[:, :k]).reshape(batch_size, -1)
        # the 2k best hold at least k that do not end (one eos per hypothesis at most);
        # a stable sort breaks ties by the lower id, as argmax does
        order = np.argsort(-total, axis=1, kind="stable")[:, :2 * k]
        beam_of, token_of = order // vocab, order % vocab
        ends = (token_of == eos_id) if eos_id is not None else np.zeros(order.shape, bool)
        if eos_id is not None:
            top = ends[:, :k] & np.isfinite(total[batch_rows, order[:, :k]])
            if top.any():       # an eos among the k best: that hypothesis is complete
                done = np.concatenate([tokens[batch_rows, beam_of[:, :k]],
                                       token_of[:, :k, None]], axis=2)
                offer(done, np.where(top, total[batch_rows, order[:, :k]], -np.inf), t + 1)
        keep = np.argsort(ends, axis=1, kind="stable")[:, :k]    # the k best that go on
        chosen = order[batch_rows, keep]
        beam_of, token_of = chosen // vocab, chosen % vocab
        new_scores = total[batch_rows, chosen]
        if per_input > k:                      # the greedy row follows its own argmax
            greedy_token = logp[:, k].argmax(axis=1)
            greedy_score = scores[:, k] + logp[np.arange(batch_size), k, greedy_token]
            beam_of = np.concatenate([beam_of, np.full((batch_size, 1), k)], axis=1)
            token_of = np.concatenate([token_of, greedy_token[:, None]], axis=1)
            new_scores = np.concatenate([new_scores, greedy_score[:, None]], axis=1)
        tokens = np.concatenate([tokens[batch_rows, beam_of], token_of[:, :, None]], axis=2)
        scores = new_scores
        if per_input > k and eos_id is not None:
            greedy_ends = (token_of[:, k] == eos_id) & np.isfinite(scores[:, k])
            if greedy_ends.any():
                offer(tokens[:, k:], np.where(greedy_ends, scores[:, k], -np.inf)[:, None],
                      t + 1)
                scores[greedy_ends, k] = -np.inf          # complete: it leaves the race
        last = token_of.reshape(-1)
        if t + 1 < length:
            reorder((batch_rows * per_input + beam_of).reshape(-1))
    offer(tokens, scores, length)
    return best_ids, best_score
