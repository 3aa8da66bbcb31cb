"""``autolab.save`` / ``autolab.load``: checkpoints that never run code when loaded.

PyTorch's ``.pt`` files are pickles, and unpickling a file can run arbitrary code. An autolab file is a zip
archive holding ``structure.json`` (dicts, lists, numbers, strings) and one ``.npy`` file per tensor, read back
with ``allow_pickle=False``. Saving writes a temporary file beside the target and renames it over the target,
so a crash mid-save leaves the previous checkpoint whole.
"""

from __future__ import annotations

import io
import json
import os
import tempfile
import zipfile
from collections import OrderedDict
from typing import Any, BinaryIO

import numpy as np

from .nn.parameter import Parameter
from .tensor import Tensor

FORMAT = "autolab-checkpoint-v1"


def _encode(obj: Any, arrays: list[np.ndarray]) -> Any:
    if isinstance(obj, Tensor):
        arrays.append(obj._data)
        return {
            "__tensor__": len(arrays) - 1,
            "requires_grad": bool(obj.requires_grad and obj.is_leaf),
            "parameter": type(obj).__name__ == "Parameter",
        }
    if isinstance(obj, np.ndarray):
        arrays.append(obj)
        return {"__ndarray__": len(arrays) - 1}
    if isinstance(obj, dict):
        # a list of pairs keeps key order and non-string keys (an optimizer's state uses int keys)
        return {"__dict__": [[_encode(k, arrays), _encode(v, arrays)] for k, v in obj.items()]}
    if isinstance(obj, tuple):
        return {"__tuple__": [_encode(v, arrays) for v in obj]}
    if isinstance(obj, list):
        return [_encode(v, arrays) for v in obj]
    if isinstance(obj, (np.integer, np.floating, np.bool_)):
        return obj.item()
    if obj is None or isinstance(obj, (bool, int, float, str)):
        if isinstance(obj, float) and not np.isfinite(obj):
            return {"__float__": repr(obj)}
        return obj
    raise TypeError(
        f"autolab.save can store tensors, numpy arrays, dicts, lists, tuples, numbers, strings and None; "
        f"got {type(obj).__name__}. Save model.state_dict() rather than the model object."
    )


def _decode(obj: Any, arrays: dict[int, np.ndarray]) -> Any:
    if isinstance(obj, list):
        return [_decode(v, arrays) for v in obj]
    if not isinstance(obj, dict):
        return obj
    if "__tensor__" in obj:
        arr = arrays[obj["__tensor__"]]
        if obj.get("parameter"):
            return Parameter(Tensor._wrap(arr), requires_grad=obj.get("requires_grad", True))
        return Tensor._wrap(arr).requires_grad_(obj.get("requires_grad", False))
    if "__ndarray__" in obj:
        return arrays[obj["__ndarray__"]]
    if "__dict__" in obj:
        return OrderedDict((_decode(k, arrays), _decode(v, arrays)) for k, v in obj["__dict__"])
    if "__tuple__" in obj:
        return tuple(_decode(v, arrays) for v in obj["__tuple__"])
    if "__float__" in obj:
        return float(obj["__float__"])
    raise ValueError(f"corrupt autolab checkpoint: unknown entry {sorted(obj)}")


def _write(obj: Any, f: BinaryIO) -> None:
    arrays: list[np.ndarray] = []
    structure = _encode(obj, arrays)
    with zipfile.ZipFile(f, "w", compression=zipfile.ZIP_STORED) as z:
        z.writestr("format", FORMAT)
        z.writestr("structure.json", json.dumps(structure))
        for i, a in enumerate(arrays):
            buf = io.BytesIO()
            np.save(buf, np.ascontiguousarray(a), allow_pickle=False)
            z.writestr(f"arrays/{i}.npy", buf.getvalue())


def save(obj: Any, f: str | os.PathLike | BinaryIO, **_compat: Any) -> None:
    """Save tensors, state dicts, or nested dicts/lists of them, atomically.

    >>> model = nn.Linear(2, 1)
    >>> autolab.save({"model": model.state_dict(), "epoch": 3}, "checkpoint.pt")
    >>> autolab.load("checkpoint.pt")["epoch"]
    3
    """
    if hasattr(f, "write"):
        _write(obj, f)  # type: ignore[arg-type]
        return
    path = os.fspath(f)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".autolab-save-", dir=directory)
    try:
        with os.fdopen(fd, "wb") as out:
            _write(obj, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)  # atomic on POSIX and Windows: readers see the old file or the new one
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def load(
    f: str | os.PathLike | BinaryIO, map_location: Any = None, weights_only: bool | None = None, **_compat: Any
) -> Any:
    """Load what ``autolab.save`` wrote. No code runs: only JSON and raw arrays are read."""
    name = f if not hasattr(f, "read") else getattr(f, "name", "<file>")
    if not hasattr(f, "read") and not os.path.exists(os.fspath(f)):
        raise FileNotFoundError(f"autolab.load: no such file: '{os.fspath(f)}'")
    try:
        z = zipfile.ZipFile(f)
    except zipfile.BadZipFile:
        raise ValueError(f"autolab.load: '{name}' is not an autolab checkpoint (not a zip archive)") from None
    with z:
        names = set(z.namelist())
        if "format" not in names or z.read("format").decode() != FORMAT:
            if any(n.endswith("data.pkl") for n in names):
                raise ValueError(
                    f"autolab.load: '{name}' is a PyTorch pickle checkpoint. autolab never unpickles "
                    "(it could run code); re-save it from PyTorch as tensors, or use autolab.save."
                )
            raise ValueError(f"autolab.load: '{name}' is not an autolab checkpoint")
        structure = json.loads(z.read("structure.json"))
        arrays = {}
        for n in names:
            if n.startswith("arrays/") and n.endswith(".npy"):
                arrays[int(n[7:-4])] = np.load(io.BytesIO(z.read(n)), allow_pickle=False)
    return _decode(structure, arrays)
