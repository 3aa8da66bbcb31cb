"""RNN, LSTM and GRU, and their one-step cells, with PyTorch's parameter names, shapes, gate order and init.

Each step is written below with tensor ops (a matmul, a few elementwise ops): that is what the cells run, and
autograd differentiates it. The multi-step layers run the same maths in one fused op per layer and direction
(nn/fn/recurrent.py), with backpropagation through time written out, because ~15 autograd nodes per time step
cost more than the maths on a CPU. One thing is done once for the whole sequence instead of per step: the
input's contribution to the gates, ``x @ W_ih.T + b_ih``, is one big matmul over all time steps; only the
recurrent part ``h @ W_hh.T`` has to wait for the previous step.

The gates follow PyTorch's order, so weights copied from PyTorch mean the same thing here:
LSTM rows of W are (input, forget, cell, output); GRU rows are (reset, update, new).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from ... import ops
from ...creation import empty, zeros
from ...tensor import Tensor
from .. import functional as F
from .. import init
from ..fn.recurrent import gru_sequence, lstm_sequence, rnn_sequence
from ..module import Module
from ..parameter import Parameter

State = Any  # a Tensor (RNN, GRU) or a pair (h, c) of Tensors (LSTM)


# ---- one time step of each kind: xw is x @ W_ih.T + b_ih, already computed -------------------------------------
def _rnn_step(act: Callable[[Tensor], Tensor]) -> Callable[..., State]:
    def step(xw: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> Tensor:
        return act(xw + F.linear(h, w_hh, b_hh))

    return step


def _lstm_step(xw: Tensor, hc: tuple[Tensor, Tensor], w_hh: Tensor, b_hh: Tensor | None) -> tuple[Tensor, Tensor]:
    h, c = hc
    i, f, g, o = ops.chunk(xw + F.linear(h, w_hh, b_hh), 4, -1)
    c = ops.sigmoid(f) * c + ops.sigmoid(i) * ops.tanh(g)  # forget some of the old memory, write some new
    return ops.sigmoid(o) * ops.tanh(c), c  # expose part of the memory as the output h


def _gru_step(xw: Tensor, h: Tensor, w_hh: Tensor, b_hh: Tensor | None) -> Tensor:
    x_r, x_z, x_n = ops.chunk(xw, 3, -1)
    h_r, h_z, h_n = ops.chunk(F.linear(h, w_hh, b_hh), 3, -1)
    r, z = ops.sigmoid(x_r + h_r), ops.sigmoid(x_z + h_z)
    n = ops.tanh(x_n + r * h_n)  # the reset gate scales only the recurrent part (PyTorch's, and cuDNN's, form)
    return (1 - z) * n + z * h  # the update gate blends the candidate with the old state


_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}
_STEPS: dict[str, Callable[..., State]] = {
    "RNN_TANH": _rnn_step(ops.tanh),
    "RNN_RELU": _rnn_step(ops.relu),
    "LSTM": _lstm_step,
    "GRU": _gru_step,
}


# ---- the multi-layer, optionally bidirectional layers ----------------------------------------------------------
class RNNBase(Module):
    """The shared machinery: parameters ``weight_ih_l{k}[_reverse]`` etc., input layouts, the loop over layers."""

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if proj_size:
            raise NotImplementedError("LSTM: proj_size > 0 (projections) is not supported in autolab")
        if not 0 <= dropout <= 1 or isinstance(dropout, bool):
            raise ValueError(
                "dropout should be a number in range [0, 1] representing the probability of an element being zeroed"
            )
        if hidden_size <= 0 or num_layers <= 0:
            raise ValueError("hidden_size and num_layers must be greater than 0")
        self.mode, self.input_size, self.hidden_size, self.num_layers = mode, input_size, hidden_size, num_layers
        self.bias, self.batch_first, self.dropout = bias, batch_first, float(dropout)
        self.bidirectional, self.proj_size = bidirectional, proj_size
        gates = _GATES[mode] * hidden_size
        self._flat_weights_names: list[str] = []
        for layer in range(num_layers):
            n_in = input_size if layer == 0 else hidden_size * self.num_directions
            for suffix in ("", "_reverse")[: self.num_directions]:
                shapes: dict[str, tuple[int, ...]] = {"weight_ih": (gates, n_in), "weight_hh": (gates, hidden_size)}
                if bias:
                    shapes |= {"bias_ih": (gates,), "bias_hh": (gates,)}
                for kind, shape in shapes.items():
                    name = f"{kind}_l{layer}{suffix}"
                    setattr(self, name, Parameter(empty(*shape, dtype=dtype)))
                    self._flat_weights_names.append(name)
        self.reset_parameters()

    @property
    def num_directions(self) -> int:
        return 2 if self.bidirectional else 1

    def reset_parameters(self) -> None:
        """Every weight and bias from U(-1/sqrt(hidden_size), 1/sqrt(hidden_size)), as PyTorch."""
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def flatten_parameters(self) -> None:
        """A cuDNN memory-layout call in PyTorch; nothing to do on a CPU."""

    def _weights(self, layer: int, suffix: str) -> tuple[Any, Any, Any, Any]:
        get = lambda kind: getattr(self, f"{kind}_l{layer}{suffix}") if self.bias or "weight" in kind else None
        return get("weight_ih"), get("weight_hh"), get("bias_ih"), get("bias_hh")

    def _run_direction(self, x: Tensor, state: State, layer: int, reverse: bool) -> tuple[Tensor, State]:
        """One layer in one direction over the whole (L, N, features) sequence; returns the outputs and last state.

        The time loop runs inside one fused op per layer (nn/fn/recurrent.py): the same maths as the step
        functions above (which the cells use, and which are tested against PyTorch too), without ~15 autograd
        nodes per time step. The reverse direction runs the reversed sequence, then flips the outputs back."""
        w_ih, w_hh, b_ih, b_hh = self._weights(layer, "_reverse" if reverse else "")
        xw = F.linear(x, w_ih, b_ih)  # the input's part of every step's gates, in one matmul
        xs = ops.flip(xw, (0,)) if reverse else xw
        last: State
        if self.mode == "LSTM":
            h0, c0 = state
            out, c_n = lstm_sequence(xs, h0, c0, w_hh, b_hh)
            last = (out[-1], c_n)
        elif self.mode == "GRU":
            out = gru_sequence(xs, state, w_hh, b_hh)
            last = out[-1]
        else:
            out = rnn_sequence(xs, state, w_hh, b_hh, relu=self.mode == "RNN_RELU")
            last = out[-1]
        return (ops.flip(out, (0,)) if reverse else out), last

    def _initial_state(self, x: Tensor, hx: Any, unbatched: bool) -> list[State]:
        """The initial state of each (layer, direction), in PyTorch's order (layer-major, forward first)."""
        shape = (self.num_layers * self.num_directions, x.shape[1], self.hidden_size)
        parts = list(hx) if isinstance(hx, (tuple, list)) else [hx]
        if self.mode == "LSTM" and hx is not None and len(parts) != 2:
            raise RuntimeError("LSTM: hx must be a tuple (h_0, c_0)")
        states = []
        for p in parts if hx is not None else [None] * (2 if self.mode == "LSTM" else 1):
            if p is None:
                p = zeros(*shape, dtype=x.dtype)
            else:
                if unbatched:
                    if p.ndim != 2:
                        raise RuntimeError(f"For unbatched 2-D input, hx should also be 2-D but got {p.ndim}-D tensor")
                    p = p.unsqueeze(1)
                if tuple(p.shape) != shape:
                    raise RuntimeError(f"Expected hidden size {shape}, got {list(p.shape)}")
            states.append(ops.unbind(p, 0))
        return list(zip(*states)) if self.mode == "LSTM" else list(states[0])

    def forward(self, input: Tensor, hx: Any = None) -> tuple[Tensor, State]:
        if not isinstance(input, Tensor):
            raise NotImplementedError(
                f"{type(self).__name__}: autolab takes a Tensor input (PackedSequence is not supported)"
            )
        if input.ndim not in (2, 3):
            raise ValueError(f"{type(self).__name__}: Expected input to be 2D or 3D, got {input.ndim}D instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(
                f"input.size(-1) must be equal to input_size. Expected {self.input_size}, got {input.shape[-1]}"
            )
        unbatched = input.ndim == 2
        x = input.unsqueeze(1) if unbatched else (input.transpose(0, 1) if self.batch_first else input)
        init_states = self._initial_state(x, hx, unbatched)
        finals: list[State] = []
        for layer in range(self.num_layers):
            if layer and self.dropout and self.training:  # between layers, never after the last
                x = F.dropout(x, self.dropout, True)
            outs = []
            for d in range(self.num_directions):
                out, last = self._run_direction(x, init_states[layer * self.num_directions + d], layer, d == 1)
                outs.append(out)
                finals.append(last)
            x = outs[0] if len(outs) == 1 else ops.cat(outs, -1)  # forward and backward features side by side
        if self.mode == "LSTM":
            h_n: State = (ops.stack([h for h, _ in finals], 0), ops.stack([c for _, c in finals], 0))
        else:
            h_n = ops.stack(finals, 0)
        if unbatched:
            out = x.squeeze(1)
            h_n = (h_n[0].squeeze(1), h_n[1].squeeze(1)) if self.mode == "LSTM" else h_n.squeeze(1)
        else:
            out = x.transpose(0, 1) if self.batch_first else x
        return out, h_n

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s


