"""One LSTM, GRU or RNN layer over a whole sequence as a single op, with backpropagation through time written out.

The LSTM in nn/modules/recurrent.py can be written step by step in tensor ops (as ``_lstm_step`` is, for the
cells), but then autograd records ~15 small ops per time step and replays them backwards: on CPU the per-op
bookkeeping costs more than the maths. Here the forward loop keeps the gate activations of every step in numpy
arrays, and the backward walks the steps in reverse once, with the usual LSTM derivatives:

    c_t = f * c_{t-1} + i * g,    h_t = o * tanh(c_t)
    dc  = dc_{t+1} * f_{t+1} + dh * o * (1 - tanh(c_t)^2),   di = dc * g,  df = dc * c_{t-1},  dg = dc * i

The input's part of the gates (x @ W_ih.T + b_ih) is computed outside, as one matmul, so autograd handles it.
GRU is the same idea with its own gates (reset r, update z, candidate n), below LSTM; the plain RNN last.
"""

from __future__ import annotations

import numpy as np

from ...autograd.function import Function
from ...autograd.grad_mode import is_grad_enabled
from ...tensor import Tensor

__all__: list[str] = []


def _no_double_backward() -> None:
    if is_grad_enabled():
        raise NotImplementedError(
            "autolab's RNN, LSTM and GRU layers compute their gradient in one fused op, so they cannot be "
            "differentiated a second time (create_graph=True); unroll their cells (nn.LSTMCell, ...) for that"
        )


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (np.tanh(0.5 * x) + 1)  # no overflow warning for large |x|


class LSTMSequence(Function):
    """Output (L + 1, N, H): h_1 .. h_L, then c_L in the last slot (one output tensor carries both, so that the
    gradients of the outputs and of the final cell state both reach this op)."""

    def forward(self, xw, h0, c0, w_hh, b_hh=None):
        seq, hidden = xw.shape[0], h0.shape[-1]
        self.gates = np.empty(xw.shape, xw.dtype)  # i, f, g, o after their nonlinearities, every step
        self.cells = np.empty((seq + 1, *h0.shape), xw.dtype)  # c_0 .. c_L
        hs = np.empty((seq + 1, *h0.shape), xw.dtype)  # h_0 .. h_L (h_0 is needed by the weight gradient)
        hs[0], self.cells[0] = h0, c0
        for t in range(seq):
            a = xw[t] + hs[t] @ w_hh.T
            if b_hh is not None:
                a += b_hh
            i, f, o = (_sigmoid(a[:, k * hidden : (k + 1) * hidden]) for k in (0, 1, 3))
            g = np.tanh(a[:, 2 * hidden : 3 * hidden])
            self.gates[t] = np.concatenate([i, f, g, o], axis=1)
            self.cells[t + 1] = f * self.cells[t] + i * g
            hs[t + 1] = o * np.tanh(self.cells[t + 1])
        self.hs = hs
        return np.concatenate([hs[1:], self.cells[-1:]], axis=0)

    def backward(self, grad):
        _no_double_backward()
        w_hh = self.inputs[3]._data
        g_all = grad._data
        seq, hidden = g_all.shape[0] - 1, w_hh.shape[1]
        d_gates = np.empty_like(self.gates)
        dh_next = np.zeros_like(self.hs[0])
        dc = g_all[seq].copy()
        for t in reversed(range(seq)):
            i, f, g, o = (self.gates[t][:, k * hidden : (k + 1) * hidden] for k in range(4))
            dh = g_all[t] + dh_next
            tc = np.tanh(self.cells[t + 1])
            dc = dc + dh * o * (1 - tc * tc)
            d_gates[t] = np.concatenate(
                [dc * g * i * (1 - i), dc * self.cells[t] * f * (1 - f), dc * i * (1 - g * g), dh * tc * o * (1 - o)],
                axis=1,
            )
            dh_next = d_gates[t] @ w_hh
            dc = dc * f
        need = self.needs_input_grad
        flat = d_gates.reshape(-1, d_gates.shape[-1])
        grads = [
            d_gates if need[0] else None,
            dh_next if need[1] else None,
            dc if need[2] else None,
            flat.T @ self.hs[:-1].reshape(-1, hidden) if need[3] else None,
        ]
        if len(self.inputs) == 5:
            grads.append(flat.sum(0) if need[4] else None)
        return tuple(None if g is None else Tensor._wrap(g) for g in grads)


