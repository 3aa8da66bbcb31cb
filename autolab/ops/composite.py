"""Functions built from other ops: einsum, addmm, mv, lerp, diff, meshgrid, cdist, std_mean, nan_to_num, ...

None of them needs a backward of its own: each is a few calls to ops that have one, so autograd (and double
backward) comes for free. ``einsum`` is the longest: it turns a contraction into permutes, reshapes and batched
matrix products, which is also how PyTorch computes it.
"""

from __future__ import annotations

import string
from builtins import max as builtins_max
from collections import namedtuple
from typing import Any

import numpy as np

from .. import dtypes
from ..creation import ones_like, tensor, zeros_like
from ..tensor import Tensor
from . import arithmetic, join, matmul, reduce, rounding, shape, sorting, unary


# ---- einsum ------------------------------------------------------------------------------------------------------
def _parse(equation: str, operands: tuple[Tensor, ...]) -> tuple[list[str], str]:
    """Each operand's letters and the output's; ``...`` becomes capital letters, one per broadcast dim."""
    eq = equation.replace(" ", "")
    lhs, arrow, out = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(operands):
        raise ValueError(f"einsum(): {len(terms)} operands in the equation but {len(operands)} were given")
    spare = iter(string.ascii_uppercase)
    n_ell = max((t.ndim - len(term.replace("...", "")) for t, term in zip(operands, terms) if "..." in term), default=0)
    ell = "".join(next(spare) for _ in range(n_ell))
    letters = []
    for t, term in zip(operands, terms):
        if "..." in term:
            k = t.ndim - len(term.replace("...", ""))
            term = term.replace("...", ell[n_ell - k :])
        if not term.isalpha() or len(term) != t.ndim:
            raise ValueError(f"einsum(): the term '{term}' does not match an operand with {t.ndim} dimensions")
        if len(set(term)) != len(term):
            raise NotImplementedError(f"einsum(): a letter repeated within one operand ('{term}') is not supported")
        letters.append(term)
    if arrow:
        out = out.replace("...", ell)
    else:  # implicit output: the ellipsis dims, then the letters used once, in alphabetical order
        once = [c for c in sorted(set("".join(letters))) if "".join(letters).count(c) == 1 and c not in ell]
        out = ell + "".join(once)
    return letters, out


def _sum_out(t: Tensor, term: str, keep: set[str]) -> tuple[Tensor, str]:
    gone = [i for i, c in enumerate(term) if c not in keep]
    if gone:
        t = t.sum(dim=tuple(gone))
    return t, "".join(c for c in term if c in keep)


def _contract(a: Tensor, ta: str, b: Tensor, tb: str, keep: set[str]) -> tuple[Tensor, str]:
    """a and b contracted over their shared letters that are not kept: one batched matmul."""
    a, ta = _sum_out(a, ta, keep | set(tb))
    b, tb = _sum_out(b, tb, keep | set(ta))
    batch = [c for c in ta if c in tb and c in keep]
    summed = [c for c in ta if c in tb and c not in keep]
    fa, fb = [c for c in ta if c not in tb], [c for c in tb if c not in ta]
    size = {**{c: n for c, n in zip(ta, a.shape)}, **{c: n for c, n in zip(tb, b.shape)}}
    sizes = [size[c] for c in batch]
    for c in batch:  # a batch dim of size 1 on one side broadcasts
        n = size[c]
        a = a.expand(*[n if x == c else -1 for x in ta]) if a.shape[ta.index(c)] != n else a
        b = b.expand(*[n if x == c else -1 for x in tb]) if b.shape[tb.index(c)] != n else b
    prod = 1
    for c in summed:
        prod *= size[c]
    am = a.permute(*[ta.index(c) for c in batch + fa + summed]).reshape(*sizes, -1, prod)
    bm = b.permute(*[tb.index(c) for c in batch + summed + fb]).reshape(*sizes, prod, -1)
    out = matmul.matmul(am, bm).reshape(*sizes, *[size[c] for c in fa], *[size[c] for c in fb])
    return out, "".join(batch + fa + fb)


