"""``repr(tensor)`` in PyTorch's style: ``tensor([1., 2.], requires_grad=True)``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from .tensor import Tensor


def _float_formatter(a: np.ndarray):
    # PyTorch's rule: whole numbers print as "3.", others with 4 decimals, and scientific notation when the
    # nonzero magnitudes span more than 1000x, or exceed 1e8, or (for non-whole numbers) go below 1e-4.
    finite = a[np.isfinite(a)]
    nonzero = np.abs(finite[finite != 0]).astype(np.float64)
    if nonzero.size == 0:
        return lambda v: f"{v:.0f}." if np.isfinite(v) else str(v)
    lo, hi = nonzero.min(), nonzero.max()
    whole = bool(np.all(nonzero == np.ceil(nonzero)))
    if hi / lo > 1000 or hi > 1e8 or (not whole and lo < 1e-4):
        return lambda v: f"{v:.4e}" if np.isfinite(v) else str(v)
    if whole:
        return lambda v: f"{v:.0f}." if np.isfinite(v) else str(v)
    return lambda v: f"{v:.4f}" if np.isfinite(v) else str(v)


def _padded(fmt, a: np.ndarray):
    """Right-align every element to the widest one, so columns line up as in PyTorch's printout."""
    flat = a.ravel()
    shown = flat if flat.size <= 2000 else np.concatenate([flat[:1000], flat[-1000:]])
    width = max((len(fmt(v)) for v in shown), default=0)
    return lambda v: fmt(v).rjust(width)


def format_tensor(t: Tensor) -> str:
    a = t._data
    on_gpu = not isinstance(a, np.ndarray)
    if on_gpu:  # a CudaArray: printing copies it to the host, as PyTorch's repr does
        a = a.to_host()
    kw = {"separator": ", ", "prefix": "tensor(", "threshold": 1000, "edgeitems": 3, "max_line_width": 80}
    if a.dtype.kind == "f":
        kw["formatter"] = {"float_kind": _padded(_float_formatter(a), a)}
    elif a.dtype.kind == "b":
        kw["formatter"] = {"bool": _padded(str, a)}
    body = (
        np.array2string(a, **kw)
        if a.ndim
        else (kw.get("formatter", {}).get("float_kind", str))(a.item())
        if a.dtype.kind == "f"
        else str(a.item())
    )
    if a.dtype.kind == "b" and a.ndim == 0:
        body = str(bool(a))
    extras = ["device='cuda:0'"] if on_gpu else []
    if a.dtype not in (np.float32, np.int64, np.bool_):
        extras.append(f"dtype={t.dtype}")
    if a.size == 0:
        extras.append(f"size={tuple(a.shape)}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn={t.grad_fn!r}")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    return "tensor(" + body + "".join(", " + e for e in extras) + ")"
