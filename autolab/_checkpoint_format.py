"""The checkpoint format, read defensively: what ``autolab.load`` accepts and how it checks it.

An autolab checkpoint is a zip archive (members stored, not compressed) of:

- ``format``: the text ``autolab-checkpoint-v1``;
- ``structure.json``: the saved object with every tensor replaced by a tagged entry (below);
- ``arrays/<i>.npy``: the i-th array, in numpy's ``.npy`` format, never pickled.

Tagged entries in the JSON (anything else that is a JSON object is refused):

| entry | meaning |
|---|---|
| ``{"__tensor__": i, "requires_grad": bool, "parameter": bool}`` | a Tensor (an ``nn.Parameter`` if ``parameter``) |
| ``{"__ndarray__": i}`` | a numpy array |
| ``{"__dict__": [[key, value], ...]}`` | an OrderedDict (``"type": "dict"`` for a plain dict) |
| ``{"__tuple__": [...]}`` | a tuple (a JSON list is a list) |
| ``{"__float__": "nan" / "inf" / "-inf"}`` | a float JSON cannot spell |

Everything read from a file is treated as hostile: sizes are checked against a limit before anything is
allocated, each ``.npy`` header is parsed here (numpy's reader would allocate whatever shape the header
claims before reading a byte of data), and any surprise raises ``CheckpointError``.
"""

from __future__ import annotations

import ast
import math
from collections import OrderedDict
from typing import Any

import numpy as np

from .nn.parameter import Parameter
from .tensor import Tensor

FORMAT = "autolab-checkpoint-v1"
# dtypes a Tensor may have (autolab's); plain arrays may also be unsigned or complex. Never strings, objects
# (pickles) or structured records.
TENSOR_DTYPES = frozenset(np.dtype(t) for t in ("f2", "f4", "f8", "u1", "i1", "i2", "i4", "i8", "?"))
ARRAY_KINDS = frozenset("biufc")
_SPECIAL_FLOATS = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}
_TENSOR_KEYS = {"__tensor__", "requires_grad", "parameter"}


class CheckpointError(RuntimeError, ValueError):
    """The file is not a readable autolab checkpoint (damaged, truncated, foreign or over the size limit).

    A ``RuntimeError``, which is what PyTorch raises for a damaged checkpoint, and a ``ValueError``, which
    is what autolab raised before this class existed, so ``except`` clauses written for either keep working.
    The message names the file.
    """


class Corrupt(Exception):
    """Raised while decoding; ``load`` turns it into a CheckpointError that names the file."""


# ---- writing ------------------------------------------------------------------------------------------------
def encode(obj: Any, arrays: list[np.ndarray]) -> Any:
    """``obj`` as JSON-able data, appending each tensor's array to ``arrays``."""
    if isinstance(obj, Tensor):
        arrays.append(obj._data if isinstance(obj._data, np.ndarray) else obj._data.to_host())  # GPU: saved from host
        return {
            "__tensor__": len(arrays) - 1,
            "requires_grad": bool(obj.requires_grad and obj.is_leaf),
            "parameter": type(obj).__name__ == "Parameter",
        }
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind not in ARRAY_KINDS or obj.dtype.fields is not None:
            raise TypeError(f"autolab.save stores numeric and bool arrays only; got an array of dtype {obj.dtype}")
        arrays.append(obj)
        return {"__ndarray__": len(arrays) - 1}
    if isinstance(obj, dict):
        # a list of pairs keeps key order and non-string keys (an optimizer's state uses int keys)
        pairs = [[encode(k, arrays), encode(v, arrays)] for k, v in obj.items()]
        return {"__dict__": pairs} if isinstance(obj, OrderedDict) else {"__dict__": pairs, "type": "dict"}
    if isinstance(obj, tuple):
        return {"__tuple__": [encode(v, arrays) for v in obj]}
    if isinstance(obj, list):
        return [encode(v, arrays) for v in obj]
    if isinstance(obj, (np.integer, np.floating, np.bool_)):
        obj = obj.item()
    if obj is None or isinstance(obj, (bool, int, float, str)):
        if isinstance(obj, float) and not math.isfinite(obj):
            return {"__float__": repr(obj)}
        return obj
    raise TypeError(
        f"autolab.save can store tensors, numpy arrays, dicts, lists, tuples, numbers, strings and None; "
        f"got {type(obj).__name__}. Save model.state_dict() rather than the model object."
    )


# ---- reading ------------------------------------------------------------------------------------------------
def array_refs(structure: Any) -> dict[int, bool]:
    """Every array index the structure refers to -> whether a Tensor (not a plain array) uses it."""
    refs: dict[int, bool] = {}
    stack = [structure]
    while stack:  # a loop, not recursion: the structure's depth is the file's choice
        obj = stack.pop()
        if isinstance(obj, list):
            stack.extend(obj)
        elif isinstance(obj, dict):
            for tag in ("__tensor__", "__ndarray__"):
                if tag in obj:
                    i = obj[tag]
                    if type(i) is not int or i < 0:
                        raise Corrupt(f"bad array index {i!r} in {tag}")
                    refs[i] = refs.get(i, False) or tag == "__tensor__"
            stack.extend(v for k, v in obj.items() if k in ("__dict__", "__tuple__"))
    return refs


