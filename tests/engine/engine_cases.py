"""The table of op cases that both the finite-difference tests and the PyTorch comparisons run.

A case draws numpy inputs (with hypothesis: shapes with broadcasting and size-1 dims) and applies one function
written once for both libraries, ``fn(L, *tensors, **opts)``, where ``L.t`` is autolab or torch and ``L.F`` the
functional module. Inputs listed in ``diff`` require grad. Values are kept away from kinks (|x| = 0 for abs and
relu, ties for max) so that finite differences are meaningful.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp


@dataclass
class Case:
    name: str
    inputs: Any  # strategy -> (list of arrays, dict of options)
    fn: Callable
    diff: tuple = (0,)
    torch: bool = True  # False where the result is random (dropout) so PyTorch can't be an oracle
    rtol: float = 1e-7
    extra: dict = field(default_factory=dict)


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


def _mse(L, a, b, reduction):
    return L.F.mse_loss(a, b, reduction=reduction)


def _bn_eval(L, x, w, b, rm, rv):
    return L.F.batch_norm(x, rm, rv, w, b, training=False)


def _dropout(L, x):
    L.t.manual_seed(0)
    return L.F.dropout(x, p=0.4, training=True)


CASES = [
    # arithmetic, broadcasting both ways
    Case("add", binary(), lambda L, a, b: a + b, (0, 1)),
    Case("add_alpha", binary(), lambda L, a, b: L.t.add(a, b, alpha=2.5), (0, 1)),
    Case("sub", binary(), lambda L, a, b: a - b, (0, 1)),
    Case("mul", binary(), lambda L, a, b: a * b, (0, 1)),
    Case("div", binary("any", "away"), lambda L, a, b: a / b, (0, 1)),
    Case("pow_tensor", binary("pos", "any"), lambda L, a, b: a**b, (0, 1)),
    Case("neg", unary(), lambda L, a: -a),
    Case("scalar_forms", unary("away"), lambda L, a: (2.5 - a) * 3 + 1.5 / a - a / 4 + (1 - a)),
    Case("pow_scalar_int", unary(), lambda L, a: a**3 + a**2),
    Case("pow_scalar_frac", unary("pos"), lambda L, a: a**0.5 + a**-1.5),
    Case("rpow", unary(), lambda L, a: 2**a),
    Case("matmul", matmul_shapes(), lambda L, a, b: a @ b, (0, 1)),
    Case("mm", matmul_shapes(forms=("2d",)), lambda L, a, b: L.t.mm(a, b), (0, 1)),
    # elementwise
    Case("exp", unary(), lambda L, a: L.t.exp(a)),
    Case("log", unary("pos"), lambda L, a: L.t.log(a)),
    Case("sqrt", unary("pos"), lambda L, a: a.sqrt()),
    Case("abs", unary("away"), lambda L, a: a.abs()),
    Case("tanh", unary(), lambda L, a: L.t.tanh(a)),
    Case("sigmoid", unary(), lambda L, a: L.t.sigmoid(a)),
    Case("relu", unary("away"), lambda L, a: L.F.relu(a)),
    Case("leaky_relu", unary("away"), lambda L, a: L.F.leaky_relu(a, 0.2)),
    Case("clamp", unary("away"), lambda L, a: a.clamp(-0.5, 1.05)),
    Case("clamp_min", unary("away"), lambda L, a: L.t.clamp(a, min=0.0)),
    # reductions
    Case("sum", reduce_args(), lambda L, a, **o: a.sum(**o)),
    Case("mean", reduce_args(), lambda L, a, **o: a.mean(**o)),
    Case("var", reduce_args(min_count=2), lambda L, a, **o: a.var(**o)),
    Case("var_biased", reduce_args(), lambda L, a, **o: a.var(**o, unbiased=False)),
    Case("std", reduce_args(min_count=2), lambda L, a, **o: a.std(**o)),
    Case("max_all", unary("distinct", nonscalar), lambda L, a: a.max()),
    Case("min_all", unary("distinct", nonscalar), lambda L, a: L.t.min(a)),
    Case(
        "max_dim",
        reduce_args("distinct", need_dim=True),
        lambda L, a, dim, keepdim: a.max(dim, keepdim=keepdim).values,
    ),
    Case(
        "min_dim",
        reduce_args("distinct", need_dim=True),
        lambda L, a, dim, keepdim: L.t.min(a, dim=dim, keepdim=keepdim)[0],
    ),
    Case("softmax", dim_of(), lambda L, a, dim: L.F.softmax(a, dim=dim)),
    Case("log_softmax", dim_of(), lambda L, a, dim: a.log_softmax(dim)),
    # shape
    Case("reshape", reshape_args(), lambda L, a, shape: a.reshape(shape)),
    Case("view", reshape_args(), lambda L, a, shape: a.view(*shape)),
    Case("flatten", flatten_args(), lambda L, a, **o: L.t.flatten(a, **o)),
    Case("squeeze", squeeze_args(), lambda L, a, **o: a.squeeze(**o)),
    Case("unsqueeze", unsqueeze_args(), lambda L, a, dim: a.unsqueeze(dim)),
    Case("transpose", two_dims(), lambda L, a, d0, d1: a.transpose(d0, d1)),
    Case("permute", permutation(), lambda L, a, dims: a.permute(*dims)),
    Case("T", unary(shape=hnp.array_shapes(min_dims=2, max_dims=2, max_side=3)), lambda L, a: a.T * 1),
    Case("expand", expandable(), lambda L, a, size: a.expand(*size)),
    Case("contiguous", permutation(), lambda L, a, dims: a.permute(*dims).contiguous().view(-1)),
    # indexing
    Case("slice", slicing(), lambda L, a, index: a[index]),
    Case("int_array", int_array_index(), lambda L, a, i: a[i]),
    Case("int_array_mixed", int_array_index(min_dims=2), lambda L, a, i: a[i, 1:]),
    Case("bool_mask", mask_index(), lambda L, a, m: a[m]),
    Case("gather", gather_args(), lambda L, a, i, dim: a.gather(dim, i)),
    Case("cat", cat_args(), lambda L, *xs, dim: L.t.cat(list(xs), dim=dim), (0, 1, 2)),
    Case("stack", cat_args(same=True), lambda L, *xs, dim: L.t.stack(xs, dim), (0, 1, 2)),
    Case("where", where_args(), lambda L, c, a, b: L.t.where(c, a, b), (1, 2)),
    # conv and pooling
    Case("conv2d", conv_args(), lambda L, x, w, b, **o: L.F.conv2d(x, w, b, **o), (0, 1, 2)),
    Case("max_pool2d", pool_args("distinct"), lambda L, x, **o: L.F.max_pool2d(x, **o)),
    Case("avg_pool2d", pool_args(), lambda L, x, **o: L.F.avg_pool2d(x, **o)),
    # losses
    Case("mse_loss", loss_pair(), _mse, (0, 1)),
    Case("l1_loss", loss_pair(), lambda L, a, b, reduction: L.F.l1_loss(a, b, reduction=reduction), (0, 1)),
    Case("cross_entropy", class_args(), lambda L, x, t, **o: L.F.cross_entropy(x, t, **o)),
    Case(
        "cross_entropy_weighted", weighted_class_args(), lambda L, x, t, w, **o: L.F.cross_entropy(x, t, weight=w, **o)
    ),
    Case("nll_loss_weighted", weighted_class_args(log_probs=True), lambda L, x, t, w, **o: L.F.nll_loss(x, t, w, **o)),
    Case("nll_loss", class_args(log_probs=True), lambda L, x, t, **o: L.F.nll_loss(x, t, **o)),
    Case(
        "bce",
        loss_pair("pos", "any").map(lambda c: ([c[0][0] / 2.5, (c[0][1] + 2) / 4], c[1])),
        lambda L, p, t, reduction: L.F.binary_cross_entropy(p, t, reduction=reduction),
        (0,),
    ),
    Case(
        "bce_with_logits",
        loss_pair("any", "any").map(lambda c: ([c[0][0] * 3, (c[0][1] + 2) / 4], c[1])),
        lambda L, x, t, reduction: L.F.binary_cross_entropy_with_logits(x, t, reduction=reduction),
        (0, 1),
    ),
    Case(
        "bce_with_logits_pos_weight",
        loss_pair("any", "any").map(lambda c: ([c[0][0] * 3, (c[0][1] + 2) / 4], c[1])),
        lambda L, x, t, reduction: L.F.binary_cross_entropy_with_logits(
            x, t, reduction=reduction, pos_weight=L.t.ones_like(t) * 2.0
        ),
        (0,),
    ),
    # normalisation and dropout
    Case(
        "batch_norm_train",
        batch_norm_args(),
        lambda L, x, w, b: L.F.batch_norm(x, None, None, w, b, training=True),
        (0, 1, 2),
        rtol=1e-6,
    ),
    Case("batch_norm_eval", batch_norm_args(training=False), _bn_eval, (0, 1, 2)),
    Case("dropout", unary(), _dropout, torch=False),
]

BY_NAME = {c.name: c for c in CASES}
