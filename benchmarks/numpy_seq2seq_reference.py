"""The book's chapter 7-8 seq2seq experiments in plain NumPy, as a reference.

Hand-written backward passes, no autograd_nlp engine: what the book's recipe
gives on this machine, run by run.

Everything follows the book's recipe: float32 weights initialised in the
book's order (embeddings randn / 100; LSTM and output weights randn /
sqrt(fan_in); zero biases; LSTM gates laid out [f, g, i, o]), one LSTM step
per time step, mean cross-entropy over batch x time, gradient clipping at a
global norm of 5, the book's Adam (``lr_t = lr sqrt(1 - b2^t) / (1 - b1^t)``,
eps 1e-7 outside the root), batches of 128 from one permutation per epoch,
greedy decoding and exact-match accuracy on the 5,000 held-out rows.

``--stream book`` draws every random number from NumPy's legacy generator as
the book's script leaves it after ``load_data`` (seed 1984, one shuffle of
the 50,000 rows): the book's own numbers. ``--stream N`` seeds it with N.

    python benchmarks/numpy_seq2seq_reference.py --data-dir D [--reverse] \
        [--model seq2seq|peeky] --streams book 1 2 3
    python benchmarks/numpy_seq2seq_reference.py --data-dir D --dataset date \
        --model attention --reverse --hidden 256 --epochs 3 --streams book 1 2

Prints the accuracy after every epoch; compare with
``autograd-nlp train seq2seq|peeky|attention [--reverse] --book-rng``.
"""
import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import numpy as np  # noqa: E402

from autograd_nlp.data.seq import book_random_state, load_seq_dataset  # noqa: E402


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def init_params(rng, V, D, H, kind):
    """The book's draws, in the book's order (encoder, then decoder)."""
    rn = rng.randn
    dec_in = H + D if kind == "peeky" else D
    out_in = H if kind == "seq2seq" else 2 * H
    p = {}
    p["enc_embed"] = (rn(V, D) / 100).astype("f")
    p["enc_Wx"] = (rn(D, 4 * H) / np.sqrt(D)).astype("f")
    p["enc_Wh"] = (rn(H, 4 * H) / np.sqrt(H)).astype("f")
    p["enc_b"] = np.zeros(4 * H).astype("f")
    p["dec_embed"] = (rn(V, D) / 100).astype("f")
    p["dec_Wx"] = (rn(dec_in, 4 * H) / np.sqrt(dec_in)).astype("f")
    p["dec_Wh"] = (rn(H, 4 * H) / np.sqrt(H)).astype("f")
    p["dec_b"] = np.zeros(4 * H).astype("f")
    p["out_W"] = (rn(out_in, V) / np.sqrt(out_in)).astype("f")
    p["out_b"] = np.zeros(V).astype("f")
    return p


# --- layers: forward returns (output, cache); backward takes the cache -------------
def embed_forward(W, ids):
    return W[ids]


def embed_backward(W, ids, dout):
    """Per time step scatter-add, summed over steps (the book's TimeEmbedding)."""
    grad = np.zeros_like(W)
    for t in range(ids.shape[1]):
        dW = np.zeros_like(W)
        np.add.at(dW, ids[:, t], dout[:, t])
        grad += dW
    return grad


def lstm_step(x, h, c, Wx, Wh, b):
    """One step, gates in the book's layout [f, g, i, o] -> h, c, (f, g, i, o)."""
    H = Wh.shape[0]
    A = np.dot(x, Wx) + np.dot(h, Wh) + b
    f, g, i, o = (sigmoid(A[:, :H]), np.tanh(A[:, H:2 * H]),
                  sigmoid(A[:, 2 * H:3 * H]), sigmoid(A[:, 3 * H:]))
    c_next = f * c + g * i
    return o * np.tanh(c_next), c_next, (f, g, i, o)