def _split_args(args: tuple, kwargs: dict, names: tuple[str, ...]) -> dict:
    return {**dict(zip(names, args)), **kwargs}


_ARGS = ("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional")


class RNN(RNNBase):
    """Elman RNN: ``h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)`` (or relu), stacked and/or both ways.

    >>> rnn = nn.RNN(10, 20, num_layers=2)
    >>> out, h_n = rnn(autolab.randn(5, 3, 10))
    >>> out.shape, h_n.shape
    (autolab.Size([5, 3, 20]), autolab.Size([2, 3, 20]))
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kw = _split_args(args, kwargs, _ARGS[:3] + ("nonlinearity",) + _ARGS[3:])
        self.nonlinearity = kw.pop("nonlinearity", "tanh")
        if self.nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{self.nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__("RNN_TANH" if self.nonlinearity == "tanh" else "RNN_RELU", **kw)

    def extra_repr(self) -> str:
        s = super().extra_repr()
        return s if self.nonlinearity == "tanh" else s + ", nonlinearity=relu"


class LSTM(RNNBase):
    """Long short-term memory: returns ``output, (h_n, c_n)``.

    >>> lstm = nn.LSTM(10, 20, batch_first=True)
    >>> out, (h, c) = lstm(autolab.randn(3, 5, 10))
    >>> out.shape, h.shape
    (autolab.Size([3, 5, 20]), autolab.Size([1, 3, 20]))
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__("LSTM", **_split_args(args, kwargs, _ARGS + ("proj_size",)))


