"""``repr(tensor)`` in PyTorch's style: ``tensor([1., 2.], requires_grad=True)``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .tensor import Tensor


def _float_formatter(a: np.ndarray):
    finite = a[np.isfinite(a)]
    if finite.size and np.all(finite == np.round(finite)) and np.abs(finite).max() < 1e8:
        return lambda v: f"{v:.0f}." if np.isfinite(v) else str(v)
    big = finite.size and (np.abs(finite).max() >= 1e8 or np.abs(finite[finite != 0]).min(initial=1) < 1e-4)
    if big:
        return lambda v: f"{v:.4e}"
    return lambda v: f"{v:.4f}" if np.isfinite(v) else str(v)


def format_tensor(t: Tensor) -> str:
    a = t._data
    kw = {"separator": ", ", "prefix": "tensor(", "threshold": 1000, "edgeitems": 3, "max_line_width": 80}
    if a.dtype.kind == "f":
        kw["formatter"] = {"float_kind": _float_formatter(a)}
    elif a.dtype.kind == "b":
        kw["formatter"] = {"bool": str}
    body = (
        np.array2string(a, **kw)
        if a.ndim
        else (kw.get("formatter", {}).get("float_kind", str))(a.item())
        if a.dtype.kind == "f"
        else str(a.item())
    )
    if a.dtype.kind == "b" and a.ndim == 0:
        body = str(bool(a))
    extras = []
    if a.dtype not in (np.float32, np.int64, np.bool_):
        extras.append(f"dtype={t.dtype}")
    if a.size == 0:
        extras.append(f"size={tuple(a.shape)}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn={t.grad_fn!r}")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    return "tensor(" + body + "".join(", " + e for e in extras) + ")"
