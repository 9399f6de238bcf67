"""Curves saved as PNG when matplotlib is installed (``pip install .[plot]``)."""


def have_matplotlib():
    try:
        import matplotlib  # noqa: F401
        return True
    except ImportError:
        return False


def save_curves(path, curves, xlabel, ylabel, title="", logy=False):
    """Plot {label: (xs, ys)} on one figure and write ``path``. Returns the
    path, or None (and says why) when matplotlib is missing."""
    if not have_matplotlib():
        print(f"(matplotlib is not installed: no plot written to {path}; "
              f"pip install matplotlib)")
        return None
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6.4, 4.0), dpi=110)
    for label, (xs, ys) in curves.items():
        ax.plot(xs, ys, marker="o" if len(xs) < 40 else None, markersize=3, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    if title:
        ax.set_title(title)
    if len(curves) > 1:
        ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path


def save_heatmaps(path, matrices, row_labels, col_labels, titles=None,
                  xlabel="source", ylabel="output"):
    """Draw several (rows, cols) matrices side by side (e.g. attention
    weights: output characters x source characters). Returns the path, or
    None when matplotlib is missing."""
    if not have_matplotlib():
        print(f"(matplotlib is not installed: no heatmap written to {path}; "
              f"pip install matplotlib)")
        return None
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    n = len(matrices)
    fig, axes = plt.subplots(1, n, figsize=(4.2 * n, 3.6), dpi=110, squeeze=False)
    for k, ax in enumerate(axes[0]):
        m = matrices[k]
        ax.imshow(m, cmap="Greys", vmin=0, vmax=1, aspect="auto")
        ax.set_xticks(range(m.shape[1]))
        ax.set_xticklabels([repr(c)[1:-1] if c != " " else "␣" for c in col_labels[k]],
                           fontsize=7)
        ax.set_yticks(range(m.shape[0]))
        ax.set_yticklabels(row_labels[k], fontsize=8)
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        if titles:
            ax.set_title(titles[k], fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    return path
