"""The table of op cases that both the finite-difference tests and the PyTorch comparisons run.

A case draws numpy inputs (with hypothesis: shapes with broadcasting and size-1 dims) and applies one function
written once for both libraries, ``fn(L, *tensors, **opts)``, where ``L.t`` is autolab or torch and ``L.F`` the
functional module. Inputs listed in ``diff`` require grad. Values are kept away from kinks (|x| = 0 for abs and
relu, ties for max) so that finite differences are meaningful.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from engine_strategies import (
    batch_norm_args,
    binary,
    cat_args,
    class_args,
    conv_args,
    dim_of,
    expandable,
    flatten_args,
    gather_args,
    int_array_index,
    loss_pair,
    mask_index,
    matmul_shapes,
    nonscalar,
    permutation,
    pool_args,
    reduce_args,
    reshape_args,
    slicing,
    squeeze_args,
    two_dims,
    unary,
    unsqueeze_args,
    weighted_class_args,
    where_args,
)
from hypothesis.extra import numpy as hnp


@dataclass
class Case:
    name: str
    inputs: Any  # strategy -> (list of arrays, dict of options)
    fn: Callable
    diff: tuple = (0,)
    torch: bool = True  # False where the result is random (dropout) so PyTorch can't be an oracle
    rtol: float = 1e-7


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
    Case("sin", unary(), lambda L, a: L.t.sin(a)),
    Case("cos", unary(), lambda L, a: (a * 2).cos()),
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
