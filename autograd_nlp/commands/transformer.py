"""``autograd-nlp train transformer``: the Transformer encoder-decoder on the
seq2seq tasks (dates, addition), wired like ``train attention``: the same
data options, checkpoints, progress, accuracy plot and ``translate`` (which,
like ``plot-accuracy``, lives in commands/seq2seq.py and reads Transformer
checkpoints too), plus a grid of cross-attention heatmaps (layers x heads)
for one test question.
"""
import os

import numpy as np

from autograd_nlp import optim
from autograd_nlp.backend import to_device
from autograd_nlp.commands.common import (add_common_training_options, attach_schedule,
                                          distributed_comm, dropout_rate, generated_size,
                                          non_negative_int, positive_float, positive_int,
                                          prepare_out_on_root, seed_everything)
from autograd_nlp.commands.run_settings import (RESUME_RULE, mark_defaults, resolve_settings,
                                                vocab_hash)
from autograd_nlp.commands.seq2seq import (ADAM_FORMS, add_date_order_option,
                                           add_evaluation_options, apply_generated_recipe,
                                           calibrate_answers, recipe_note, synchronize_ranks,
                                           check_early_stop, early_stop_options,
                                           fit_with_accuracy, load_dataset, print_outputs)
from autograd_nlp.core import eval_mode, no_grad
from autograd_nlp.errors import UserError
from autograd_nlp.training import MinibatchTrainer, fingerprint, save_curves
from autograd_nlp.training.plot import have_matplotlib, save_figure

NAME = "transformer"
SCHEDULES = ("inverse-sqrt", "cosine", "constant")


def add_train_parsers(train_sub):
    p = train_sub.add_parser(NAME, help="train a Transformer encoder-decoder on dates or "
                             "additions (generated when no data directory is set)",
                             description=recipe_note(NAME) + RESUME_RULE)
    add_common_training_options(p, 5, os.path.join("runs", NAME), distributed=True)
    p.add_argument("--dataset", "--task", dest="dataset", default="date",
                   choices=["addition", "date"], help="the seq2seq task")
    p.add_argument("--reverse", dest="reverse", action="store_true", default=False,
                   help="reverse the questions (default: %(default)s; attention does not "
                   "need it)")
    p.add_argument("--no-reverse", dest="reverse", action="store_false",
                   help="read the questions as written")
    p.add_argument("--dim", type=positive_int, default=64, help="model width (default: 64)")
    p.add_argument("--heads", type=positive_int, default=4, help="attention heads (default: 4)")
    p.add_argument("--layers", type=positive_int, default=2,
                   help="encoder and decoder layers each (default: 2)")
    p.add_argument("--ff-hidden", type=positive_int, default=None,
                   help="feed-forward width (default: 4 x dim)")
    p.add_argument("--dropout", type=dropout_rate, default=0.1, help="dropout rate")
    p.add_argument("--norm", choices=["pre", "post"], default="pre",
                   help="LayerNorm before each sub-layer (pre, default) or after (post)")
    p.add_argument("--positional", choices=["sinusoidal", "learned"], default="sinusoidal",
                   help="positional encoding")
    p.add_argument("--activation", choices=["relu", "gelu", "gelu_tanh"], default="relu",
                   help="feed-forward activation")
    p.add_argument("--label-smoothing", type=dropout_rate, default=0.0,
                   help="probability mass spread over the other characters")
    p.add_argument("--batch-size", type=positive_int, default=128, help="questions per batch")
    p.add_argument("--lr", type=positive_float, default=0.002,
                   help="peak learning rate of the schedule (default: 0.002)")
    p.add_argument("--schedule", choices=SCHEDULES, default="inverse-sqrt",
                   help="learning-rate schedule after the linear warm-up (default: %(default)s)")
    p.add_argument("--warmup", type=non_negative_int, default=200,
                   help="warm-up steps (default: 200)")
    p.add_argument("--max-grad", type=positive_float, default=1.0,
                   help="clip the gradients' global norm to this")
    p.add_argument("--adam", choices=sorted(ADAM_FORMS), default="torch",
                   help="torch: torch.optim.Adam's form; book: eps added before the bias "
                        "correction, as Keras")
    add_date_order_option(p)
    p.add_argument("--generate-size", type=generated_size, default=50_000,
                   help="lines to generate when no data directory is set")
    add_evaluation_options(p)
    p.set_defaults(run=train, model_name=NAME)
    mark_defaults(p)