def lstm_forward(xs, Wx, Wh, b, h):
    """xs (N, T, I), h (N, H) start state (cell state zero) -> hs (N, T, H)."""
    N, T, _ = xs.shape
    H = Wh.shape[0]
    c = np.zeros((N, H), dtype="f")
    hs = np.empty((N, T, H), dtype="f")
    cache = []
    for t in range(T):
        x = xs[:, t, :]
        h_next, c_next, gates = lstm_step(x, h, c, Wx, Wh, b)
        cache.append((x, h, c, *gates, c_next))
        hs[:, t, :] = h_next
        h, c = h_next, c_next
    return hs, cache


def lstm_backward(dhs, cache, Wx, Wh):
    """-> dxs (N, T, I), dh of the start state, (dWx, dWh, db)."""
    N, T, _ = dhs.shape
    dxs = np.empty((N, T, Wx.shape[0]), dtype="f")
    dh, dc = 0, 0
    grads = [0, 0, 0]
    for t in reversed(range(T)):
        x, h_prev, c_prev, f, g, i, o, c_next = cache[t]
        dh_next = dhs[:, t, :] + dh
        tanh_c = np.tanh(c_next)
        ds = dc + (dh_next * o) * (1 - tanh_c ** 2)
        dc = ds * f
        di, df, do, dg = ds * g, ds * c_prev, dh_next * tanh_c, ds * i
        di *= i * (1 - i)
        df *= f * (1 - f)
        do *= o * (1 - o)
        dg *= 1 - g ** 2
        dA = np.hstack((df, dg, di, do))
        step = (np.dot(x.T, dA), np.dot(h_prev.T, dA), dA.sum(axis=0))
        dxs[:, t, :] = np.dot(dA, Wx.T)
        dh = np.dot(dA, Wh.T)
        for k in range(3):
            grads[k] += step[k]
    return dxs, dh, grads


def affine_forward(x, W, b):
    N, T, _ = x.shape
    return (np.dot(x.reshape(N * T, -1), W) + b).reshape(N, T, -1)


def affine_backward(x, W, dout):
    N, T, _ = x.shape
    rx, rd = x.reshape(N * T, -1), dout.reshape(N * T, -1)
    return np.dot(rd, W.T).reshape(N, T, -1), np.dot(rx.T, rd), rd.sum(axis=0)


def softmax_loss(scores, ts):
    """Mean cross-entropy over (N, T) and its gradient wrt the scores."""
    N, T, V = scores.shape
    x = scores.reshape(N * T, V)
    x = x - x.max(axis=1, keepdims=True)
    ys = np.exp(x)
    ys /= ys.sum(axis=1, keepdims=True)
    rows, flat = np.arange(N * T), ts.reshape(N * T)
    loss = -np.sum(np.log(ys[rows, flat])) / (N * T)
    dx = ys
    dx[rows, flat] -= 1
    dx /= N * T
    return loss, dx.reshape(N, T, V)


# --- the model ----------------------------------------------------------------------
def encode(p, xs):
    """xs (N, S) -> all encoder states (N, S, H), cache."""
    e = embed_forward(p["enc_embed"], xs)
    N = xs.shape[0]
    return lstm_forward(e, p["enc_Wx"], p["enc_Wh"], p["enc_b"],
                        np.zeros((N, p["enc_Wh"].shape[0]), dtype="f"))


def softmax_rows(x):
    x = x - x.max(axis=1, keepdims=True)
    x = np.exp(x)
    x /= x.sum(axis=1, keepdims=True)
    return x


def attention_forward(enc_hs, h):
    """enc_hs (N, S, H), one decoder state h (N, H) -> context (N, H), cache."""
    N, S, H = enc_hs.shape
    hr = h.reshape(N, 1, H).repeat(S, axis=1)
    a = softmax_rows(np.sum(enc_hs * hr, axis=2))
    ar = a.reshape(N, S, 1).repeat(H, axis=2)
    return np.sum(enc_hs * ar, axis=1), (hr, a, ar)


