"""The picture of an autoencoder's codes: the held-out strings' codes
projected on their first two principal components (``autograd_nlp.pca``),
one colour per format family (``train autoencoder|vae``'s codes.png)."""
import numpy as np

from autograd_nlp.notebook_display import use_agg_backend
from autograd_nlp.pca import principal_components
from autograd_nlp.training.plot import have_matplotlib, save_figure


def save_code_projection(path, codes, families, title):
    """Scatter the 2-D PCA projection of ``codes`` (N, d) coloured by
    ``families`` (N labels) into ``path`` (a PNG). Returns the path written,
    or None (with a note) without matplotlib."""
    if not have_matplotlib():
        print(f"(matplotlib is not installed: no picture written to {path})")
        return None
    use_agg_backend()            # not in a notebook: its inline plots stay
    import matplotlib.pyplot as plt
    xy, share = principal_components(codes)
    fig, ax = plt.subplots(figsize=(8.0, 5.2), dpi=110)
    names = sorted(set(families))
    colours = plt.get_cmap("tab20")(np.linspace(0, 1, max(len(names), 2)))
    labels = np.array(families)
    for name, colour in zip(names, colours):
        keep = labels == name
        ax.scatter(xy[keep, 0], xy[keep, 1], s=5, color=colour, label=name, alpha=0.7)
    ax.set_xlabel(f"PC 1 ({100 * share[0]:.0f}% of variance)")
    ax.set_ylabel(f"PC 2 ({100 * share[1]:.0f}% of variance)")
    ax.set_title(title)
    ax.legend(fontsize=7, markerscale=3, loc="center left", bbox_to_anchor=(1.0, 0.5))
    fig.tight_layout()
    return save_figure(fig, path, "png")
