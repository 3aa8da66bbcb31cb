"""``repr(tensor)`` in PyTorch's style: ``tensor([1., 2.], requires_grad=True)``."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from . import dtypes

if TYPE_CHECKING:
    from .tensor import Tensor

# set_printoptions changes these; the profiles are PyTorch's
_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": np.inf, "edgeitems": 3, "linewidth": 80},
}
_options: dict = {**_PROFILES["default"], "sci_mode": None}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """How tensors print, as ``torch.set_printoptions``: digits after the point, how many elements before
    eliding with ``...``, scientific notation always (True), never (False) or when needed (None)."""
    if profile is not None:
        _options.update(_PROFILES[profile])
    for key, value in (("precision", precision), ("threshold", threshold), ("edgeitems", edgeitems)):
        if value is not None:
            _options[key] = value
    if linewidth is not None:
        _options["linewidth"] = linewidth
    _options["sci_mode"] = sci_mode


def _float_formatter(a: np.ndarray):
    # PyTorch's rule: whole numbers print as "3.", others with 4 decimals, and scientific notation when the
    # nonzero magnitudes span more than 1000x, or exceed 1e8, or (for non-whole numbers) go below 1e-4.
    p = _options["precision"]
    finite = a[np.isfinite(a)]
    nonzero = np.abs(finite[finite != 0]).astype(np.float64)
    if nonzero.size == 0 and _options["sci_mode"] is not True:
        return lambda v: f"{v:.0f}." if np.isfinite(v) else str(v)
    lo, hi = (nonzero.min(), nonzero.max()) if nonzero.size else (0.0, 0.0)
    whole = bool(np.all(nonzero == np.ceil(nonzero)))
    sci = _options["sci_mode"]
    if sci is None:
        sci = bool(nonzero.size) and (hi / lo > 1000 or hi > 1e8 or (not whole and lo < 1e-4))
    if sci:
        return lambda v: f"{v:.{p}e}" if np.isfinite(v) else str(v)
    if whole:
        return lambda v: f"{v:.0f}." if np.isfinite(v) else str(v)
    return lambda v: f"{v:.{p}f}" if np.isfinite(v) else str(v)


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
    kw = {
        "separator": ", ",
        "prefix": "tensor(",
        "threshold": _options["threshold"],
        "edgeitems": _options["edgeitems"],
        "max_line_width": _options["linewidth"],
    }
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
    if a.dtype not in (dtypes.get_default_dtype().np, np.int64, np.bool_):
        extras.append(f"dtype={t.dtype}")
    if a.size == 0:
        extras.append(f"size={tuple(a.shape)}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn={t.grad_fn!r}")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    return "tensor(" + body + "".join(", " + e for e in extras) + ")"
