"""Fused recurrent ops: one LSTM time step, and a whole LSTM layer over a sequence.

``lstm_step`` is one time step (recurrent matmul + gates) as one op: the
unrolled graph of an LSTM is one such node per step (step-by-step decoding,
graph pictures, ONNX export). ``lstm_sequence`` is the whole layer over all
time steps as one op (what sequence layers train with): the same arithmetic
per step, but the recurrent weight gradient is one matrix product over all
steps. Both are FusedFunctions: their backward works on arrays, they are not
twice differentiable, and they are gradient-checked in the registry like
every other op (and compared with torch.autograd).
"""
import numpy as np

from autograd_nlp import cuda_kernels, jit, threads, workspace
from autograd_nlp.backend import device_of, get_array_module, to_device
from autograd_nlp.core import FusedFunction, ShapeError, Variable
from autograd_nlp.functions.nn import check_ids_in_range, scatter_add_rows
from autograd_nlp.functions.registry import custom, register


class LSTMStep(FusedFunction):
    """Inputs x_proj (batch, 4H), c_prev (batch, H), Wh (H, 4H) and, unless
    the previous state is the zero initial state, h_prev (batch, H).
    Outputs h, c (batch, H). Gates are ordered [forget, input, output,
    candidate].

    On the CPU the gate activations are kept gate-major, (4, batch, H), so
    each gate is one contiguous block: NumPy's elementwise ops on the column
    blocks of a (batch, 4H) array are strided and ran about 3x slower (about
    a third of a step at hidden 256 was elementwise work). Reading the
    pre-activations into that layout is fused with adding x_proj, and one
    copy at the end of backward gives the (batch, 4H) gate gradients back;
    every arithmetic operation is the same as before, so results are
    bit-identical. Measured (forward + backward of one step, thread CPU time,
    alternating with the (batch, 4H) version): 0.81x the time at batch 128 x
    hidden 128 (seq2seq), 0.93x at 128 x 256 (attention), 0.78x at 20 x 100
    (Rnnlm), 1.00x at 20 x 650 (BetterRnnlm, where the matmuls dominate)."""

    output_names = ("h", "c")          # how graph pictures label the outputs

    def forward(self, x_proj, c_prev, Wh, h_prev=None):
        H = c_prev.shape[-1]
        if x_proj.shape[-1] != 4 * H or Wh.shape != (H, 4 * H) or \
                x_proj.shape[:-1] != c_prev.shape[:-1]:
            raise ShapeError(f"LSTMStep: x_proj {x_proj.shape} must be (batch, 4H) and Wh "
                             f"{Wh.shape} (H, 4H) for a cell state of shape {c_prev.shape}")
        xp = get_array_module(x_proj)
        if xp is not np and cuda_kernels.usable(x_proj, c_prev):
            act = x_proj.copy(order="C")
            h, c, tanh_c = cuda_kernels.lstm_forward(act, c_prev, h_prev, Wh)  # one kernel
            self.saved = (act, tanh_c, False)
            return h, c
        batch = c_prev.shape[0]
        act = xp.empty((4, batch, H), dtype=x_proj.dtype)       # gate-major
        gates_forward, cell_forward = _step_forward(x_proj, c_prev, Wh, h_prev)
        gates_forward(xp, act, x_proj, h_prev, Wh)
        h, c, tanh_c = (xp.empty_like(c_prev) for _ in range(3))
        cell_forward(xp, act, c_prev, h, c, tanh_c)
        self.saved = (act, tanh_c, True)
        return h, c

    def backward_arrays(self, dh, dc):
        if self.saved is None:
            raise RuntimeError("LSTMStep: backward through the same graph a second time; "
                               "the fused LSTM step frees its saved activations after the "
                               "first backward (run the forward again)")
        act, tanh_c, gate_major = self.saved
        self.saved = None          # act is overwritten with the gate gradients below
        inputs = self.inputs
        c_prev = inputs[1].data
        H = c_prev.shape[-1]
        xp = get_array_module(act)
        batch = c_prev.shape[0]
        if not gate_major:                            # the forward ran the CUDA kernel
            if cuda_kernels.usable(act, c_prev, dh, dc):
                return self._gradients(act, cuda_kernels.lstm_backward(act, tanh_c, c_prev,
                                                                       dh, dc))
            act = xp.ascontiguousarray(act.reshape(batch, 4, H).transpose(1, 0, 2))
        elif jit.usable(act, tanh_c, c_prev, dh, dc):     # one numba loop (jit.py)
            dgates = xp.empty((batch, 4 * H), dtype=act.dtype)
            dc_prev = jit.lstm.gates_backward(act, tanh_c, c_prev, dh, dc, dgates)
            return self._gradients(dgates, dc_prev)
        dc_prev = _gates_backward(xp, act, tanh_c, c_prev, dh, dc)
        dgates = act.transpose(1, 0, 2).reshape(batch, 4 * H)   # a copy: (batch, 4H)
        return self._gradients(dgates, dc_prev)

    def _gradients(self, dgates, dc_prev):
        """(d x_proj, d c_prev, d Wh[, d h_prev]) from the gate gradients."""
        inputs = self.inputs
        xp = get_array_module(dgates)
        Wh = inputs[2].data
        grads = [dgates, dc_prev, None]
        if len(inputs) == 4:                      # recurrent part: h_prev @ Wh
            h_prev = inputs[3].data
            grads[2] = h_prev.T @ dgates if inputs[2].requires_grad else None
            grads.append(_times_wh_transposed(xp, dgates, Wh)
                         if inputs[3].requires_grad else None)
        return tuple(grads)