def decode(obj: Any, arrays: dict[int, np.ndarray]) -> Any:
    """The saved object from ``structure.json`` and the arrays it refers to (checked by ``array_refs``)."""
    if isinstance(obj, list):
        return [decode(v, arrays) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if "__tensor__" in obj:
        _expect_keys(obj, _TENSOR_KEYS)
        requires_grad, parameter = obj["requires_grad"], obj["parameter"]
        if type(requires_grad) is not bool or type(parameter) is not bool:
            raise Corrupt(f"requires_grad and parameter must be true or false, got {requires_grad!r}, {parameter!r}")
        arr = arrays[obj["__tensor__"]]
        if requires_grad and arr.dtype.kind != "f":
            raise Corrupt(f"a tensor of dtype {arr.dtype} cannot require gradients")
        if parameter:
            return Parameter(Tensor._wrap(arr), requires_grad=requires_grad)
        return Tensor._wrap(arr, requires_grad=requires_grad)
    if "__ndarray__" in obj:
        _expect_keys(obj, {"__ndarray__"})
        return arrays[obj["__ndarray__"]]
    if "__dict__" in obj:
        _expect_keys(obj, {"__dict__"} | ({"type"} if "type" in obj else set()))
        pairs = obj["__dict__"]
        if not isinstance(pairs, list) or not all(isinstance(p, list) and len(p) == 2 for p in pairs):
            raise Corrupt("__dict__ must be a list of [key, value] pairs")
        out = {} if obj.get("type") == "dict" else OrderedDict()
        for k, v in pairs:
            key = decode(k, arrays)
            try:
                hash(key)
            except TypeError:
                raise Corrupt(f"a dict key of type {type(key).__name__} is not hashable") from None
            out[key] = decode(v, arrays)
        return out
    if "__tuple__" in obj:
        _expect_keys(obj, {"__tuple__"})
        if not isinstance(obj["__tuple__"], list):
            raise Corrupt("__tuple__ must be a list")
        return tuple(decode(v, arrays) for v in obj["__tuple__"])
    if "__float__" in obj:
        _expect_keys(obj, {"__float__"})
        if obj["__float__"] not in _SPECIAL_FLOATS:
            raise Corrupt(f"__float__ must be one of {sorted(_SPECIAL_FLOATS)}, got {obj['__float__']!r}")
        return _SPECIAL_FLOATS[obj["__float__"]]
    raise Corrupt(f"unknown entry {sorted(obj)}")


def _expect_keys(obj: dict, keys: set[str]) -> None:
    if set(obj) != keys:
        raise Corrupt(f"entry has keys {sorted(obj)}; expected {sorted(keys)} (unexpected or missing keys)")


def npy_header(stream: Any, member_size: int, tensor: bool) -> tuple[np.dtype, tuple[int, ...], bool, int]:
    """Parse a ``.npy`` header from ``stream``: (dtype, shape, fortran_order, data bytes).

    Checks that the dtype is allowed and that the data the header promises is exactly what the member holds,
    so nothing is allocated for an array that is not really there.
    """
    magic = stream.read(8)
    if len(magic) != 8 or magic[:6] != b"\x93NUMPY" or magic[6] not in (1, 2, 3):
        raise Corrupt("not a .npy array")
    size_bytes = 2 if magic[6] == 1 else 4
    raw = stream.read(size_bytes)
    if len(raw) != size_bytes:
        raise Corrupt("truncated .npy header")
    header_len = int.from_bytes(raw, "little")
    if header_len > 65536:
        raise Corrupt(f".npy header of {header_len} bytes")
    text = stream.read(header_len)
    if len(text) != header_len:
        raise Corrupt("truncated .npy header")
    header = ast.literal_eval(text.decode("latin1" if magic[6] < 3 else "utf8"))  # literals only: no code
    if not isinstance(header, dict) or set(header) != {"descr", "fortran_order", "shape"}:
        raise Corrupt(".npy header is not {descr, fortran_order, shape}")
    descr, fortran, shape = header["descr"], header["fortran_order"], header["shape"]
    if not isinstance(descr, str) or type(fortran) is not bool or not isinstance(shape, tuple):
        raise Corrupt(".npy header has fields of the wrong type")
    if not all(type(d) is int and 0 <= d < 2**62 for d in shape) or len(shape) > 32:
        raise Corrupt(f".npy shape {shape!r} is not a tuple of sizes")
    dtype = np.dtype(descr)
    allowed = dtype.newbyteorder("=") in TENSOR_DTYPES if tensor else dtype.kind in ARRAY_KINDS
    if not allowed or dtype.fields is not None or dtype.subdtype is not None:
        what = "a tensor" if tensor else "an array"
        raise Corrupt(f"dtype {dtype} is not allowed for {what} in a checkpoint")
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes != member_size - 8 - size_bytes - header_len:
        raise Corrupt(f".npy header promises {shape} {dtype} ({nbytes} bytes) but the member holds a different size")
    return dtype, shape, fortran, nbytes


def read_array(stream: Any, dtype: np.dtype, shape: tuple[int, ...], fortran: bool, nbytes: int) -> np.ndarray:
    """The array's bytes read straight into its final (writable, native, C-ordered) memory."""
    order = shape[::-1] if fortran else shape
    arr = np.empty(order, dtype=dtype)
    view = memoryview(arr.reshape(-1).view(np.uint8)) if arr.size else memoryview(b"")
    done = 0
    while done < nbytes:  # in 4 MiB pieces: zipfile assembles one large read by appending to a bytes object
        n = stream.readinto(view[done : done + (4 << 20)])
        if not n:
            raise Corrupt(f"array data ends after {done} of {nbytes} bytes")
        done += n
    if stream.read(1):  # also makes zipfile reach the end of the member and check its CRC
        raise Corrupt("array member is longer than its header says")
    if fortran:
        arr = arr.T
    if not dtype.isnative:
        arr = arr.astype(dtype.newbyteorder("="))
    return np.ascontiguousarray(arr) if arr.ndim else arr  # ascontiguousarray would make a 0-d array 1-d
