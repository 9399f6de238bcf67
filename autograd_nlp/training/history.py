"""The per-iteration history a Trainer keeps (the book's ``loss_list`` and
``ppl_list``): the loss of every step, in ``history["iteration_loss"]``.

Entry i is the loss of the run's iteration i + 1 (counting over epochs), so
a resumed run appends where the checkpoint stood and its list equals an
uninterrupted run's. A checkpoint written before this history existed has
none: the iterations it had done are filled with None (unknown), and plots
leave a gap there.
"""
import math

ITERATION_LOSS = "iteration_loss"


def align_iteration_history(history, done):
    """Make ``history[ITERATION_LOSS]`` hold one entry for each of the
    ``done`` iterations taken so far (None for those an older checkpoint did
    not record); returns the list, which the loop appends to."""
    losses = history.setdefault(ITERATION_LOSS, [])
    if len(losses) < done:
        losses[:0] = [None] * (done - len(losses))
    return losses


def default_every(count, points=250):
    """How many iterations one plotted point averages: 1 up to ``2 * points``
    iterations, then enough to draw about ``points`` points."""
    return 1 if count <= 2 * points else count // points


def grouped_means(values, every):
    """Means of ``values`` over consecutive groups of ``every`` (the book's
    ``eval_interval``), skipping None: (xs, means) where xs is the 1-based
    number of each group's last iteration. A group of only None gives no
    point; a last partial group gives one.

    >>> grouped_means([1.0, 3.0, None, 5.0, 7.0], 2)
    ([2, 4, 5], [2.0, 5.0, 7.0])
    """
    if every < 1:
        raise ValueError(f"grouped_means: every must be >= 1, got {every}")
    xs, means = [], []
    for start in range(0, len(values), every):
        group = [v for v in values[start:start + every] if v is not None and not math.isnan(v)]
        if group:
            xs.append(min(start + every, len(values)))
            means.append(sum(group) / len(group))
    return xs, means
