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


# PyTorch's legacy tensor type names, as ``x.type("torch.DoubleTensor")`` takes them
TENSOR_TYPES = {
    "torch.HalfTensor": float16,
    "torch.FloatTensor": float32,
    "torch.DoubleTensor": float64,
    "torch.ByteTensor": uint8,
    "torch.CharTensor": int8,
    "torch.ShortTensor": int16,
    "torch.IntTensor": int32,
    "torch.LongTensor": int64,
    "torch.BoolTensor": bool,
}


def to_dtype(d: object) -> dtype:
    """Accept an autolab dtype, a numpy dtype or a Python type and return the autolab dtype."""
    if isinstance(d, dtype):
        return d
    # Python's own types map the way PyTorch maps them (float -> the default dtype, int -> int64).
    if d is builtins.float:
        return get_default_dtype()
    py = {builtins.int: int64, builtins.bool: bool}
    if d in py:
        return py[d]  # type: ignore[index]
    if isinstance(d, str) and d.replace("autolab.", "torch.") in TENSOR_TYPES:
        return TENSOR_TYPES[d.replace("autolab.", "torch.")]
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


# ---- the default floating dtype: what Python floats and zeros()/rand()/... give ---------------------------------
_default = [float32]


def get_default_dtype() -> dtype:
    """The dtype of ``autolab.tensor(1.0)``, ``zeros(3)``, ``randn(3)``: float32 unless changed."""
    return _default[0]


def set_default_dtype(d: dtype) -> None:
    """Make float64 (or float16/float32) the dtype new floating tensors get, as ``torch.set_default_dtype``."""
    d = to_dtype(d)
    if not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _default[0] = d


# ---- finfo / iinfo: the limits of a dtype ---------------------------------------------------------------------
class finfo:
    """Limits of a floating dtype: ``eps``, ``max``, ``min``, ``tiny``, ``bits``, ``resolution`` (PyTorch's)."""

    def __init__(self, type: dtype | None = None) -> None:
        d = get_default_dtype() if type is None else to_dtype(type)
        if not d.is_floating_point:
            raise TypeError(f"finfo expects a floating point dtype, got {d} (use iinfo for integers)")
        info = np.finfo(d.np)
        self.dtype = d.name
        self.bits = info.bits
        self.eps = builtins.float(info.eps)
        self.max = builtins.float(info.max)
        self.min = builtins.float(info.min)
        self.tiny = self.smallest_normal = builtins.float(info.tiny)
        self.resolution = 10.0**-info.precision

    def __repr__(self) -> str:
        return (
            f"finfo(resolution={self.resolution}, min={self.min:g}, max={self.max:g}, eps={self.eps:g}, "
            f"smallest_normal={self.tiny:g}, tiny={self.tiny:g}, dtype={self.dtype})"
        )


class iinfo:
    """Limits of an integer dtype: ``max``, ``min``, ``bits``."""

    def __init__(self, type: dtype) -> None:
        d = to_dtype(type)
        if d.np.kind not in "iub":
            raise TypeError(f"iinfo expects an integer dtype, got {d} (use finfo for floating point)")
        info = np.iinfo(np.uint8 if d.np.kind == "b" else d.np)
        self.dtype = d.name
        self.bits, self.max, self.min = info.bits, builtins.int(info.max), builtins.int(info.min)

    def __repr__(self) -> str:
        return f"iinfo(min={self.min}, max={self.max}, dtype={self.dtype})"


# ---- promotion helpers: which dtype an op between two dtypes gives ------------------------------------------------
def promote_types(type1: dtype, type2: dtype) -> dtype:
    """The dtype an op on tensors of these two dtypes gives (PyTorch's rule: a float beats an integer)."""
    a, b = to_dtype(type1).np, to_dtype(type2).np
    if a.kind == "b" or b.kind == "b":
        return from_numpy_dtype(b if a.kind == "b" else a)
    return from_numpy_dtype(promote(a, b))


def can_cast(from_: dtype, to: dtype) -> bool:
    """Whether PyTorch's casting rules allow an in-place op to write ``from_`` into ``to``: not float into
    integer, not a number into bool."""
    f, t = to_dtype(from_).np.kind, to_dtype(to).np.kind
    order = {"b": 0, "u": 1, "i": 1, "f": 2}
    return order[f] <= order[t]
