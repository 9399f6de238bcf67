"""A search's results for people: the trial table (Markdown) and a plot of
the validation score against each searched parameter."""
import math

from autograd_nlp.notebook_display import use_agg_backend
from autograd_nlp.training import plot
from autograd_nlp.tuning.search import format_score, format_value


def trial_table(log):
    """The trials as a Markdown table, best trial marked with **bold**."""
    names = [s.split("=")[0] for s in log.search["space"]]
    metric = log.search["metric"]
    best = log.best()
    lines = ["| trial | " + " | ".join(names) + f" | state | {metric} | epochs | time |",
             "|---:|" + "---:|" * len(names) + "---|---:|---:|---:|"]
    for t in sorted(log.trials, key=lambda t: t["number"]):
        score = "-" if t["value"] is None else format_score(metric, t["value"])
        if best is not None and t["number"] == best["number"]:
            score = f"**{score}**"
        cells = [format_value(t["params"].get(n)) for n in names]
        lines.append(f"| {t['number'] + 1} | " + " | ".join(cells)
                     + f" | {t['state']} | {score} | {len(t['epoch_scores'])} | "
                     f"{t['seconds']:.0f} s |")
    return "\n".join(lines)


def save_score_plot(path, log, specs):
    """Validation score against each parameter, one panel each (complete
    trials as dots, pruned ones as crosses at their last score); log axes
    for log ranges. Returns the path, or None without matplotlib or trials."""
    points = [t for t in log.trials if t["value"] is not None]
    if not points or not specs:
        return None
    if not plot.have_matplotlib():
        return None
    use_agg_backend()            # not in a notebook: its inline plots stay
    import matplotlib.pyplot as plt
    metric = log.search["metric"]
    scale = 100 if "accuracy" in metric else 1
    fig, axes = plt.subplots(1, len(specs), figsize=(3.6 * len(specs), 3.4), dpi=110,
                             squeeze=False)
    best = log.best()
    for ax, spec in zip(axes[0], specs):
        for state, marker, label in (("complete", "o", "complete"),
                                     ("pruned", "x", "pruned (score then)")):
            chosen = [t for t in points if t["state"] == state]
            xs = [_position(spec, t["params"][spec.dest]) for t in chosen]
            ys = [scale * t["value"] for t in chosen]
            if xs:
                ax.scatter(xs, ys, marker=marker, s=22, label=label,
                           color="tab:blue" if state == "complete" else "tab:gray")
        if best is not None:
            ax.scatter([_position(spec, best["params"][spec.dest])], [scale * best["value"]],
                       marker="*", s=140, color="tab:red", label="best", zorder=3)
        if spec.kind == "log":
            from matplotlib.ticker import FixedLocator, NullFormatter
            ax.set_xscale("log")
            ax.xaxis.set_major_locator(FixedLocator(log_ticks(spec.low, spec.high)))
            ax.xaxis.set_major_formatter(lambda x, _: f"{x:g}")
            ax.xaxis.set_minor_formatter(NullFormatter())
        if spec.kind == "choice":
            ax.set_xticks(range(len(spec.choices)))
            ax.set_xticklabels([str(c) for c in spec.choices])
        ax.set_xlabel(spec.dest)
        ax.grid(alpha=0.3)
    axes[0][0].set_ylabel(metric + (" (%)" if scale == 100 else ""))
    axes[0][0].legend(fontsize=7)
    fig.suptitle(f"tune {log.search['model']}: {metric} of each trial", fontsize=9)
    fig.tight_layout()
    return plot.save_figure(fig, path)


def log_ticks(low, high):
    """1, 2, 5 times the powers of ten in [low, high]: labels that do not overlap.

    >>> log_ticks(1e-3, 3e-2)
    [0.001, 0.002, 0.005, 0.01, 0.02]
    """
    ticks = []
    for exponent in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1):
        for mantissa in (1, 2, 5):
            value = float(f"{mantissa}e{exponent}")
            if low * (1 - 1e-9) <= value <= high * (1 + 1e-9):
                ticks.append(value)
    return ticks


def _position(spec, value):
    if spec.kind == "choice":
        return spec.choices.index(value) if value in spec.choices else math.nan
    return value
