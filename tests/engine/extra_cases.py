"""The op table for the ops added after the first engine (tests/engine/test_extra_ops.py runs it).

Same shape as engine_cases.py: each case is written once as ``fn(L, *tensors, **opts)`` for autolab and torch.
Ops that return several tensors (chunk, split, unbind, sort, topk) are folded back into one output with
different weights per piece, so that a gradient sent to the wrong piece shows.
"""

from __future__ import annotations

import numpy as np
from engine_cases import Case
from engine_strategies import binary, mask_index, nonscalar, permutation, reduce_args, seeds, unary, values
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


@st.composite
def one_dim(draw, kind="any"):
    """An input and an int dim (None sometimes where ``allow_none``)."""
    shape = draw(nonscalar)
    return [values(draw(seeds), shape, kind)], {"dim": draw(st.integers(-len(shape), len(shape) - 1))}


@st.composite
def prod_args(draw):
    """Inputs with at most one exact zero per slice (where the gradient needs the zero-aware rule)."""
    shape = draw(nonscalar)
    s = draw(seeds)
    x = values(s, shape, "away")
    if draw(st.booleans()):
        x.reshape(-1)[np.random.default_rng(s).integers(x.size)] = 0.0
    dim = draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1)))
    return [x], ({} if dim is None else {"dim": dim, "keepdim": draw(st.booleans())})


@st.composite
def norm_args(draw):
    shape = draw(nonscalar)
    nd = len(shape)
    p = draw(st.sampled_from([2, 1, 3, 0.5, float("inf"), "fro"]))
    dim = draw(st.one_of(st.none(), st.integers(-nd, nd - 1), st.sets(st.integers(0, nd - 1), min_size=1)))
    if isinstance(dim, set):  # PyTorch's "fro" takes at most two dims
        dim = tuple(sorted(dim))[: 2 if p == "fro" else None]
    opts = {"p": p, "dim": dim, "keepdim": draw(st.booleans())}
    return [values(draw(seeds), shape, "away")], opts


@st.composite
def dims_subset(draw):
    shape = draw(nonscalar)
    dims = draw(
        st.lists(
            st.integers(-len(shape), len(shape) - 1),
            min_size=1,
            max_size=len(shape),
            unique_by=lambda d: d % len(shape),
        )
    )
    return [values(draw(seeds), shape)], {"dims": tuple(dims)}


@st.composite
def roll_args(draw):
    shape = draw(nonscalar)
    if draw(st.booleans()):
        return [values(draw(seeds), shape)], {"shifts": draw(st.integers(-5, 5)), "dims": None}
    nd = len(shape)
    dims = draw(st.lists(st.integers(0, nd - 1), min_size=1, max_size=nd, unique=True))
    shifts = tuple(draw(st.integers(-4, 4)) for _ in dims)
    return [values(draw(seeds), shape)], {"shifts": shifts, "dims": tuple(dims)}


@st.composite
def repeat_args(draw):
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3))
    extra = draw(st.integers(0 if shape else 1, 1))  # PyTorch wants at least one size
    sizes = tuple(draw(st.integers(1, 3)) for _ in range(len(shape) + extra))
    return [values(draw(seeds), shape)], {"sizes": sizes}


@st.composite
def tile_args(draw):
    shape = draw(nonscalar)
    dims = tuple(draw(st.integers(1, 3)) for _ in range(draw(st.integers(1, len(shape) + 1))))
    return [values(draw(seeds), shape)], {"dims": dims}


@st.composite
def split_args(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5))
    nd = len(shape)
    dim = draw(st.integers(-nd, nd - 1))
    n = shape[dim]
    if draw(st.booleans()):
        sections = draw(st.integers(1, n + 1))
    else:  # a list of sizes adding up to n (zeros allowed, as in PyTorch)
        cuts = sorted(draw(st.lists(st.integers(0, n), max_size=3)))
        sections = [b - a for a, b in zip([0, *cuts], [*cuts, n])]
    return [values(draw(seeds), shape)], {"sections": sections, "dim": dim}


@st.composite
def index_select_args(draw):
    shape = draw(nonscalar)
    nd = len(shape)
    dim = draw(st.integers(-nd, nd - 1))
    idx = np.asarray(draw(st.lists(st.integers(0, shape[dim] - 1), max_size=5)), np.int64)
    return [values(draw(seeds), shape), idx], {"dim": dim}


@st.composite
def narrow_args(draw):
    shape = draw(nonscalar)
    nd = len(shape)
    dim = draw(st.integers(-nd, nd - 1))
    n = shape[dim]
    start = draw(st.integers(-n, n))
    s = start % n if start < 0 else start
    return [values(draw(seeds), shape)], {"dim": dim, "start": start, "length": draw(st.integers(0, n - s))}