class LSTMSequence(FusedFunction):
    """The whole LSTM layer over a sequence (the book's TimeLSTM) as one op.
    Inputs xs (batch, time, D), Wx (D, 4H), Wh (H, 4H), b (4H,) and, unless
    the initial state is zero, h0 and c0 (batch, H). Outputs hs (batch, time,
    H) and the final h, c (batch, H). Gates [forget, input, output, candidate].

    Why: an unrolled LSTM adds one ``h_prev.T @ dgates`` product per step to
    Wh's gradient; here it is one product over all steps, (H, time * batch) @
    (time * batch, 4H), which BLAS runs far faster when batch is small. The
    input projection, its gradients and the per-step states live in
    time-major buffers, so no per-step slices are stacked or unstacked, and
    the graph holds one node per layer call instead of one per step. b may
    also be (batch, 4H), a bias per batch row (the peeky decoder's input that
    is the same at every step, projected once: layers/recurrent.py). Per
    step the arithmetic is that of ``LSTMStep`` (gate-major on the CPU, the
    fused CUDA kernels on a GPU). On the CPU the batch's rows may run in
    blocks on several threads, each block the whole loop (threads.py).
    With ``lengths`` (``LSTMSequence(lengths)``) row i reads only its first
    lengths[i] steps: the rows are reordered longest first (``_Ragged``) and
    each step computes only the rows still reading. With ``ids``
    (``LSTMSequence(lengths, ids)``) xs is an embedding table (vocab, D)
    read at ids (batch, time): ``_project_ids`` and ``_table_gradients``.
    Measured (``benchmarks/lstm_layer.py``: forward + backward of the layer,
    thread CPU time, medians of alternating rounds against the unrolled
    layer): 0.88x the time at batch 128 x 7 steps x hidden 128 (seq2seq),
    0.89x at 128 x 29 x 256 (attention's encoder), 0.79x at 20 x 5 x 100
    (Rnnlm), 0.79x at 20 x 35 x 650 (BetterRnnlm)."""

    output_names = ("hs", "h", "c")    # how graph pictures label the outputs

    def __init__(self, lengths=None, ids=None):
        # (batch,) steps each row reads (None: all): see lstm_sequence
        self.lengths = lengths
        # (batch, time) token ids when xs is an embedding table: see lstm_sequence
        self.ids = ids

    def forward(self, xs, Wx, Wh, b, h0=None, c0=None):
        H = Wh.shape[0]
        ids = self.ids
        if ids is None:
            if xs.ndim != 3:
                raise ShapeError(f"LSTMSequence: xs {xs.shape} must be (batch, time, D)")
            B, T, D = xs.shape
        else:               # xs is an embedding table (vocab, D), read at ids
            if xs.ndim != 2 or ids.ndim != 2:
                raise ShapeError(f"LSTMSequence: with ids, xs {xs.shape} must be an "
                                 f"embedding table (vocab, D) and ids {ids.shape} "
                                 f"(batch, time)")
            (B, T), D = ids.shape, xs.shape[1]
        if Wx.shape != (D, 4 * H) or Wh.shape != (H, 4 * H) or b.shape not in ((4 * H,),
                                                                                (B, 4 * H)):
            raise ShapeError(f"LSTMSequence: xs {xs.shape} must be (batch, time, D), Wx "
                             f"{Wx.shape} (D, 4H), Wh {Wh.shape} (H, 4H) and b {b.shape} (4H,) "
                             f"or (batch, 4H)")
        if (h0 is None) != (c0 is None) or (h0 is not None and (
                h0.shape != (B, H) or c0.shape != (B, H))):
            raise ShapeError(f"LSTMSequence: the initial state must be both h0 and c0 of "
                             f"shape (batch, H) = {(B, H)} or neither (zeros); got "
                             f"{None if h0 is None else h0.shape} and "
                             f"{None if c0 is None else c0.shape}")
        xp = get_array_module(xs)
        # the batch's rows in blocks, one thread each (threads.py); decided
        # before the first product, since splitting sets BLAS to one thread
        blocks = threads.row_blocks(B, steps=T) if xp is np else [slice(0, B)]
        ragged = None if self.lengths is None else _Ragged(self.lengths, B, T, blocks)
        if ragged is not None:          # rows by length within each block (_Ragged)
            h0, c0 = ragged.rows(h0), ragged.rows(c0)
            b = ragged.rows(b) if b.ndim == 2 else b
            if ids is None:
                xs = ragged.rows(xs)
            else:
                ids = ragged.rows(ids)
        dtype = np.result_type(xs.dtype, Wx.dtype)
        if ids is not None:             # the table's projection, looked up (_project_ids)
            x_tm, proj = _project_ids(xp, xs, ids, Wx, b, dtype)
        elif xp is np:      # buffers reused between steps (workspace.py: no page faults)
            x_tm = workspace.take((T, B, D), xs.dtype)
            np.copyto(x_tm, xs.transpose(1, 0, 2))                    # (time, batch, D)
            proj = workspace.take((T, B, 4 * H), dtype)
            threads.matmul(x_tm.reshape(T * B, D), Wx, out=proj.reshape(T * B, 4 * H))
            proj += b
        else:
            x_tm = xp.ascontiguousarray(xs.transpose(1, 0, 2))
            proj = (x_tm.reshape(T * B, D) @ Wx).reshape(T, B, 4 * H)
            proj += b
        if xp is np:
            hs, cs, tanh_cs = (workspace.take((T, B, H), dtype) for _ in range(3))
        else:
            hs, cs, tanh_cs = (xp.empty((T, B, H), dtype=proj.dtype) for _ in range(3))
        kernels = ragged is None and cuda_kernels.usable(proj, Wh, h0, c0)
        if kernels:
            self._forward_cuda(xp, proj, Wh, h0, c0, hs, cs, tanh_cs)
            acts = [proj]
        else:
            # each row block with its own gate-major activations (time, 4, rows, H)
            acts = [workspace.take((T, 4, r.stop - r.start, H), proj.dtype) if xp is np
                    else xp.empty((T, 4, B, H), dtype=proj.dtype) for r in blocks]
            # h @ Wh of each step, into one buffer per block
            recs = [None if T < 2 else workspace.take((r.stop - r.start, 4 * H), proj.dtype)
                    if xp is np else xp.empty((B, 4 * H), dtype=proj.dtype) for r in blocks]
            gates_forward, cell_forward = _step_forward(proj, Wh, h0, c0)

            def run(k, rows):
                act, rec = acts[k], recs[k]
                h, c = _row_slice(h0, rows), _row_slice(c0, rows)
                for t in range(T):
                    n = rows.stop - rows.start if ragged is None else ragged.active[k][t]
                    if n == rows.stop - rows.start:
                        gates_forward(xp, act[t], proj[t, rows], h, Wh, rec)
                        cell_forward(xp, act[t], c, hs[t, rows], cs[t, rows], tanh_cs[t, rows])
                    else:       # the block's first n rows still read; the others are done
                        run_rows = slice(rows.start, rows.start + n)
                        if n:
                            gates_forward(xp, act[t][:, :n], proj[t, run_rows],
                                          _row_slice(h, slice(0, n)), Wh,
                                          _row_slice(rec, slice(0, n)))
                            cell_forward(xp, act[t][:, :n], _row_slice(c, slice(0, n)),
                                         hs[t, run_rows], cs[t, run_rows],
                                         tanh_cs[t, run_rows])
                        hs[t, rows.start + n:rows.stop] = 0
                    h, c = hs[t, rows], cs[t, rows]

            threads.run_blocks(blocks, run)
            workspace.give(*recs)
        if ragged is not None:
            h_last, c_last = ragged.final_states(hs, cs, h0, c0)
            out = ragged.back(hs.transpose(1, 0, 2))            # the caller's row order
        elif T == 0:
            zeros = xp.zeros((B, H), dtype=proj.dtype)
            h_last, c_last = (zeros, zeros.copy()) if h0 is None else (h0.copy(), c0.copy())
            out = xp.ascontiguousarray(hs.transpose(1, 0, 2))
        else:
            h_last, c_last = hs[-1].copy(), cs[-1].copy()
            out = xp.ascontiguousarray(hs.transpose(1, 0, 2))
        # hs goes back to the workspace after backward unless the output is a view of it
        self.saved = (x_tm, acts, blocks, hs, cs, tanh_cs, kernels,
                      xp is np and out.base is None, ragged, h0, c0)
        if not kernels:
            workspace.give(proj)
        return out, h_last, c_last

    @staticmethod
    def _forward_cuda(xp, proj, Wh, h0, c0, hs, cs, tanh_cs):
        """The forward's time loop with the fused CUDA kernels (proj[t]
        becomes step t's activations)."""
        T, B, H = hs.shape
        in_kernel = cuda_kernels.recurrent_product_in_kernel(B, H)
        rec = None if in_kernel or T < 2 else xp.empty((B, 4 * H), dtype=proj.dtype)
        h, c = h0, c0
        for t in range(T):
            if in_kernel:         # one launch: h @ Wh and the gates
                cuda_kernels.lstm_forward(proj[t], c, h, Wh, out=(hs[t], cs[t], tanh_cs[t]))
            else:                 # two: h @ Wh by cuBLAS, then the gates
                cuda_kernels.lstm_forward(proj[t], c, rec=None if h is None else
                                          xp.matmul(h, Wh, out=rec),
                                          out=(hs[t], cs[t], tanh_cs[t]))
            h, c = hs[t], cs[t]

    def backward_arrays(self, dhs, dh_last, dc_last):
        if self.saved is None:
            raise RuntimeError("LSTMSequence: backward through the same graph a second "
                               "time; the fused LSTM layer frees its saved activations "
                               "after the first backward (run the forward again)")
        x_tm, acts, blocks, hs, cs, tanh_cs, kernels, hs_private, ragged, h0, c0 = self.saved
        self.saved = None          # act is overwritten with the gate gradients below
        inputs = self.inputs
        Wx, Wh = inputs[1].data, inputs[2].data
        has_state = len(inputs) == 6
        if ragged is not None:      # the gradients in the forward's row order
            dhs, dh_last, dc_last = (ragged.rows(g) for g in (dhs, dh_last, dc_last))
        T, B, H = tanh_cs.shape
        xp = get_array_module(tanh_cs)
        if xp is np:     # a final state's gradient may arrive as a strided slice
            dh_last, dc_last = (None if g is None else np.ascontiguousarray(g)
                                for g in (dh_last, dc_last))
        if kernels:
            dX = acts[0]
            dh, dc = self._backward_cuda(xp, dX, tanh_cs, cs, c0, Wh, dhs, dh_last, dc_last,
                                         has_state)
        else:
            dX = (workspace.take((T, B, 4 * H), tanh_cs.dtype) if xp is np
                  else xp.empty((T, B, 4 * H), dtype=tanh_cs.dtype))
            dh, dc, dhs_steps = self._backward_steps(xp, dX, acts, blocks, tanh_cs, cs, c0, Wh,
                                                     dhs, dh_last, dc_last, has_state,
                                                     ragged)
        dX2 = dX.reshape(T * B, 4 * H)
        grads = [None, None, None, None]
        # the products over all steps (split between threads where large: threads.py)
        matmul = threads.matmul          # (CuPy's arrays pass to their own @)
        if self.ids is not None:        # x_tm: the ids (time, batch); xs: the table
            grads[0], grads[1] = _table_gradients(xp, x_tm, self.ids, dX, ragged, inputs[0],
                                                  inputs[1])
            x_tm = None             # (not the workspace's)
        else:
            D = x_tm.shape[-1]
            if inputs[0].requires_grad:
                dxs = matmul(dX2, Wx.T).reshape(T, B, D).transpose(1, 0, 2)
                grads[0] = xp.ascontiguousarray(dxs) if ragged is None else ragged.back(dxs)
            if inputs[1].requires_grad:
                grads[1] = matmul(x_tm.reshape(T * B, D).T, dX2)
        if inputs[2].requires_grad:
            dWh = matmul(hs[:-1].reshape(-1, H).T, dX[1:].reshape(-1, 4 * H))
            if has_state and T:
                dWh += h0.T @ dX[0]
            grads[2] = dWh
        if inputs[3].requires_grad:     # b (4H,), or one row per batch row (batch, 4H)
            grads[3] = dX2.sum(axis=0) if inputs[3].data.ndim == 1 else dX.sum(axis=0)
            if ragged is not None and grads[3].ndim == 2:
                grads[3] = ragged.back(grads[3])
        if has_state:
            grads += [dh, dc] if ragged is None else [ragged.back(g) for g in (dh, dc)]
        if not kernels:             # nothing reads these any more
            workspace.give(x_tm, *acts, cs, tanh_cs, dX, dhs_steps,
                           hs if hs_private else None)
        return tuple(grads)

    @staticmethod
    def _backward_steps(xp, dX, acts, blocks, tanh_cs, cs, c0, Wh, dhs, dh_last, dc_last,
                        has_state, ragged=None):
        """The backward's time loop on the CPU (or without the CUDA kernels),
        each row block of the forward on its own thread: the gate gradients
        into dX (time, batch, 4H); returns the gradients reaching h0 and c0
        (None without an initial state) and the time-major copy of dhs it
        made (or None), for the workspace. With ``ragged`` the rows that
        were done at a step are skipped there (their dX rows are 0)."""
        T, B, H = tanh_cs.shape
        # (dhs may be any NumPy array, a strided slice too: it is copied once,
        # time-major and in act's dtype, instead of a strided copy per step)
        use_jit = (dhs is None or type(dhs) is np.ndarray) and \
            jit.usable(acts[0], Wh, dh_last, dc_last, c0)
        dhs_steps = None
        if use_jit and dhs is not None:
            dhs_steps = workspace.take((T, B, H), acts[0].dtype)
            np.copyto(dhs_steps, dhs.transpose(1, 0, 2))
        finals = [None] * len(blocks)
        times_wh_t = _times_wh_transposed_by(xp, Wh)     # dh_prev of a step

        def run(k, rows):
            act, dh, dc = acts[k], _row_slice(dh_last, rows), _row_slice(dc_last, rows)
            if ragged is not None:
                finals[k] = _ragged_backward_steps(xp, dX, act, ragged.active[k], rows,
                                                   tanh_cs, cs, c0, times_wh_t, dhs, dhs_steps,
                                                   dh, dc, use_jit, has_state)
                return
            for t in range(T - 1, -1, -1):
                c_prev = cs[t - 1, rows] if t else _row_slice(c0, rows)
                if use_jit:       # one numba loop, gate gradients straight into dX[t]
                    dc = jit.lstm.gates_backward(act[t], tanh_cs[t, rows], c_prev, dh, dc,
                                                 dX[t, rows],
                                                 None if dhs_steps is None else
                                                 dhs_steps[t, rows])
                else:
                    if dhs is not None:
                        dh = dhs[rows, t] if dh is None else dh + dhs[rows, t]
                    dc = _gates_backward(xp, act[t], tanh_cs[t, rows], c_prev, dh, dc)
                    dX[t, rows].reshape(-1, 4, H)[...] = act[t].transpose(1, 0, 2)
                if t or has_state:
                    dh = times_wh_t(dX[t, rows])
            finals[k] = (dh, dc)

        threads.run_blocks(blocks, run)
        if not has_state:
            return None, None, dhs_steps
        if len(blocks) == 1:
            return finals[0] + (dhs_steps,)
        dh, dc = ([f[i] for f in finals] for i in (0, 1))
        return (None if dh[0] is None else xp.concatenate(dh),
                None if dc[0] is None else xp.concatenate(dc), dhs_steps)

    @staticmethod
    def _backward_cuda(xp, act, tanh_cs, cs, c0, Wh, dhs, dh_last, dc_last, has_state):
        """The backward's time loop with the fused CUDA kernels: act (time,
        batch, 4H) becomes the gate gradients; returns the gradients
        reaching h0 and c0."""
        T, B, H = tanh_cs.shape
        in_kernel = cuda_kernels.recurrent_product_in_kernel(B, H)
        dhs_tm = None if dhs is None else xp.ascontiguousarray(dhs.transpose(1, 0, 2))
        dc_buffers = [xp.empty((B, H), dtype=act.dtype) for _ in range(2)]
        dh_buffer = xp.empty((B, H), dtype=act.dtype)
        WhT = xp.ascontiguousarray(Wh.T) if in_kernel else None
        dh, dc = dh_last, dc_last
        for t in range(T - 1, -1, -1):
            c_prev = cs[t - 1] if t else c0
            # one launch per step (the product with the next step's gate
            # gradients summed in the kernel), or two (cuBLAS, then the kernel)
            nxt = in_kernel and t < T - 1
            dc = cuda_kernels.lstm_backward(act[t], tanh_cs[t], c_prev, dh, dc,
                                            None if dhs_tm is None else dhs_tm[t],
                                            act[t + 1] if nxt else None, WhT,
                                            dc_buffers[t % 2])
            # dh_prev for the step before (its kernel sums it itself when
            # in_kernel), or for the initial state
            needs_dh = has_state if t == 0 else not in_kernel
            dh = xp.matmul(act[t], Wh.T, out=dh_buffer) if needs_dh else None
        return dh, dc