class GRU(RNNBase):
    """Gated recurrent unit: returns ``output, h_n``."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__("GRU", **_split_args(args, kwargs, _ARGS))


# ---- cells: one step, the state passed in and out by the caller ------------------------------------------------
class RNNCellBase(Module):
    _mode = ""

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, device: Any = None, dtype: Any = None
    ) -> None:
        super().__init__()
        self.input_size, self.hidden_size, self.bias = input_size, hidden_size, bias
        gates = _GATES[self._mode] * hidden_size
        self.weight_ih = Parameter(empty(gates, input_size, dtype=dtype))
        self.weight_hh = Parameter(empty(gates, hidden_size, dtype=dtype))
        self.bias_ih = Parameter(empty(gates, dtype=dtype)) if bias else None
        self.bias_hh = Parameter(empty(gates, dtype=dtype)) if bias else None
        if not bias:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        bound = 1.0 / math.sqrt(self.hidden_size)  # as in the layers
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def _step(self, input: Tensor, hx: Any) -> State:
        if input.ndim not in (1, 2):
            raise ValueError(f"{type(self).__name__}: Expected input to be 1D or 2D, got {input.ndim}D instead")
        if input.shape[-1] != self.input_size:
            raise RuntimeError(f"input has inconsistent input_size: got {input.shape[-1]} expected {self.input_size}")
        unbatched = input.ndim == 1
        x = input.unsqueeze(0) if unbatched else input
        zero = lambda: zeros(x.shape[0], self.hidden_size, dtype=x.dtype)
        if self._mode == "LSTM":
            h, c = (zero(), zero()) if hx is None else hx
            state: State = (h.unsqueeze(0), c.unsqueeze(0)) if unbatched else (h, c)
        else:
            state = zero() if hx is None else (hx.unsqueeze(0) if unbatched else hx)
        new = _STEPS[self._mode](F.linear(x, self.weight_ih, self.bias_ih), state, self.weight_hh, self.bias_hh)
        if unbatched:
            return (new[0].squeeze(0), new[1].squeeze(0)) if isinstance(new, tuple) else new.squeeze(0)
        return new

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        if getattr(self, "nonlinearity", "tanh") != "tanh":
            s += f", nonlinearity={self.nonlinearity}"
        return s


class RNNCell(RNNCellBase):
    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity: {nonlinearity}")
        self._mode = "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"
        super().__init__(input_size, hidden_size, bias, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._step(input, hx)


class LSTMCell(RNNCellBase):
    """One LSTM step: ``h', c' = cell(x, (h, c))``."""

    _mode = "LSTM"

    def forward(self, input: Tensor, hx: tuple[Tensor, Tensor] | None = None) -> tuple[Tensor, Tensor]:
        return self._step(input, hx)


class GRUCell(RNNCellBase):
    _mode = "GRU"

    def forward(self, input: Tensor, hx: Tensor | None = None) -> Tensor:
        return self._step(input, hx)