@st.composite
def pad_args(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4))
    mode = draw(st.sampled_from(["constant", "reflect", "replicate", "circular"]))
    k = draw(st.integers(1, min(len(shape), 3 if mode == "constant" else 2)))
    if mode != "constant":  # PyTorch pads the last 1 or 2 dims of a batched (N, C, ...) input in these modes
        shape = (2, 1, *shape[-k:])
    pad = []
    for d in range(k):
        n = shape[-1 - d]
        lo = -n + 1 if mode == "constant" else 0
        hi = {"reflect": n - 1, "circular": n}.get(mode, 3)  # PyTorch's limits: reflect < n, circular <= n
        left = draw(st.integers(lo, hi))
        pad += [left, draw(st.integers(max(lo, -n - left), hi))]  # cutting more than n elements is an error
    opts = {"pad": tuple(pad), "mode": mode}
    if mode == "constant" and draw(st.booleans()):
        opts["value"] = 1.5
    return [values(draw(seeds), shape)], opts


@st.composite
def topk_args(draw):
    shape = draw(nonscalar)
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    k = draw(st.integers(0, shape[dim]))
    return [values(draw(seeds), shape, "distinct")], {"k": k, "dim": dim, "largest": draw(st.booleans())}


@st.composite
def matrix_args(draw):
    """A batch of matrices (2-D or 3-D) and a diagonal offset for tril/triu."""
    shape = draw(hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=4))
    return [values(draw(seeds), shape, "away")], {"diagonal": draw(st.integers(-2, 2))}


@st.composite
def select_args(draw):
    shape = draw(nonscalar)
    dim = draw(st.integers(-len(shape), len(shape) - 1))
    return [values(draw(seeds), shape)], {"dim": dim, "index": draw(st.integers(-shape[dim], shape[dim] - 1))}


@st.composite
def linalg_norm_args(draw):
    """torch.linalg.norm: a vector norm over one dim, or a matrix norm (fro, 1, -1, inf, -inf) over two."""
    shape = draw(hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=4))
    nd = len(shape)
    if draw(st.booleans()):
        dims = tuple(draw(st.permutations(range(nd)))[:2])
        ords = ["fro", 1, -1, float("inf"), float("-inf")]
    else:
        dims = draw(st.integers(-nd, nd - 1))
        ords = [2, 1, 3, float("inf")]
    opts = {"ord": draw(st.sampled_from(ords)), "dim": dims, "keepdim": draw(st.booleans())}
    return [values(draw(seeds), shape, "away")], opts


@st.composite
def vectors(draw, n_vectors=2, same=True):
    n = draw(st.integers(1, 4))
    s = draw(seeds)
    return [values(s + i, (n if same else draw(st.integers(1, 4)),)) for i in range(n_vectors)], {}


@st.composite
def scatter_args(draw, unique=False):
    """self, src and an index the shape of src, no larger than self off ``dim``. Positions repeat for scatter_add
    (their contributions add up); scatter writes each position once (which write wins a tie is unspecified)."""
    shape = draw(nonscalar)
    nd = len(shape)
    dim = draw(st.integers(-nd, nd - 1)) % nd
    top = shape[dim] if unique else 4
    ishape = tuple(draw(st.integers(1, n)) if i != dim else draw(st.integers(1, top)) for i, n in enumerate(shape))
    s = draw(seeds)
    rng = np.random.default_rng(s)
    if unique:  # a random permutation of the positions along dim, cut to ishape
        full = rng.permuted(
            np.broadcast_to(
                np.arange(shape[dim]).reshape([-1 if i == dim else 1 for i in range(nd)]),
                [shape[dim] if i == dim else m for i, m in enumerate(ishape)],
            ),
            axis=dim,
        )
        index = full[tuple(slice(0, m) for m in ishape)]
    else:
        index = rng.integers(0, shape[dim], ishape)
    return [values(s, shape), values(s + 1, ishape), np.ascontiguousarray(index)], {"dim": dim}


def _weighted(L, pieces, dim):
    """Join pieces back with weights 1, 2, 3, ...: a gradient routed to the wrong piece changes the result."""
    return L.t.cat([p * (i + 1) for i, p in enumerate(pieces)], dim)


def _rounding(L, a):
    return a.floor() + 2 * L.t.ceil(a) + 3 * L.t.round(a * 3) + a.trunc() + L.t.round(a, decimals=1) + a * a