def _row_slice(array, rows):
    """array[rows], or None for None (a zero state or gradient)."""
    return None if array is None else array[rows]


def checked_lengths(lengths, batch, steps, who):
    """``lengths`` as a NumPy int array (batch,) of values in 0..steps (the
    steps each row reads; a list or a device array is fine), or a
    ShapeError naming ``who``."""
    lengths = np.asarray(to_device(lengths, "cpu"))
    if lengths.shape != (batch,) or lengths.dtype.kind not in "iu" or (
            batch and (lengths.min() < 0 or lengths.max() > steps)):
        raise ShapeError(f"{who}: lengths must be (batch,) = ({batch},) integers in "
                         f"0..{steps} (the steps each row reads), got {lengths.dtype} "
                         f"{lengths.shape}"
                         + (f" from {lengths.min()} to {lengths.max()}"
                            if lengths.size and lengths.dtype.kind in "iuf" else ""))
    return lengths


class _Ragged:
    """Rows that read different numbers of steps (``lengths``, (batch,)),
    ordered so that at every step the rows still reading come first in each
    row block: the rows sorted by length, longest first, dealt in turn to
    the blocks (which so get equal work). ``rows(a)`` puts a's batch axis
    (axis 0) in that order, ``inverse`` puts it back; ``active[k][t]`` is
    how many rows of block k read step t; ``back(a)`` puts them back."""

    def __init__(self, lengths, batch, steps, blocks):
        lengths = checked_lengths(lengths, batch, steps, "LSTMSequence")
        longest_first = np.argsort(-lengths, kind="stable")
        within = np.concatenate([np.arange(r.stop - r.start) for r in blocks] or [[]])
        self.order = np.empty(batch, dtype=np.int64)
        self.order[np.argsort(within, kind="stable")] = longest_first
        self.inverse = np.argsort(self.order)
        self.lengths = lengths[self.order]
        reads = self.lengths[None, :] > np.arange(steps)[:, None]          # (steps, batch)
        self.active = [reads[:, r].sum(axis=1).tolist() for r in blocks]

    def rows(self, array):
        """array with its rows (axis 0) in the forward's order (None: None)."""
        return _take_rows(array, self.order)

    def back(self, array):
        """array's rows (axis 0) from the forward's order back to the caller's."""
        return _take_rows(array, self.inverse)

    def final_states(self, hs, cs, h0, c0):
        """Each row's (h, c) after its last step (its initial state if it
        reads none), in the caller's row order: (batch, H) each."""
        xp, device = get_array_module(hs), device_of(hs)
        batch, H = hs.shape[1], hs.shape[2]
        last = to_device(np.maximum(self.lengths - 1, 0), device)
        rows = xp.arange(batch)
        empty = np.flatnonzero(self.lengths == 0)
        finals = []
        for seq, start in ((hs, h0), (cs, c0)):
            final = seq[last, rows] if seq.shape[0] else xp.zeros((batch, H), seq.dtype)
            if empty.size:
                empty_rows = to_device(empty, device)
                final[empty_rows] = 0 if start is None else start[empty_rows]
            finals.append(self.back(final))
        return tuple(finals)