def lstm_sequence(xw: Tensor, h0: Tensor, c0: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> tuple[Tensor, Tensor]:
    """Run one LSTM layer forwards over ``xw`` (L, N, 4H); returns (outputs (L, N, H), final cell state (N, H))."""
    args = (xw, h0, c0, w_hh) if b_hh is None else (xw, h0, c0, w_hh, b_hh)
    out = LSTMSequence.apply(*args)
    return out[:-1], out[-1]


class GRUSequence(Function):
    """Output (L, N, H): h_1 .. h_L. h_t = (1 - z) * n + z * h_{t-1}, n = tanh(x_n + r * (h_{t-1} W_hn^T + b_hn))."""

    def forward(self, xw, h0, w_hh, b_hh=None):
        seq, hidden = xw.shape[0], h0.shape[-1]
        self.gates = np.empty(xw.shape, xw.dtype)  # r, z, n after their nonlinearities
        self.h_n = np.empty((seq, *h0.shape), xw.dtype)  # h_{t-1} W_hn^T + b_hn: what r scaled
        hs = np.empty((seq + 1, *h0.shape), xw.dtype)
        hs[0] = h0
        for t in range(seq):
            a = hs[t] @ w_hh.T
            if b_hh is not None:
                a += b_hh
            r = _sigmoid(xw[t, :, :hidden] + a[:, :hidden])
            z = _sigmoid(xw[t, :, hidden : 2 * hidden] + a[:, hidden : 2 * hidden])
            self.h_n[t] = a[:, 2 * hidden :]
            n = np.tanh(xw[t, :, 2 * hidden :] + r * self.h_n[t])
            self.gates[t] = np.concatenate([r, z, n], axis=1)
            hs[t + 1] = (1 - z) * n + z * hs[t]
        self.hs = hs
        return hs[1:].copy()

    def backward(self, grad):
        _no_double_backward()
        w_hh = self.inputs[2]._data
        g_all, hidden = grad._data, w_hh.shape[1]
        d_x = np.empty_like(self.gates)  # gradient of the input-side pre-activations
        d_h = np.empty_like(self.gates)  # gradient of h_{t-1} W_hh^T + b_hh
        dh_next = np.zeros_like(self.hs[0])
        for t in reversed(range(len(g_all))):
            r, z, n = (self.gates[t][:, k * hidden : (k + 1) * hidden] for k in range(3))
            dh = g_all[t] + dh_next
            da_n = dh * (1 - z) * (1 - n * n)
            da_r = da_n * self.h_n[t] * r * (1 - r)
            da_z = dh * (self.hs[t] - n) * z * (1 - z)
            d_x[t] = np.concatenate([da_r, da_z, da_n], axis=1)
            d_h[t] = np.concatenate([da_r, da_z, da_n * r], axis=1)
            dh_next = dh * z + d_h[t] @ w_hh
        need = self.needs_input_grad
        flat = d_h.reshape(-1, d_h.shape[-1])
        grads = [
            d_x if need[0] else None,
            dh_next if need[1] else None,
            flat.T @ self.hs[:-1].reshape(-1, hidden) if need[2] else None,
        ]
        if len(self.inputs) == 4:
            grads.append(flat.sum(0) if need[3] else None)
        return tuple(None if g is None else Tensor._wrap(g) for g in grads)


def gru_sequence(xw: Tensor, h0: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> Tensor:
    """Run one GRU layer forwards over ``xw`` (L, N, 3H); returns the outputs (L, N, H)."""
    return GRUSequence.apply(*((xw, h0, w_hh) if b_hh is None else (xw, h0, w_hh, b_hh)))


class RNNSequence(Function):
    """Output (L, N, H): h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), act tanh or relu."""

    def forward(self, xw, h0, w_hh, b_hh=None, *, relu):
        self.relu = relu
        hs = np.empty((xw.shape[0] + 1, *h0.shape), xw.dtype)
        hs[0] = h0
        for t in range(xw.shape[0]):
            a = xw[t] + hs[t] @ w_hh.T
            if b_hh is not None:
                a += b_hh
            hs[t + 1] = np.maximum(a, 0) if relu else np.tanh(a)
        self.hs = hs
        return hs[1:].copy()

    def backward(self, grad):
        _no_double_backward()
        w_hh = self.inputs[2]._data
        g_all = grad._data
        d_a = np.empty_like(g_all)  # gradient of each step's pre-activation
        dh_next = np.zeros_like(self.hs[0])
        for t in reversed(range(len(g_all))):
            h = self.hs[t + 1]
            d_a[t] = (g_all[t] + dh_next) * ((h > 0) if self.relu else (1 - h * h))
            dh_next = d_a[t] @ w_hh
        need, hidden = self.needs_input_grad, w_hh.shape[1]
        flat = d_a.reshape(-1, hidden)
        grads = [
            d_a if need[0] else None,
            dh_next if need[1] else None,
            flat.T @ self.hs[:-1].reshape(-1, hidden) if need[2] else None,
        ]
        if len(self.inputs) == 4:
            grads.append(flat.sum(0) if need[3] else None)
        return tuple(None if g is None else Tensor._wrap(g) for g in grads)


def rnn_sequence(xw: Tensor, h0: Tensor, w_hh: Tensor, b_hh: Tensor | None, relu: bool) -> Tensor:
    """Run one Elman RNN layer forwards over ``xw`` (L, N, H); returns the outputs (L, N, H)."""
    return RNNSequence.apply(*((xw, h0, w_hh) if b_hh is None else (xw, h0, w_hh, b_hh)), relu=relu)
