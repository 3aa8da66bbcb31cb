"""autolab's dtypes: thin, named wrappers over numpy dtypes so that ``x.dtype`` prints like PyTorch's."""

from __future__ import annotations

import builtins

import numpy as np


class dtype:
    """A tensor element type. ``autolab.float32 == np.float32`` is True, so numpy code keeps working."""

    def __init__(self, name: str, np_dtype: type) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)

    @property
    def is_floating_point(self) -> bool:
        return self.np.kind == "f"

    @property
    def itemsize(self) -> int:
        return self.np.itemsize

    def __repr__(self) -> str:
        return f"autolab.{self.name}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, dtype):
            return self.np == other.np
        try:
            return self.np == np.dtype(other)  # type: ignore[arg-type]
        except TypeError:
            return False

    def __hash__(self) -> int:
        return hash(self.np)


float16 = half = dtype("float16", np.float16)
float32 = float = dtype("float32", np.float32)
float64 = double = dtype("float64", np.float64)
uint8 = dtype("uint8", np.uint8)
int8 = dtype("int8", np.int8)
int16 = short = dtype("int16", np.int16)
int32 = int = dtype("int32", np.int32)
int64 = long = dtype("int64", np.int64)
bool = dtype("bool", np.bool_)

_ALL = [float16, float32, float64, uint8, int8, int16, int32, int64, bool]
_BY_NP = {d.np: d for d in _ALL}


def to_dtype(d: object) -> dtype:
    """Accept an autolab dtype, a numpy dtype or a Python type and return the autolab dtype."""
    if isinstance(d, dtype):
        return d
    # Python's own types map the way PyTorch maps them (float -> float32, int -> int64).
    py = {builtins.float: float32, builtins.int: int64, builtins.bool: bool}
    if d in py:
        return py[d]  # type: ignore[index]
    npd = np.dtype(d)  # type: ignore[arg-type]
    try:
        return _BY_NP[npd]
    except KeyError:
        raise TypeError(f"autolab has no dtype matching numpy's {npd}") from None


def from_numpy_dtype(npd: np.dtype) -> dtype:
    return _BY_NP.get(npd) or dtype(str(npd), npd)


def promote(a: np.dtype, b: np.dtype) -> np.dtype:
    """PyTorch's type promotion for two tensors: a float beats an integer, otherwise the wider type wins.

    numpy differs (int64 + float32 -> float64), which would silently double memory and time.
    """
    if a == b:
        return a
    af, bf = a.kind == "f", b.kind == "f"
    if af and not bf:
        return a
    if bf and not af:
        return b
    return np.promote_types(a, b)