def _project_ids(xp, table, ids, Wx, b, dtype):
    """The input projection when step t of row i reads table[ids[i, t]]
    (table (vocab, D), ids (batch, time)): (ids time-major (time, batch),
    proj (time, batch, 4H)). proj's rows are looked up in the table's own
    projection table @ Wx (+ b) (vocab, 4H), made once: a lookup of
    (time * batch) rows instead of a (time * batch, D) @ (D, 4H) product and
    a pass adding b (1.7 against 3.3 ms for the attention encoder's 3,712
    rows, D = 16, 4H = 1,024). A per-row b (batch, 4H) is added after."""
    (B, T), G = ids.shape, Wx.shape[1]
    ids_tm = xp.ascontiguousarray(ids.T)
    table_proj = (table @ Wx).astype(dtype, copy=False)
    if b.ndim == 1:
        table_proj += b
    if xp is np:
        proj = workspace.take((T, B, G), dtype)
        np.take(table_proj, ids_tm, axis=0, out=proj)
    else:
        proj = table_proj[ids_tm]
    if b.ndim == 2:
        proj += b
    return ids_tm, proj


def _table_gradients(xp, ids_tm, ids, dX, ragged, table, Wx):
    """The gradients of the embedding table (vocab, D) and of Wx (D, 4H)
    (None where not required) from the gate gradients dX (time, batch, 4H)
    of the rows read at ``ids_tm`` (time, batch) (the forward's row order;
    ``ids`` (batch, time) is the caller's, ``ragged`` maps between them).
    With numba (or on a device), dX is first summed per id into (vocab, 4H),
    and both follow from that small array by two small products (0.4
    against 4.5 ms of products for the attention encoder;
    ``kernels/row_sums.py``). The NumPy path has no fast per-id sum of wide
    rows, so it computes what the layer over ``embedding(table, ids)``
    computes, in its order: the input's gradient dX @ Wx.T scattered into
    the table's rows, and the inputs' rows' transpose @ dX (the same numbers
    bit for bit; the two ways agree to rounding)."""
    if not (table.requires_grad or Wx.requires_grad):
        return None, None
    E, W = table.data, Wx.data
    T, B, G = dX.shape
    dX = dX.reshape(T * B, G)
    if xp is not np or jit.usable(dX, E, W):
        if xp is np:
            per_id = np.zeros((E.shape[0], G), dtype=dX.dtype)
            jit.row_sums.add_rows_by_id(ids_tm.reshape(-1), dX, per_id)
        else:
            per_id = scatter_add_rows(ids_tm.reshape(-1), dX, E.shape[0])
        return (per_id @ W.T if table.requires_grad else None,
                E.T @ per_id if Wx.requires_grad else None)
    grad_table = grad_Wx = None
    if table.requires_grad:     # the inputs' gradient (batch, time, D), as the caller's rows
        dxs = threads.matmul(dX, W.T).reshape(T, B, W.shape[0]).transpose(1, 0, 2)
        dxs = np.ascontiguousarray(dxs) if ragged is None else ragged.back(dxs)
        grad_table = scatter_add_rows(ids.reshape(-1), dxs.reshape(T * B, W.shape[0]),
                                      E.shape[0])
    if Wx.requires_grad:
        grad_Wx = threads.matmul(E[ids_tm.reshape(-1)].T, dX)
    return grad_table, grad_Wx


