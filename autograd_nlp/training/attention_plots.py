"""Pictures of what an attention model looks at: the attention weights of a
few test questions (output characters x source characters), and a
Transformer's cross-attention per layer and head."""
import numpy as np

from autograd_nlp.backend import to_device
from autograd_nlp.core import eval_mode, no_grad
from autograd_nlp.notebook_display import use_agg_backend
from autograd_nlp.training.plot import have_matplotlib, save_figure, save_heatmaps


def save_attention_heatmap(model, ds, path, n=3):
    """Attention weights of ``n`` test questions: output chars x source chars."""
    x, t = ds.x_test[:n], ds.t_test[:n]
    predicted, weights = model.generate(x, ds.start_id, t.shape[1] - 1, return_attention=True)
    matrices, rows, cols, titles = [], [], [], []
    for k in range(n):
        source = ds.decode(x[k])
        w = weights[k]
        if ds.reverse:     # show the source in reading order
            source, w = source[::-1], w[:, ::-1]
        matrices.append(w)
        cols.append(list(source))
        rows.append(list(ds.decode(predicted[k])))
        titles.append(f"{source.rstrip()} -> {ds.decode(predicted[k]).rstrip()}")
    return save_heatmaps(path, matrices, rows, cols, titles)


def cross_attention_by_layer(model, x, start_id, length):
    """Greedy answer (length,) to one question x (S,) and the cross-attention
    weights of every layer and head, (layers, heads, length, S): the answer
    is re-read in one teacher-forced pass, which by causality gives the
    weights each step had while decoding."""
    answer = model.generate(x[None], start_id, length)[0]
    with no_grad(), eval_mode():
        memory = model.encoder(x[None])
        ys = np.concatenate([[start_id], answer[:-1]])[None]
        model.decoder(ys, model.decoder.start(memory), memory)
    weights = [to_device(layer.cross_attention.weights[0], "cpu")   # --device cuda: to host
               for layer in model.decoder.layers.layers]
    return to_device(answer, "cpu"), np.stack(weights)


def save_head_heatmaps(model, ds, path, index=0):
    """One picture: a grid (rows: decoder layers, columns: heads) of the
    cross-attention weights for test question ``index`` (output chars x
    source chars, the source in reading order). None without matplotlib."""
    if not have_matplotlib():
        print(f"(matplotlib is not installed: no heatmap written to {path}; "
              f"pip install matplotlib)")
        return None
    use_agg_backend()            # not in a notebook: its inline plots stay
    import matplotlib.pyplot as plt
    x = ds.x_test[index]
    answer, weights = cross_attention_by_layer(model, x, ds.start_id, ds.answer_length - 1)
    source = ds.decode(x)
    if ds.reverse:
        source, weights = source[::-1], weights[..., ::-1]
    layers, heads = weights.shape[:2]
    fig, axes = plt.subplots(layers, heads, figsize=(2.6 * heads + 0.6, 2.3 * layers + 0.7),
                             dpi=110, squeeze=False)
    for i in range(layers):
        for j in range(heads):
            ax = axes[i][j]
            ax.imshow(weights[i, j], cmap="Greys", vmin=0, vmax=1, aspect="auto")
            ax.set_xticks(range(len(source)))
            ax.set_xticklabels(["␣" if c == " " else c for c in source], fontsize=5)
            ax.set_yticks(range(len(answer)))
            ax.set_yticklabels(list(ds.decode(answer)), fontsize=6)
            ax.set_title(f"layer {i + 1}, head {j + 1}", fontsize=8)
    fig.suptitle(f"cross-attention: {source.rstrip()} -> {ds.decode(answer).rstrip()}",
                 fontsize=9)
    fig.tight_layout()
    return save_figure(fig, path, "png")