def attention_backward(enc_hs, cache, dc):
    """-> d enc_hs (N, S, H), dh (N, H)."""
    hr, a, ar = cache
    N, S, H = enc_hs.shape
    dt = dc.reshape(N, 1, H).repeat(S, axis=1)
    da = np.sum(dt * enc_hs, axis=2)
    denc_hs = dt * ar
    dx = a * da                                    # softmax backward
    ds = dx - a * np.sum(dx, axis=1, keepdims=True)
    dt = ds.reshape(N, S, 1).repeat(H, axis=2)
    return denc_hs + dt * hr, np.sum(dt * enc_hs, axis=1)


def decode(p, ys, enc_hs, kind):
    """ys (N, T) ids, encoder states (N, S, H) -> scores (N, T, V), cache.
    The decoder starts from the encoder's last h; peeky concatenates that h to
    the LSTM's and the projection's inputs, attention a context to the latter."""
    N, T = ys.shape
    h = enc_hs[:, -1, :]
    H = h.shape[1]
    e = embed_forward(p["dec_embed"], ys)
    peek = np.repeat(h, T, axis=0).reshape(N, T, H) if kind == "peeky" else None
    lstm_in = np.concatenate((peek, e), axis=2) if kind == "peeky" else e
    hs, lstm_cache = lstm_forward(lstm_in, p["dec_Wx"], p["dec_Wh"], p["dec_b"], h)
    attention = None
    if kind == "peeky":
        out_in = np.concatenate((peek, hs), axis=2)
    elif kind == "attention":
        steps = [attention_forward(enc_hs, hs[:, t, :]) for t in range(T)]
        context = np.stack([c for c, _ in steps], axis=1)
        attention = [cache for _, cache in steps]
        out_in = np.concatenate((context, hs), axis=2)
    else:
        out_in = hs
    return affine_forward(out_in, p["out_W"], p["out_b"]), (lstm_cache, attention, out_in)


def loss_and_grads(p, xs, ts, kind):
    enc_hs, enc_cache = encode(p, xs)
    dec_in, dec_t = ts[:, :-1], ts[:, 1:]
    scores, (dec_cache, attention, out_in) = decode(p, dec_in, enc_hs, kind)
    loss, dscores = softmax_loss(scores, dec_t)
    g = {}
    H = enc_hs.shape[2]
    dout, g["out_W"], g["out_b"] = affine_backward(out_in, p["out_W"], dscores)
    denc_hs = np.zeros_like(enc_hs)
    if kind == "peeky":
        dpeek, dout = dout[:, :, :H], dout[:, :, H:]
    elif kind == "attention":
        dcontext, dout = dout[:, :, :H], dout[:, :, H:]
        ddec_hs = np.empty_like(dout)
        for t in range(dout.shape[1]):
            dhs, ddec_hs[:, t, :] = attention_backward(enc_hs, attention[t], dcontext[:, t, :])
            denc_hs += dhs
        dout = dout + ddec_hs
    dlstm_in, dh, (g["dec_Wx"], g["dec_Wh"], g["dec_b"]) = lstm_backward(
        dout, dec_cache, p["dec_Wx"], p["dec_Wh"])
    if kind == "peeky":
        dpeek = dpeek + dlstm_in[:, :, :H]
        dlstm_in = dlstm_in[:, :, H:]
        dh = dh + np.sum(dpeek, axis=1)
    g["dec_embed"] = embed_backward(p["dec_embed"], dec_in, dlstm_in)
    denc_hs[:, -1, :] += dh
    demb, _, (g["enc_Wx"], g["enc_Wh"], g["enc_b"]) = lstm_backward(
        denc_hs, enc_cache, p["enc_Wx"], p["enc_Wh"])
    g["enc_embed"] = embed_backward(p["enc_embed"], xs, demb)
    return loss, g