def _take_rows(array, index):
    """array[index] along axis 0, the index moved to array's device (None: None)."""
    if array is None:
        return None
    return array[to_device(index, device_of(array))]


def _ragged_backward_steps(xp, dX, act, active, rows, tanh_cs, cs, c0, times_wh_t, dhs,
                           dhs_steps, dh_last, dc_last, use_jit, has_state):
    """The backward's time loop for one row block of a ragged batch: at step
    t only the block's first ``active[t]`` rows (those that read it); a row
    done earlier keeps the gradient of its final state until the loop
    reaches its last step. ``times_wh_t``: see ``_times_wh_transposed_by``.
    Returns the gradients reaching h0, c0 (block rows)."""
    T, H = tanh_cs.shape[0], tanh_cs.shape[2]
    n_rows = rows.stop - rows.start
    shape, dtype = (n_rows, H), tanh_cs.dtype
    dh = xp.zeros(shape, dtype) if dh_last is None else dh_last.copy()
    dc = xp.zeros(shape, dtype) if dc_last is None else dc_last.copy()
    for t in range(T - 1, -1, -1):
        n = active[t]
        dX[t, rows.start + n:rows.stop] = 0
        if not n:
            continue
        run = slice(rows.start, rows.start + n)
        a = act[t] if n == n_rows else act[t][:, :n]
        c_prev = cs[t - 1, run] if t else _row_slice(c0, run)
        if use_jit:
            dc[:n] = jit.lstm.gates_backward(a, tanh_cs[t, run], c_prev, dh[:n], dc[:n],
                                             dX[t, run],
                                             None if dhs_steps is None else dhs_steps[t, run])
        else:
            dh_t = dh[:n] if dhs is None else dh[:n] + dhs[run, t]
            dc[:n] = _gates_backward(xp, a, tanh_cs[t, run], c_prev, dh_t, dc[:n])
            dX[t, run].reshape(-1, 4, H)[...] = a.transpose(1, 0, 2)
        if t or has_state:
            dh[:n] = times_wh_t(dX[t, run])
    return dh, dc