EXTRA_CASES = [
    # elementwise
    Case("square", unary(), lambda L, a: L.t.square(a) + a.square()),
    Case("expm1", unary(), lambda L, a: L.t.expm1(a)),
    Case("log1p", unary("pos"), lambda L, a: (a - 0.4).log1p()),
    Case("log2", unary("pos"), lambda L, a: L.t.log2(a)),
    Case("log10", unary("pos"), lambda L, a: a.log10()),
    Case("rsqrt", unary("pos"), lambda L, a: L.t.rsqrt(a)),
    Case("reciprocal", unary("away"), lambda L, a: a.reciprocal()),
    Case("erf", unary(), lambda L, a: L.t.erf(a)),
    Case("rounding", unary(), _rounding),
    Case("trig", unary(), lambda L, a: L.t.tan(a * 0.6) + a.atan() + L.t.sinh(a) + a.cosh()),
    Case("inverse_trig", unary(), lambda L, a: L.t.asin(a * 0.45) + (a * 0.45).acos() + L.t.arctan(a)),
    Case("remainder_fmod", binary("any", "away"), lambda L, a, b: L.t.remainder(a * 3, b) + L.t.fmod(a * 3, b), (0, 1)),
    Case("clamp_min_max", unary("away"), lambda L, a: a.clamp_min(-0.5) + a.clamp_max(0.3) + L.t.clamp_min(a, 0.0)),
    # reductions
    Case("prod", prod_args(), lambda L, a, **o: a.prod(**o)),
    Case("cumsum", one_dim(), lambda L, a, dim: L.t.cumsum(a, dim) * L.t.cumsum(a, dim=0)),
    Case(
        "logsumexp",
        reduce_args(),
        lambda L, a, dim=None, keepdim=False: L.t.logsumexp(a, tuple(range(a.ndim)) if dim is None else dim, keepdim),
    ),
    Case("norm", norm_args(), lambda L, a, **o: a.norm(**o)),
    Case("norm_fn", unary("away", nonscalar), lambda L, a: L.t.norm(a) + L.t.norm(a, 1)),
    Case("linalg_norm", linalg_norm_args(), lambda L, a, **o: L.t.linalg.norm(a, **o)),
    Case("linalg_norm_all", unary("away", nonscalar), lambda L, a: L.t.linalg.norm(a) + L.t.linalg.vector_norm(a, 1)),
    # sorting: the values are differentiable
    Case("sort", one_dim("distinct"), lambda L, a, dim: a.sort(dim)[0] + L.t.sort(a, dim, descending=True).values),
    Case("topk", topk_args(), lambda L, a, **o: L.t.topk(a, **o).values),
    # indexing and shape
    Case("masked_fill", mask_index(), lambda L, a, m: a.masked_fill(m, 0.5) + L.t.masked_fill(a, m[..., :1], -2.0)),
    Case("index_select", index_select_args(), lambda L, a, i, dim: a.index_select(dim, i)),
    Case("narrow", narrow_args(), lambda L, a, **o: a.narrow(**o)),
    Case("select", select_args(), lambda L, a, dim, index: a.select(dim, index)),
    Case(
        "masked_select", mask_index(), lambda L, a, m: L.t.masked_select(a, m) * 2 + a.masked_select(m[..., :1]).sum()
    ),
    Case("scatter_add", scatter_args(), lambda L, a, s, i, dim: a.scatter_add(dim, i, s), (0, 1)),
    Case("scatter", scatter_args(unique=True), lambda L, a, s, i, dim: L.t.scatter(a * 1, dim, i, s), (0, 1)),
    Case("dot_outer", vectors(), lambda L, a, b: L.t.outer(a, b) * L.t.dot(a, b), (0, 1)),
    Case(
        "diag_trace",
        matrix_args(),
        lambda L, a, diagonal: (
            L.t.diag(a[0].diagonal(diagonal) if a.ndim == 3 else L.t.diag(a, diagonal), 1)
            + a.reshape(-1, a.shape[-1]).trace()
        ),
    ),
    Case("diagonal", matrix_args(), lambda L, a, diagonal: L.t.diagonal(a, diagonal, -1, 0)),
    Case("movedim_swap", permutation(), lambda L, a, dims: L.t.movedim(a, dims[0], -1).swapaxes(0, -1) * 2),
    Case("unflatten", one_dim(), lambda L, a, dim: a.unflatten(dim, (1, a.shape[dim], 1))),
    Case(
        "broadcast_stack",
        unary(shape=hnp.array_shapes(min_dims=2, max_dims=2, max_side=3)),
        lambda L, a: L.t.hstack([a, L.t.broadcast_to(a[:, :1], (a.shape[0], 2))]) + L.t.vstack([a[0], a[1:]]).sum(),
    ),
    Case("tril_triu", matrix_args(), lambda L, a, diagonal: L.t.tril(a, diagonal) + a.triu(diagonal) * 2),
    Case("flip", dims_subset(), lambda L, a, dims: L.t.flip(a, dims) * a),
    Case("roll", roll_args(), lambda L, a, **o: a.roll(**o) * a),
    Case("repeat", repeat_args(), lambda L, a, sizes: a.repeat(*sizes)),
    Case("tile", tile_args(), lambda L, a, dims: L.t.tile(a, dims)),
    Case(
        "chunk",
        split_args(),
        lambda L, a, sections, dim: _weighted(
            L, a.chunk(max(1, len(sections) if isinstance(sections, list) else sections), dim), dim
        ),
    ),
    Case("split", split_args(), lambda L, a, sections, dim: _weighted(L, L.t.split(a, sections, dim), dim)),
    Case("unbind", one_dim(), lambda L, a, dim: L.t.stack([p * (i + 1) for i, p in enumerate(a.unbind(dim))], dim)),
    Case("pad", pad_args(), lambda L, a, **o: L.F.pad(a, **o)),
]