def generate(p, xs, start_id, length, kind):
    """Greedy decoding of a batch, carrying the decoder's LSTM state."""
    enc_hs, _ = encode(p, xs)
    h = enc_hs[:, -1, :]
    N, H = h.shape
    y = np.full(N, start_id)
    hh, c = h, np.zeros((N, H), dtype="f")
    out = []
    for _ in range(length):
        e = embed_forward(p["dec_embed"], y)
        x = np.concatenate((h, e), axis=1) if kind == "peeky" else e
        hh, c, _ = lstm_step(x, hh, c, p["dec_Wx"], p["dec_Wh"], p["dec_b"])
        if kind == "peeky":
            top = np.concatenate((h, hh), axis=1)
        elif kind == "attention":
            top = np.concatenate((attention_forward(enc_hs, hh)[0], hh), axis=1)
        else:
            top = hh
        y = (np.dot(top, p["out_W"]) + p["out_b"]).argmax(axis=1)
        out.append(y)
    return np.stack(out, axis=1)


# --- training -------------------------------------------------------------------------
def clip_grads(grads, max_norm):
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    rate = max_norm / (total + 1e-6)
    if rate < 1:
        for g in grads:
            g *= rate


class BookAdam:
    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr, self.beta1, self.beta2, self.iter = lr, beta1, beta2, 0
        self.m = self.v = None

    def update(self, params, grads):
        if self.m is None:
            self.m = [np.zeros_like(p) for p in params]
            self.v = [np.zeros_like(p) for p in params]
        self.iter += 1
        lr_t = self.lr * np.sqrt(1.0 - self.beta2 ** self.iter) / (1.0 - self.beta1 ** self.iter)
        for p, g, m, v in zip(params, grads, self.m, self.v):
            m += (1 - self.beta1) * (g - m)
            v += (1 - self.beta2) * (g ** 2 - v)
            p -= lr_t * m / (np.sqrt(v) + 1e-7)


ORDER = ["enc_embed", "enc_Wx", "enc_Wh", "enc_b", "dec_embed", "dec_Wx", "dec_Wh",
         "dec_b", "out_W", "out_b"]


def run(ds, stream, kind, epochs, hidden=128, wordvec=16, batch_size=128):
    rng = (book_random_state(len(ds.x_train) + len(ds.x_test)) if stream == "book"
           else np.random.RandomState(int(stream)))
    p = init_params(rng, ds.vocab_size, wordvec, hidden, kind)
    params = [p[k] for k in ORDER]
    adam = BookAdam()
    n = len(ds.x_train)
    accuracies = []
    for _ in range(epochs):
        start = time.perf_counter()
        idx = rng.permutation(np.arange(n))
        x, t = ds.x_train[idx], ds.t_train[idx]
        for i in range(n // batch_size):
            batch = slice(i * batch_size, (i + 1) * batch_size)
            _, g = loss_and_grads(p, x[batch], t[batch], kind)
            grads = [g[k] for k in ORDER]
            clip_grads(grads, 5.0)
            adam.update(params, grads)
        guess = generate(p, ds.x_test, ds.start_id, ds.t_test.shape[1] - 1, kind)
        accuracies.append(100 * float((guess == ds.t_test[:, 1:]).all(axis=1).mean()))
        print(f"  epoch {len(accuracies)}: {accuracies[-1]:.2f}% "
              f"({time.perf_counter() - start:.1f} s)", file=sys.stderr, flush=True)
    return accuracies


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--dataset", default="addition", choices=["addition", "date"])
    parser.add_argument("--model", default="seq2seq", choices=["seq2seq", "peeky", "attention"])
    parser.add_argument("--peeky", dest="model", action="store_const", const="peeky",
                        help="same as --model peeky")
    parser.add_argument("--reverse", action="store_true")
    parser.add_argument("--hidden", type=int, default=128)
    parser.add_argument("--epochs", type=int, default=25)
    parser.add_argument("--streams", nargs="+", default=["book"],
                        help="'book' (the book's own numbers) or integer seeds")
    args = parser.parse_args()
    ds = load_seq_dataset(args.dataset, args.data_dir, reverse=args.reverse)
    label = args.model + (" reversed" if args.reverse else "")
    for stream in args.streams:
        accuracies = run(ds, stream, args.model, args.epochs, hidden=args.hidden)
        print(f"numpy reference {label} on {args.dataset} stream {stream}: "
              + ", ".join(f"{a:.2f}" for a in accuracies), flush=True)


if __name__ == "__main__":
    main()
