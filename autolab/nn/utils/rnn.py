"""Sequences of different lengths in one batch (``torch.nn.utils.rnn``).

autolab's RNN, LSTM and GRU take padded tensors: ``pad_sequence`` builds one from a list of sequences, and
``unpad_sequence`` takes it apart again. PyTorch's ``PackedSequence`` (a batch stored time step by time step,
without the padding) is not here; the packing functions raise an error that says what to do instead.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NoReturn

from ... import creation, ops
from ...tensor import Tensor

__all__ = [
    "PackedSequence",
    "pack_padded_sequence",
    "pack_sequence",
    "pad_packed_sequence",
    "pad_sequence",
    "unpack_sequence",
    "unpad_sequence",
]


def pad_sequence(
    sequences: Tensor | Iterable[Tensor],
    batch_first: bool = False,
    padding_value: float = 0.0,
    padding_side: str = "right",
) -> Tensor:
    """Stack sequences of shape ``(L_i, *)`` into ``(T, B, *)`` (``(B, T, *)`` with batch_first), T the
    longest L_i, filling the missing steps with ``padding_value`` after (or, with ``padding_side='left'``,
    before) each sequence. Differentiable in the sequences.

    >>> pad_sequence([autolab.tensor([1.0, 2.0]), autolab.tensor([3.0])], batch_first=True)
    tensor([[1., 2.],
            [3., 0.]])
    """
    if not isinstance(sequences, Iterable):
        raise RuntimeError(
            f"pad_sequence: Expected iterable for input sequences, but got arg of type: {type(sequences)}"
        )
    sequences = list(sequences)
    if not sequences:
        raise RuntimeError("received an empty list of sequences")
    if padding_side not in ("left", "right"):
        raise RuntimeError(f"Expected padding_side to be one of left or right, but got {padding_side}.")
    if sequences[0].ndim == 0:
        raise RuntimeError("pad_sequence: each sequence needs a first (time) dimension, got a 0-d tensor")
    dtype, trailing = sequences[0].dtype, tuple(sequences[0].shape[1:])
    longest = max(len(s) for s in sequences)
    padded = []
    for s in sequences:
        if tuple(s.shape[1:]) != trailing:
            raise RuntimeError(
                f"pad_sequence: every sequence must have the trailing shape {trailing} of the first one, "
                f"got {tuple(s.shape[1:])}"
            )
        s = s.type(dtype)  # the first sequence's dtype, as PyTorch's kernel uses
        fill = creation.full((longest - len(s), *trailing), padding_value, dtype=dtype)
        padded.append(ops.cat([s, fill] if padding_side == "right" else [fill, s]))
    return ops.stack(padded, dim=0 if batch_first else 1)


def unpad_sequence(padded_sequences: Tensor, lengths: Any, batch_first: bool = False) -> list[Tensor]:
    """The list of sequences that ``pad_sequence`` (right padding) joined: sequence i is its first
    ``lengths[i]`` steps."""
    batch = padded_sequences if batch_first else padded_sequences.transpose(0, 1)
    return [batch[i, : int(n)] for i, n in enumerate(lengths)]


_NO_PACKING = (
    "autolab has no PackedSequence: its RNN, LSTM and GRU take padded tensors. Pad the batch with "
    "nn.utils.rnn.pad_sequence and run the layer on it; to ignore the padding, read each sequence's output at "
    "its last real step (output[length - 1]) or mask the padded steps in the loss."
)


class PackedSequence:
    """Not supported: raises, saying to use padded tensors (see the module docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError(f"nn.utils.rnn.PackedSequence: {_NO_PACKING}")


def pack_padded_sequence(*args: Any, **kwargs: Any) -> NoReturn:
    """Not supported: raises, saying to use padded tensors."""
    raise NotImplementedError(f"nn.utils.rnn.pack_padded_sequence: {_NO_PACKING}")


def pad_packed_sequence(*args: Any, **kwargs: Any) -> NoReturn:
    """Not supported: raises, saying to use padded tensors."""
    raise NotImplementedError(f"nn.utils.rnn.pad_packed_sequence: {_NO_PACKING}")


def pack_sequence(*args: Any, **kwargs: Any) -> NoReturn:
    """Not supported: raises, saying to use padded tensors."""
    raise NotImplementedError(f"nn.utils.rnn.pack_sequence: {_NO_PACKING}")


def unpack_sequence(*args: Any, **kwargs: Any) -> NoReturn:
    """Not supported: raises, saying to use padded tensors."""
    raise NotImplementedError(f"nn.utils.rnn.unpack_sequence: {_NO_PACKING}")