def _times_wh_transposed_by(xp, Wh):
    """The function dgates (rows, 4H) -> dh_prev = dgates @ Wh.T (rows, H)
    that the sequence's backward calls at every step, prepared once per
    backward. On the CPU it multiplies by a C-contiguous copy of Wh.T, as
    OpenBLAS multiplies two C-ordered operands faster (the layer's backward,
    thread CPU time, medians of 7 alternating rounds against
    ``_times_wh_transposed``: 0.94-0.97x at batch 128 x hidden 128 and 256,
    0.94x at 20 x 100). The copy takes 16 rows of Wh at a time: a plain
    transposing copy reads Wh down its columns, whose stride at H = 128 or
    256 is a multiple of 2 KiB and maps them onto a few cache sets (149
    against 31 us at H = 128). A Wh above 2^20 entries (BetterRnnlm's 650 x
    2600) is not copied: there the copy cost more than it saved (1.02x)."""
    if xp is not np or Wh.size > 1 << 20:
        return lambda dgates: _times_wh_transposed(xp, dgates, Wh)
    H = Wh.shape[0]
    WhT = np.empty((Wh.shape[1], H), dtype=Wh.dtype)
    for i in range(0, H, 16):
        WhT[:, i:i + 16] = Wh[i:i + 16].T
    return lambda dgates: dgates @ WhT