def model_kwargs(args, vocab_size, max_length):
    return dict(vocab_size=vocab_size, dim=args.dim, num_heads=args.heads,
                num_layers=args.layers, ff_hidden=args.ff_hidden, dropout=args.dropout,
                activation=args.activation, norm_first=args.norm == "pre",
                positional=args.positional, max_length=max_length,
                label_smoothing=args.label_smoothing)


def add_size_options(p, dim, layers_help, layers=2):
    """``--dim --heads --layers --ff-hidden --dropout --norm``: the sizes of a
    Transformer stack (train transformer-lm, bert, ...)."""
    p.add_argument("--dim", type=positive_int, default=dim, help="model width")
    p.add_argument("--heads", type=positive_int, default=4, help="attention heads")
    p.add_argument("--layers", type=positive_int, default=layers, help=layers_help)
    p.add_argument("--ff-hidden", type=positive_int, default=None,
                   help="feed-forward width (default: 4 x dim)")
    p.add_argument("--dropout", type=dropout_rate, default=0.1, help="dropout rate")
    p.add_argument("--norm", choices=["pre", "post"], default="pre",
                   help="LayerNorm before each sub-layer (pre) or after (post)")


def check_heads(args, command):
    """--dim must split evenly over --heads (UserError naming both, with a fix)."""
    if args.dim % args.heads:
        raise UserError(f"train {command}: --dim {args.dim} is not divisible by --heads "
                        f"{args.heads}; pick e.g. --dim "
                        f"{args.heads * (args.dim // args.heads + 1)}")


def train(args):
    from models.transformer_seq2seq import TransformerSeq2seq
    apply_generated_recipe(args)
    settings = resolve_settings(args)         # typed, resumed or default values from here
    check_heads(args, NAME)
    check_early_stop(args)
    seed_everything(args.seed)
    comm = distributed_comm(args)           # None without --distributed
    out = prepare_out_on_root(args.out, args, comm)
    ds = load_dataset(args)
    kwargs = model_kwargs(args, ds.vocab_size, max(ds.question_length, ds.answer_length))
    model = TransformerSeq2seq(**kwargs)
    model.to(args.device)
    checkpoint = os.path.join(out, "checkpoint.npz")
    optimizer = optim.Adam(model.params(), lr=args.lr, beta2=0.98, **ADAM_FORMS[args.adam])
    steps = args.epochs * (len(ds.x_train) // args.batch_size)
    schedule = attach_schedule(optimizer, args, steps)
    chars = "".join(ds.id_to_char[i] for i in range(ds.vocab_size))
    meta = {"kind": NAME, "model": NAME, "model_kwargs": kwargs,
            "chars": chars, "vocab_hash": vocab_hash(chars),
            "question_length": ds.question_length, "answer_length": ds.answer_length,
            "reverse": ds.reverse, "dataset": ds.source,
            "data": {"source": ds.source, "fingerprint": fingerprint(
                ds.x_train, ds.t_train, ds.x_test, ds.t_test,
                *((ds.x_valid, ds.t_valid) if len(ds.x_valid) else ()))},
            "settings": settings,
            "schedule": schedule.state_dict() if schedule else None}
    trainer = MinibatchTrainer(model, optimizer, args.batch_size, args.max_grad, checkpoint,
                               args.checkpoint_every, meta, progress=not args.quiet,
                               unit="questions", checkpoint_seconds=60 * args.checkpoint_minutes,
                               comm=comm, **early_stop_options(args, ds))
    synchronize_ranks(model, optimizer, comm)
    if args.resume:
        trainer.resume(args.resume)
    print(f"transformer: {model.num_params():,} parameters ({args.layers}+{args.layers} "
          f"layers, dim {args.dim}, {args.heads} heads, {args.norm}-norm), batch "
          f"{args.batch_size}, Adam peak lr {args.lr:g} ({args.schedule}, warm-up "
          f"{args.warmup}), epochs {args.epochs}", flush=True)

    history, accuracies, metric = fit_with_accuracy(args, model, trainer, ds)
    calibrate_answers(args, model, trainer, ds, checkpoint)
    if comm is not None and not comm.is_root:
        return 0                            # rank 0 alone draws and writes
    curve = save_curves(os.path.join(out, "accuracy.png"),
                        {NAME: (history["epoch"], [100 * a for a in accuracies])},
                        "epoch", f"exact-match {metric} (%)", title=ds.source)
    heatmap = save_head_heatmaps(model, ds, os.path.join(out, "attention_heads.png"))
    print_outputs(checkpoint, trainer, ds, [curve, heatmap])
    return 0


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
    import matplotlib
    matplotlib.use("Agg")
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