def einsum(equation: str, *operands: Any) -> Tensor:
    """Sums of products named by letters: ``einsum("bij,bjk->bik", a, b)`` is ``a @ b``.

    >>> autolab.einsum("ij,j->i", autolab.ones(2, 3), autolab.arange(3.0))
    tensor([3., 3.])
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])
    letters, out = _parse(equation, operands)
    t, term = operands[0], letters[0]
    for i in range(1, len(operands)):
        keep = set(out).union(*letters[i + 1 :])
        t, term = _contract(t, term, operands[i], letters[i], keep)
    t, term = _sum_out(t, term, set(out))
    return t.permute(*[term.index(c) for c in out]) if term != out else t


# ---- matrix products with an added term -------------------------------------------------------------------------
def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)``."""
    return _scaled(input, beta) + _scaled(matmul.mm(mat1, mat2), alpha)


def addmv(input: Tensor, mat: Tensor, vec: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:
    return _scaled(input, beta) + _scaled(mv(mat, vec), alpha)


def baddbmm(input: Tensor, batch1: Tensor, batch2: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:
    return _scaled(input, beta) + _scaled(matmul.bmm(batch1, batch2), alpha)


def mv(input: Tensor, vec: Tensor) -> Tensor:
    """Matrix times vector."""
    if input.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got {input.ndim}, {vec.ndim}")
    return matmul.matmul(input, vec)


def _scaled(t: Tensor, k: float) -> Tensor:
    return t if k == 1 else t * k


def addcmul(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: float = 1) -> Tensor:
    return input + _scaled(tensor1 * tensor2, value)


def addcdiv(input: Tensor, tensor1: Tensor, tensor2: Tensor, *, value: float = 1) -> Tensor:
    return input + _scaled(tensor1 / tensor2, value)


def lerp(input: Tensor, end: Tensor, weight: Any) -> Tensor:
    """``input + weight * (end - input)``."""
    return input + weight * (end - input)


# ---- differences, grids, distances -------------------------------------------------------------------------------
def diff(input: Tensor, n: int = 1, dim: int = -1, prepend: Any = None, append: Any = None) -> Tensor:
    """``x[1:] - x[:-1]`` along ``dim``, ``n`` times."""
    x = input
    if prepend is not None or append is not None:
        x = join.cat([p for p in (prepend, x, append) if p is not None], dim=dim)
    for _ in range(n):
        length = x.shape[dim]
        x = shape.narrow(x, dim, 1, length - 1) - shape.narrow(x, dim, 0, length - 1)
    return x


def meshgrid(*tensors: Any, indexing: str = "ij") -> tuple[Tensor, ...]:
    """Coordinate grids: with ``indexing="ij"`` output k varies along dim k."""
    if len(tensors) == 1 and isinstance(tensors[0], (list, tuple)):
        tensors = tuple(tensors[0])
    if indexing not in ("ij", "xy"):
        raise ValueError(f'torch.meshgrid: indexing must be one of "xy" or "ij", but received: {indexing}')
    ts = [t.reshape(-1) for t in tensors]
    sizes = [t.shape[0] for t in ts]
    grids = [t.reshape(*[-1 if i == k else 1 for i in range(len(ts))]).expand(*sizes) for k, t in enumerate(ts)]
    if indexing == "xy" and len(ts) >= 2:  # Cartesian: the first two dims swapped (x along columns)
        grids = [g.transpose(0, 1) for g in grids]
    return tuple(grids)


def cartesian_prod(*tensors: Tensor) -> Tensor:
    if len(tensors) == 1:
        return tensors[0]
    return join.stack([g.reshape(-1) for g in meshgrid(*tensors, indexing="ij")], dim=1)


def cdist(x1: Tensor, x2: Tensor, p: float = 2.0) -> Tensor:
    """Distances between every row of ``x1`` (..., P, M) and every row of ``x2`` (..., R, M)."""
    d = unary.abs(x1.unsqueeze(-2) - x2.unsqueeze(-3))
    if p == 2:
        return unary.sqrt((d * d).sum(-1))
    if p == 1:
        return d.sum(-1)
    if p == float("inf"):
        return reduce.amax(d, -1)
    return (d**p).sum(-1) ** (1.0 / p)


def dist(input: Tensor, other: Tensor, p: float = 2) -> Tensor:
    """The p-norm of ``input - other``."""
    return reduce.norm(input - other, p)


# ---- statistics and clean-ups ------------------------------------------------------------------------------------
def var_mean(
    input: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *, correction: Any = None
) -> tuple[Tensor, Tensor]:
    """(variance, mean) in one call."""
    v = reduce.var(input, dim, unbiased, keepdim, correction=correction)
    return v, reduce.mean(input, dim, keepdim=keepdim)


def std_mean(
    input: Tensor, dim: Any = None, unbiased: bool | None = None, keepdim: bool = False, *, correction: Any = None
) -> tuple[Tensor, Tensor]:
    """(standard deviation, mean) in one call."""
    v, m = var_mean(input, dim, unbiased, keepdim, correction=correction)
    return v.sqrt(), m


def nan_to_num(input: Tensor, nan: float = 0.0, posinf: float | None = None, neginf: float | None = None) -> Tensor:
    """NaN -> ``nan``, +inf -> ``posinf`` (default: the dtype's max), -inf -> ``neginf`` (its min)."""
    if not input.is_floating_point():
        return input
    info = dtypes.finfo(input.dtype)
    x = join.where(rounding.isnan(input), tensor(nan, dtype=input.dtype), input)
    x = join.where(x == float("inf"), tensor(info.max if posinf is None else posinf, dtype=input.dtype), x)
    return join.where(x == float("-inf"), tensor(info.min if neginf is None else neginf, dtype=input.dtype), x)


def is_floating_point(input: Tensor) -> bool:
    return input.is_floating_point()


def xlogy(input: Any, other: Any) -> Tensor:
    """``input * log(other)``, and 0 where ``input`` is 0 (even if ``other`` is 0 or NaN-free infinite)."""
    x, y = (t if isinstance(t, Tensor) else tensor(t, dtype=dtypes.get_default_dtype()) for t in (input, other))
    zero = x == 0
    safe = join.where(zero & (y <= 0), ones_like(y), y)
    return join.where(zero & ~rounding.isnan(y), zeros_like(x * safe), x * unary.log(safe))


def logit(input: Tensor, eps: float | None = None) -> Tensor:
    """``log(p / (1 - p))``, the inverse of sigmoid; with ``eps``, p is clamped to [eps, 1 - eps] first."""
    p = input if eps is None else unary.clamp(input, eps, 1 - eps)
    return unary.log(p / (1 - p))


def frac(input: Tensor) -> Tensor:
    """The fractional part, with the sign of ``input``: ``x - trunc(x)``."""
    return input - rounding.trunc(input)


def aminmax(input: Tensor, *, dim: int | None = None, keepdim: bool = False) -> tuple[Tensor, Tensor]:
    return reduce.amin(input, dim, keepdim), reduce.amax(input, dim, keepdim)


# ---- assembling tensors --------------------------------------------------------------------------------------------
def column_stack(tensors: Any) -> Tensor:
    return join.hstack([t.reshape(-1, 1) if t.ndim <= 1 else t for t in tensors])


def dstack(tensors: Any) -> Tensor:
    ts = [t.reshape(1, -1, 1) if t.ndim <= 1 else t.unsqueeze(-1) if t.ndim == 2 else t for t in tensors]
    return join.cat(ts, dim=2)


def block_diag(*tensors: Tensor) -> Tensor:
    """The matrices on the diagonal of one larger matrix, zeros elsewhere."""
    ms = [t.reshape(1, -1) if t.ndim < 2 else t for t in tensors]
    cols = sum(m.shape[1] for m in ms)
    rows, left = [], 0
    for m in ms:
        rows.append(shape.pad(m, (left, cols - left - m.shape[1])))
        left += m.shape[1]
    return join.cat(rows, dim=0)


def kron(input: Tensor, other: Tensor) -> Tensor:
    """The Kronecker product: every element of ``input`` times the whole of ``other``."""
    n = builtins_max(input.ndim, other.ndim)
    a = input.reshape(*([1] * (n - input.ndim)), *input.shape)
    b = other.reshape(*([1] * (n - other.ndim)), *other.shape)
    inter = [d for pair in zip(a.shape, b.shape) for d in pair]
    a = a.reshape(*[d for s in a.shape for d in (s, 1)])
    b = b.reshape(*[d for s in b.shape for d in (1, s)])
    return (a * b).reshape(*[inter[2 * i] * inter[2 * i + 1] for i in range(n)])


def tensordot(a: Tensor, b: Tensor, dims: Any = 2) -> Tensor:
    """Sum of products over ``dims`` (the last n of ``a`` with the first n of ``b``, or two lists of dims)."""
    if isinstance(dims, int):
        da, db = list(range(a.ndim - dims, a.ndim)), list(range(dims))
    else:
        da, db = [list(d) if isinstance(d, (list, tuple)) else [d] for d in dims]
    letters = iter(string.ascii_letters)
    ta = [next(letters) for _ in range(a.ndim)]
    tb = [next(letters) for _ in range(b.ndim)]
    for i, j in zip(da, db):
        tb[j % b.ndim] = ta[i % a.ndim]
    out = [c for c in ta if c not in tb] + [c for c in tb if c not in ta]
    return einsum(f"{''.join(ta)},{''.join(tb)}->{''.join(out)}", a, b)


def cross(input: Tensor, other: Tensor, dim: int | None = None) -> Tensor:
    """The cross product of 3-vectors along ``dim`` (the first dim of size 3 if not given)."""
    if dim is None:
        dim = next(i for i, n in enumerate(input.shape) if n == 3)
    a = [shape.narrow(input, dim, i, 1) for i in range(3)]
    b = [shape.narrow(other, dim, i, 1) for i in range(3)]
    parts = [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]]
    return join.cat(parts, dim=dim)


def take(input: Tensor, index: Tensor) -> Tensor:
    """Elements of the flattened ``input`` at ``index``, in ``index``'s shape."""
    return input.reshape(-1)[index]


def repeat_interleave(input: Any, repeats: Any = None, dim: int | None = None) -> Tensor:
    """Each element (or slice along ``dim``) repeated ``repeats`` times in place: [1, 2] -> [1, 1, 2, 2]."""
    if repeats is None:  # repeat_interleave(counts): the index of each count, repeated
        counts = input._data
        return Tensor._wrap(np.repeat(np.arange(counts.size), counts).astype(np.int64))
    x = input.reshape(-1) if dim is None else input
    d = 0 if dim is None else dim % x.ndim
    idx = np.repeat(np.arange(x.shape[d]), repeats._data if isinstance(repeats, Tensor) else repeats)
    return x.index_select(d, Tensor._wrap(idx.astype(np.int64)))


# ---- searching (integer or bool results, no gradient) --------------------------------------------------------------
def isin(elements: Any, test_elements: Any, *, assume_unique: bool = False, invert: bool = False) -> Tensor:
    e = elements._data if isinstance(elements, Tensor) else np.asarray(elements)
    t = test_elements._data if isinstance(test_elements, Tensor) else np.asarray(test_elements)
    return Tensor._wrap(np.isin(e, t, invert=invert))


def searchsorted(
    sorted_sequence: Tensor, input: Any, *, out_int32: bool = False, right: bool = False, side: str | None = None
) -> Tensor:
    """Where each value would go in the sorted last dim to keep it sorted."""
    side = side or ("right" if right else "left")
    seq = sorted_sequence._data
    values = input._data if isinstance(input, Tensor) else np.asarray(input)
    if seq.ndim == 1:
        out = np.searchsorted(seq, values, side=side)
    else:
        out = np.stack(
            [
                np.searchsorted(s, v, side=side)
                for s, v in zip(seq.reshape(-1, seq.shape[-1]), values.reshape(-1, values.shape[-1]))
            ]
        ).reshape(values.shape)
    return Tensor._wrap(out.astype(np.int32 if out_int32 else np.int64))


def bucketize(input: Any, boundaries: Tensor, *, out_int32: bool = False, right: bool = False) -> Tensor:
    """The bucket of each value among 1-D ``boundaries`` (``right`` flips which side a boundary belongs to)."""
    values = input._data if isinstance(input, Tensor) else np.asarray(input)
    out = np.searchsorted(boundaries._data, values, side="right" if right else "left")
    return Tensor._wrap(np.asarray(out).astype(np.int32 if out_int32 else np.int64))


def result_type(tensor: Any, other: Any) -> dtypes.dtype:
    """The dtype ``tensor + other`` would have (PyTorch's promotion, with Python numbers as weak scalars)."""
    a, b = arithmetic.operands(tensor, other, "result_type")
    return dtypes.to_dtype(arithmetic.result_dtype(a, b))


# ---- scans and rotations ---------------------------------------------------------------------------------------------
def cumprod(input: Tensor, dim: int, *, dtype: Any = None) -> Tensor:
    """Running products along ``dim``: [a, b, c] -> [a, ab, abc].

    A log-depth scan (Hillis-Steele): each step multiplies by the running product ``shift`` places back, so
    log2(n) multiplications give every prefix product. Exact with zeros (no division), and differentiable
    twice, because it is only multiplications and padding.
    """
    x = input if dtype is None else input.type(dtype)
    d = dim % x.ndim if x.ndim else 0
    n = x.shape[d] if x.ndim else 1
    out, shift = x, 1
    while shift < n:
        before = shape.narrow(out, d, 0, n - shift)  # out[i - shift], with 1 for the first `shift` positions
        ones_shape = list(x.shape)
        ones_shape[d] = shift
        out = out * join.cat([before.new_ones(ones_shape), before], dim=d)
        shift *= 2
    return out


def rot90(input: Tensor, k: int = 1, dims: Any = (0, 1)) -> Tensor:
    """Rotate by 90 degrees ``k`` times in the plane of ``dims``, from the first towards the second."""
    a, b = dims
    k %= 4
    if k == 1:
        return shape.flip(input, [b]).transpose(a, b)
    if k == 2:
        return shape.flip(input, [a, b])
    if k == 3:
        return shape.flip(input, [a]).transpose(a, b)
    return input


def histc(input: Tensor, bins: int = 100, min: float = 0, max: float = 0) -> Tensor:
    """Counts in ``bins`` equal bins between ``min`` and ``max`` (the data's own range when both are 0)."""
    a = input._data
    lo, hi = (float(a.min()), float(a.max())) if min == max == 0 and a.size else (min, max)
    if lo == hi:
        lo, hi = lo - 1, hi + 1
    counts, _ = np.histogram(a[(a >= lo) & (a <= hi)], bins=bins, range=(lo, hi))
    return Tensor._wrap(counts.astype(a.dtype))


MedianResult = namedtuple("median", ["values", "indices"])


def median(input: Tensor, dim: int | None = None, keepdim: bool = False) -> Any:
    """The middle value (the lower of the two middle ones for an even count, as PyTorch); with ``dim``,
    ``(values, indices)``. Through ``sort``, so the gradient goes to the element chosen."""
    if dim is None:
        flat = input.reshape(-1)
        return sorting.sort(flat).values[(flat.numel() - 1) // 2]
    d = dim % input.ndim if input.ndim else 0
    values, indices = sorting.sort(input, d)
    k = (input.shape[d] - 1) // 2 if input.ndim else 0
    values, indices = shape.narrow(values, d, k, 1), shape.narrow(indices, d, k, 1)
    if not keepdim:
        values, indices = values.squeeze(d), indices.squeeze(d)
    return MedianResult(values, indices)