def _times_wh_transposed(xp, dgates, Wh):
    """dh_prev = dgates @ Wh.T, (batch, 4H) @ (4H, H). On the CPU it is
    computed as (Wh @ dgates.T).T, made contiguous: OpenBLAS runs that
    orientation of the same product faster when batch is small (thread CPU
    time, medians: 1.20 against 2.00 ms at batch 20 x hidden 650, 0.76
    against 0.87 ms at 128 x 256, 0.21 against 0.22 ms at 128 x 128)."""
    if xp is not np:
        return dgates @ Wh.T
    return np.ascontiguousarray((Wh @ dgates.T).T)


def _step_forward(*arrays):
    """The per-step forward helpers for ``arrays``: numba's fused loops
    (jit.py: NumPy's arithmetic in its order, bit-identical) where they
    apply, else the NumPy ones below."""
    if jit.usable(*arrays):
        return jit.lstm.gates_forward, jit.lstm.cell_forward
    return _gates_forward, _cell_forward


def _gates_forward(xp, act, proj, h, Wh, rec=None):
    """act (4, batch, H) <- one step's activated gates from its input
    projection proj (batch, 4H) plus h @ Wh (skipped when h is None, the zero
    state; computed into ``rec`` (batch, 4H) when given); sigmoid as
    0.5 tanh(x / 2) + 0.5 (stable)."""
    B, H = act.shape[1], act.shape[2]
    by_gate = proj.reshape(B, 4, H).transpose(1, 0, 2)
    if h is None:
        act[...] = by_gate
    else:
        rec = h @ Wh if rec is None else xp.matmul(h, Wh, out=rec)
        xp.add(rec.reshape(B, 4, H).transpose(1, 0, 2), by_gate, out=act)
    sig = act[:3]
    sig *= 0.5
    xp.tanh(act, out=act)
    sig *= 0.5
    sig += 0.5


def _cell_forward(xp, act, c_prev, h, c, tanh_c):
    """One step's cell update from its activated gates act (4, batch, H):
    c = f * c_prev + i * g, h = o * tanh(c), written into h, c and tanh_c
    (batch, H). c_prev None is the zero state."""
    f, i, o, g = act
    if c_prev is None:
        xp.multiply(i, g, out=c)
    else:
        xp.multiply(f, c_prev, out=c)
        c += i * g
    xp.tanh(c, out=tanh_c)
    xp.multiply(o, tanh_c, out=h)


def _gates_backward(xp, act, tanh_c, c_prev, dh, dc):
    """One step's backward on its gate-major activations act (4, batch, H),
    overwritten with the gate gradients; returns dc_prev. dh, dc or c_prev
    may be None (zero)."""
    f, i, o, g = act
    if dh is None:
        ds = xp.zeros_like(tanh_c) if dc is None else dc.copy()
        o[...] = 0
    else:
        ds = tanh_c * tanh_c                      # ds = dc + dh * o * (1 - tanh(c)^2)
        xp.subtract(1, ds, out=ds)
        ds *= o
        ds *= dh
        if dc is not None:
            ds += dc
        o *= 1 - o                                # d o-gate = dh * tanh(c) * o (1 - o)
        o *= dh
        o *= tanh_c
    dc_prev = ds * f
    if c_prev is None:                            # zero initial cell state
        f[...] = 0
    else:
        f *= 1 - f                                # d f-gate = ds * c_prev * f (1 - f)
        f *= ds
        f *= c_prev
    ds_i = ds * i
    i *= 1 - i                                    # d i-gate = ds * g * i (1 - i)
    i *= ds
    i *= g
    xp.multiply(g, g, out=g)                      # d candidate = ds * i * (1 - g^2)
    xp.subtract(1, g, out=g)
    g *= ds_i
    return dc_prev


def _torch_lstm_step(t, x_proj, c_prev, Wh, h_prev=None):
    H = c_prev.shape[-1]
    gates = x_proj if h_prev is None else x_proj + h_prev @ Wh
    f, i, o = (t.sigmoid(gates[:, k * H:(k + 1) * H]) for k in range(3))
    c = f * c_prev + i * t.tanh(gates[:, 3 * H:])
    return o * t.tanh(c), c


def _lstm_case(with_h, batch=3):
    def make(rng):
        arrays = (rng.standard_normal((batch, 8)), rng.standard_normal((batch, 2)),
                  rng.standard_normal((2, 8)))
        return arrays + ((rng.standard_normal((batch, 2)),) if with_h else ()), {}
    return make


@register("lstm_step", {"with-state": custom(_lstm_case(True)),
                        "zero-state": custom(_lstm_case(False))},
          zero_size={"batch": custom(_lstm_case(True, batch=0))},
          twice_differentiable=False, torch=_torch_lstm_step)
def lstm_step(x_proj, c_prev, Wh, h_prev=None):
    """One LSTM step: gates = x_proj + h_prev @ Wh (x_proj = x @ Wx + b, done
    for all steps at once by the sequence layer), then the cell update.
    ``h_prev=None`` means the zero initial state (the matmul is skipped).
    x_proj (batch, 4H), c_prev (batch, H), Wh (H, 4H) -> h, c (batch, H)."""
    if h_prev is None:
        return LSTMStep()(x_proj, c_prev, Wh)
    return LSTMStep()(x_proj, c_prev, Wh, h_prev)


