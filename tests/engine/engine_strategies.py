"""Hypothesis strategies for the op table: each draws numpy inputs (float64) and the op's options.

Values come from a numpy generator seeded by hypothesis, so shapes shrink but values stay well-behaved: kept away
from kinks (|x| = 0 for abs and relu, ties for max) so that finite differences are meaningful.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

seeds = st.integers(0, 2**32 - 1)
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)
nonscalar = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3)


def values(seed: int, shape: tuple, kind: str = "any") -> np.ndarray:
    """float64 test values: 'any' in (-2, 2), 'pos' in (0.5, 2), 'away' with 0.1 <= |x| <= 2."""
    rng = np.random.default_rng(seed)
    if kind == "pos":
        return rng.uniform(0.5, 2.0, shape)
    if kind == "away":
        return rng.uniform(0.1, 2.0, shape) * rng.choice([-1.0, 1.0], shape)
    if kind == "distinct":  # no two equal, gaps of at least 0.1: max/min have a unique winner
        n = int(np.prod(shape))
        return (rng.permutation(n) * 0.3 + rng.uniform(0, 0.1, n) - 0.15 * n).reshape(shape)
    return rng.uniform(-2.0, 2.0, shape)


@st.composite
def unary(draw, kind="any", shape=shapes):
    return [values(draw(seeds), draw(shape), kind)], {}


@st.composite
def binary(draw, kind_a="any", kind_b="any"):
    bs = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3))
    sa, sb = bs.input_shapes
    s = draw(seeds)
    return [values(s, sa, kind_a), values(s + 1, sb, kind_b)], {}


@st.composite
def matmul_shapes(draw, forms=("2d", "batched", "vec@mat", "mat@vec", "vec@vec")):
    n, k, m = draw(st.integers(1, 3)), draw(st.integers(1, 3)), draw(st.integers(1, 3))
    batch = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2, max_side=2))
    ba, bb = batch.input_shapes
    form = draw(st.sampled_from(forms))
    if form == "2d":
        sa, sb = (n, k), (k, m)
    elif form == "batched":
        sa, sb = (*ba, n, k), (*bb, k, m)
    elif form == "vec@mat":
        sa, sb = (k,), (*bb, k, m)
    elif form == "mat@vec":
        sa, sb = (*ba, n, k), (k,)
    else:
        sa, sb = (k,), (k,)
    s = draw(seeds)
    return [values(s, sa), values(s + 1, sb)], {}


@st.composite
def reduce_args(draw, kind="any", min_count=1, need_dim=False):
    """An input and a ``dim`` (None, an int or a tuple) with ``keepdim``; at least ``min_count`` elements reduced."""
    shape = draw(nonscalar)
    nd = len(shape)
    # need_dim: a single int dim (max/min along a dim return values and indices)
    choice = draw(st.sampled_from(["int"] if need_dim else ["none", "int", "tuple"]))
    if choice == "none":
        dim, axes = None, tuple(range(nd))
    elif choice == "int":
        d = draw(st.integers(-nd, nd - 1))
        dim, axes = d, (d % nd,)
    else:
        axes = tuple(sorted(draw(st.sets(st.integers(0, nd - 1), min_size=1))))
        dim = axes
    if int(np.prod([shape[a] for a in axes])) < min_count:
        shape = tuple(max(n, min_count) if i in axes else n for i, n in enumerate(shape))
    opts = {} if dim is None else {"dim": dim, "keepdim": draw(st.booleans())}  # torch: keepdim needs a dim
    return [values(draw(seeds), shape, kind)], opts


@st.composite
def dim_of(draw, kind="any"):
    shape = draw(nonscalar)
    return [values(draw(seeds), shape, kind)], {"dim": draw(st.integers(-len(shape), len(shape) - 1))}


@st.composite
def permutation(draw):
    shape = draw(nonscalar)
    return [values(draw(seeds), shape)], {"dims": tuple(draw(st.permutations(range(len(shape)))))}


@st.composite
def two_dims(draw):
    shape = draw(nonscalar)
    nd = len(shape)
    return [values(draw(seeds), shape)], {"d0": draw(st.integers(-nd, nd - 1)), "d1": draw(st.integers(-nd, nd - 1))}


@st.composite
def expandable(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    base = tuple(1 if draw(st.booleans()) else n for n in shape)
    lead = draw(st.lists(st.integers(1, 3), max_size=1))
    target = tuple(lead) + tuple(n if draw(st.booleans()) or b == 1 else -1 for n, b in zip(shape, base))
    return [values(draw(seeds), base)], {"size": target}


@st.composite
def flatten_args(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=3))
    nd = len(shape)
    s = draw(st.integers(0, nd - 1))
    e = draw(st.integers(s, nd - 1))
    return [values(draw(seeds), shape)], {"start_dim": s, "end_dim": e - nd if draw(st.booleans()) else e}


@st.composite
def reshape_args(draw):
    shape = draw(nonscalar)
    n = int(np.prod(shape))
    factors = [f for f in range(1, n + 1) if n % f == 0]
    a = draw(st.sampled_from(factors))
    target = draw(st.sampled_from([(n,), (a, n // a), (a, -1), (-1, 1, a), (1, n // a, a)]))
    return [values(draw(seeds), shape)], {"shape": target}


@st.composite
def squeeze_args(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=2))
    dim = draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1)))
    return [values(draw(seeds), shape)], ({} if dim is None else {"dim": dim})


@st.composite
def unsqueeze_args(draw):
    shape = draw(shapes)
    return [values(draw(seeds), shape)], {"dim": draw(st.integers(-len(shape) - 1, len(shape)))}


@st.composite
def slicing(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    idx = []
    for n in shape:
        kind = draw(st.sampled_from(["slice", "int", "all"]))
        if kind == "int":
            idx.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            start = draw(st.one_of(st.none(), st.integers(-n, n)))
            stop = draw(st.one_of(st.none(), st.integers(-n, n)))
            idx.append(slice(start, stop, draw(st.integers(1, 2))))
        else:
            idx.append(slice(None))
    return [values(draw(seeds), shape)], {"index": tuple(idx)}


@st.composite
def int_array_index(draw, min_dims=1):
    """x[idx] and x[idx, 1:] with repeated indices: backward must add, not overwrite."""
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=3, min_side=1, max_side=3))
    idx = np.asarray(draw(st.lists(st.integers(-shape[0], shape[0] - 1), min_size=1, max_size=5)), np.int64)
    return [values(draw(seeds), shape), idx], {}


@st.composite
def mask_index(draw):
    shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3))
    s = draw(seeds)
    return [values(s, shape), np.random.default_rng(s).random(shape) > 0.5], {}


@st.composite
def gather_args(draw):
    """torch.gather with an index that repeats positions (their gradients must add up)."""
    shape = draw(nonscalar)
    nd = len(shape)
    dim = draw(st.integers(-nd, nd - 1))
    ishape = tuple(
        draw(st.integers(1, n + 1)) if i != dim % nd else draw(st.integers(1, 4)) for i, n in enumerate(shape)
    )
    ishape = tuple(min(m, n) if i != dim % nd else m for i, (m, n) in enumerate(zip(ishape, shape)))
    s = draw(seeds)
    index = np.random.default_rng(s).integers(0, shape[dim], ishape)
    return [values(s, shape), index], {"dim": dim}


@st.composite
def cat_args(draw, same=False):
    shape = draw(nonscalar)
    nd = len(shape)
    dim = draw(st.integers(-nd, nd - 1)) if not same else draw(st.integers(-nd - 1, nd))
    k = draw(st.integers(1, 3))
    s = draw(seeds)
    arrays = []
    for i in range(k):
        sh = list(shape)
        if not same:
            sh[dim] = draw(st.integers(1, 3))
        arrays.append(values(s + i, tuple(sh)))
    return arrays, {"dim": dim}


@st.composite
def where_args(draw):
    bs = draw(hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3, max_side=3))
    sc, sa, sb = bs.input_shapes
    s = draw(seeds)
    return [np.random.default_rng(s).random(sc) > 0.5, values(s, sa), values(s + 1, sb)], {}


@st.composite
def conv_args(draw):
    n, c, o = draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 2))
    kh, kw = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    stride, padding = draw(st.integers(1, 2)), draw(st.integers(0, 1))
    h, w = draw(st.integers(max(kh - 2 * padding, 1), 5)), draw(st.integers(max(kw - 2 * padding, 1), 5))
    s = draw(seeds)
    bias = values(s + 2, (o,)) if draw(st.booleans()) else None
    return [values(s, (n, c, h, w)), values(s + 1, (o, c, kh, kw)), bias], {"stride": stride, "padding": padding}


@st.composite
def pool_args(draw, kind="any"):
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 2))
    k = draw(st.integers(1, 3))
    stride = draw(st.one_of(st.none(), st.integers(1, 2)))
    padding = draw(st.integers(0, k // 2))
    h, w = draw(st.integers(max(k - 2 * padding, 1), 5)), draw(st.integers(max(k - 2 * padding, 1), 5))
    return [values(draw(seeds), (n, c, h, w), kind)], {"kernel_size": k, "stride": stride, "padding": padding}


@st.composite
def loss_pair(draw, kind_in="any", kind_t="any"):
    shape = draw(shapes)
    s = draw(seeds)
    return [values(s, shape, kind_in), values(s + 1, shape, kind_t)], {
        "reduction": draw(st.sampled_from(["mean", "sum", "none"]))
    }


@st.composite
def class_args(draw, log_probs=False):
    n, c = draw(st.integers(1, 4)), draw(st.integers(2, 4))
    spatial = tuple(draw(st.lists(st.integers(1, 2), max_size=1)))
    s = draw(seeds)
    rng = np.random.default_rng(s)
    x = values(s, (n, c, *spatial))
    if log_probs:
        x = x - np.log(np.exp(x).sum(axis=1, keepdims=True))
    target = rng.integers(0, c, (n, *spatial))
    opts = {"reduction": draw(st.sampled_from(["mean", "sum", "none"]))}
    # ignore one of the classes actually present, unless that would ignore every target (mean = 0/0 = nan)
    if draw(st.booleans()) and (target != target.ravel()[0]).any():
        opts["ignore_index"] = int(target.ravel()[0])
    return [x, target], opts


@st.composite
def weighted_class_args(draw, log_probs=False):
    arrays, opts = draw(class_args(log_probs))
    c = arrays[0].shape[1]
    return [*arrays, np.random.default_rng(draw(seeds)).uniform(0.2, 2.0, c)], opts


@st.composite
def batch_norm_args(draw, training=True):
    n = draw(st.integers(2, 4))
    c = draw(st.integers(1, 3))
    spatial = draw(st.sampled_from([(), (2,), (2, 2)]))
    s = draw(seeds)
    rng = np.random.default_rng(s)
    arrays = [values(s, (n, c, *spatial)), values(s + 1, (c,)), values(s + 2, (c,))]
    if not training:
        arrays += [rng.uniform(-1, 1, c), rng.uniform(0.5, 2, c)]
    return arrays, {}
