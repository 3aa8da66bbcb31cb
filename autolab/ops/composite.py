"""Functions built from other ops: einsum, addmm, mv, lerp, diff, meshgrid, cdist, std_mean, nan_to_num, ...

None of them needs a backward of its own: each is a few calls to ops that have one, so autograd (and double
backward) comes for free. ``einsum`` is the longest: it turns a contraction into permutes, reshapes and batched
matrix products, which is also how PyTorch computes it.
"""

from __future__ import annotations

import string
from typing import Any

from .. import dtypes
from ..creation import tensor
from ..tensor import Tensor
from . import join, matmul, reduce, rounding, shape, unary


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