def _torch_lstm_sequence(t, xs, Wx, Wh, b, h0=None, c0=None, lengths=None, ids=None):
    if ids is not None:                 # xs is the embedding table
        xs = xs[t.as_tensor(np.asarray(ids))]
    batch, H = xs.shape[0], Wh.shape[0]
    h = h0 if h0 is not None else t.zeros(batch, H, dtype=xs.dtype)
    c = c0 if c0 is not None else t.zeros(batch, H, dtype=xs.dtype)
    hs = []
    for k in range(xs.shape[1]):
        h_new, c_new = _torch_lstm_step(t, xs[:, k] @ Wx + b, c, Wh, h)
        if lengths is None:
            h, c = h_new, c_new
            hs.append(h)
        else:                   # a row past its length keeps its state, outputs 0
            reads = t.as_tensor(np.asarray(lengths) > k)[:, None]
            h, c = t.where(reads, h_new, h), t.where(reads, c_new, c)
            hs.append(t.where(reads, h_new, t.zeros_like(h_new)))
    hs = t.stack(hs, dim=1) if hs else t.zeros(batch, 0, H, dtype=xs.dtype)
    return hs, h, c


def _sequence_case(with_state, batch=3, time=4, row_bias=False, lengths=None, vocab=None):
    """lstm_sequence's inputs; with ``vocab``, xs is an embedding table
    (vocab, 3) read at random ids (every id once at least where there are
    enough steps, and some twice)."""
    def make(rng):
        xs = (rng.standard_normal((batch, time, 3)) if vocab is None
              else rng.standard_normal((vocab, 3)))
        arrays = (xs, rng.standard_normal((3, 8)), rng.standard_normal((2, 8)),
                  rng.standard_normal((batch, 8) if row_bias else 8))
        state = (rng.standard_normal((batch, 2)), rng.standard_normal((batch, 2)))
        kwargs = {} if lengths is None else {"lengths": np.array(lengths)}
        if vocab is not None:
            kwargs["ids"] = rng.permutation(np.arange(batch * time) % vocab).reshape(batch,
                                                                                     time)
        return arrays + (state if with_state else ()), kwargs
    return make


@register("lstm_sequence", {"with-state": custom(_sequence_case(True)),
                            "zero-state": custom(_sequence_case(False)),
                            "one-step": custom(_sequence_case(True, time=1)),
                            "bias-per-row": custom(_sequence_case(True, row_bias=True)),
                            "ragged": custom(_sequence_case(False, batch=5,
                                                            lengths=[2, 4, 0, 1, 4])),
                            "ragged-with-state": custom(_sequence_case(
                                True, batch=5, row_bias=True, lengths=[3, 0, 4, 1, 2])),
                            "ids": custom(_sequence_case(False, vocab=5)),
                            "ids-with-state": custom(_sequence_case(True, row_bias=True,
                                                                    vocab=7)),
                            "ids-ragged": custom(_sequence_case(False, batch=5, vocab=6,
                                                                lengths=[2, 4, 0, 1, 4]))},
          zero_size={"batch": custom(_sequence_case(True, batch=0)),
                     "time": custom(_sequence_case(True, time=0)),
                     "ids-time": custom(_sequence_case(True, time=0, vocab=4))},
          twice_differentiable=False, torch=_torch_lstm_sequence)
def lstm_sequence(xs, Wx, Wh, b, h0=None, c0=None, lengths=None, ids=None):
    """A whole LSTM layer over time as one op (the book's TimeLSTM):
    xs (batch, time, D), Wx (D, 4H), Wh (H, 4H), b (4H,) (or (batch, 4H):
    a bias per batch row, the same at every step) and the initial
    state h0, c0 (batch, H), or neither for zeros -> hs (batch, time, H) and
    the final h, c (batch, H). The same numbers as ``lstm_step`` run over
    each time step, with one backward for the whole sequence.

    ``lengths`` (batch,) ints: row i reads only its first lengths[i] steps
    (sequences padded at the end, as PyTorch's packed sequences): its hs
    are 0 after them, its final h, c are its state after its last step, and
    the steps after it cost nothing.

    ``ids`` (batch, time) ints: xs is an embedding table (vocab, D) and
    step t of row i reads xs[ids[i, t]], i.e. the layer over
    ``embedding(xs, ids)``. The lookup and the input projection are then
    one: rows of the table's projection (vocab, 4H), and the table's and
    Wx's gradients come from the gate gradients summed per id. That is
    faster where vocab is at most batch * time (characters, not the words
    of a 10,000-word vocabulary: ``LSTM(..., embedding=...)`` chooses)."""
    if ids is not None:
        ids = _checked_ids(ids, xs)
    if h0 is None and c0 is None:
        return LSTMSequence(lengths, ids)(xs, Wx, Wh, b)
    if h0 is None or c0 is None:
        raise ShapeError("lstm_sequence: give both h0 and c0 (batch, H), or neither for "
                         "the zero initial state")
    return LSTMSequence(lengths, ids)(xs, Wx, Wh, b, h0, c0)


def _checked_ids(ids, table):
    """``ids`` as a (batch, time) integer array on the table's device, or a
    clear error (the shape, the dtype, or the first id out of range)."""
    data = table.data if isinstance(table, Variable) else table
    ids = ids.data if isinstance(ids, Variable) else ids
    ids = to_device(np.asarray(ids) if not hasattr(ids, "dtype") else ids, device_of(data))
    if ids.ndim != 2 or ids.dtype.kind not in "iu":
        raise ShapeError(f"lstm_sequence: ids must be (batch, time) integers, got shape "
                         f"{ids.shape} and dtype {ids.dtype}")
    check_ids_in_range(ids, data.shape, "lstm_sequence", "an embedding table")
    return ids
