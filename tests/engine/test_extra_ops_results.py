"""The new ops' integer and boolean results (indices, counts, positions, predicates) against PyTorch, their
in-place and constructor forms, and their error messages. The gradients are in test_extra_ops.py."""

from __future__ import annotations

import numpy as np
import pytest
from engine_helpers import dtype_name, to_np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import autolab

torch = pytest.importorskip("torch")

# small integers, so that ties are common: the order among equal elements is what a stable sort promises
tie_arrays = st.tuples(
    hnp.arrays(np.int64, hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5), elements=st.integers(0, 3)),
    st.sampled_from([np.int64, np.float64, np.bool_]),
).map(lambda a: a[0].astype(a[1]))


def same(a, t, what=""):
    """Same values, shape and dtype as the torch result."""
    assert dtype_name(a.dtype) == dtype_name(t.dtype), f"{what}: {a.dtype} vs {t.dtype}"
    np.testing.assert_array_equal(to_np(a), to_np(t), err_msg=what)


@settings(max_examples=25, deadline=None)
@given(tie_arrays, st.data())
def test_sort_and_argsort_match_torch_stable_with_ties(arr, data):
    dim = data.draw(st.integers(-arr.ndim, arr.ndim - 1))
    desc = data.draw(st.booleans())
    a, t = autolab.tensor(arr), torch.tensor(arr)
    av, ai = a.sort(dim=dim, descending=desc, stable=True)
    tv, ti = torch.sort(t, dim=dim, descending=desc, stable=True)
    same(av, tv, "sort values")
    same(ai, ti, "sort indices")
    same(
        autolab.argsort(a, dim=dim, descending=desc, stable=True),
        torch.argsort(t, dim=dim, descending=desc, stable=True),
    )


def test_sort_puts_nan_last_ascending_and_first_descending():
    x = [1.0, float("nan"), 0.0, 2.0]
    for desc in (False, True):
        av, ai = autolab.sort(autolab.tensor(x), descending=desc)
        tv, ti = torch.sort(torch.tensor(x), descending=desc, stable=True)
        np.testing.assert_array_equal(to_np(av), to_np(tv))
        same(ai, ti)


@settings(max_examples=20, deadline=None)
@given(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=5), st.data())
def test_topk_values_and_indices_match_torch(shape, data):
    arr = np.random.default_rng(data.draw(st.integers(0, 99))).permutation(int(np.prod(shape))).reshape(shape)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    k = data.draw(st.integers(0, shape[dim]))
    largest = data.draw(st.booleans())
    for x in (arr, arr * 0.5):  # int64 and float64
        av, ai = autolab.tensor(x).topk(k, dim=dim, largest=largest)
        tv, ti = torch.topk(torch.tensor(x), k, dim=dim, largest=largest)
        same(av, tv, "topk values")
        same(ai, ti, "topk indices")


@settings(max_examples=20, deadline=None)
@given(tie_arrays)
def test_unique_with_inverse_and_counts_matches_torch(arr):
    a, t = autolab.tensor(arr), torch.tensor(arr)
    same(autolab.unique(a), torch.unique(t))
    for got, want in zip(
        a.unique(return_inverse=True, return_counts=True), torch.unique(t, return_inverse=True, return_counts=True)
    ):
        same(got, want, "unique")
    u, c = autolab.unique(a, return_counts=True)
    assert int(c.sum()) == arr.size


@pytest.mark.parametrize("weights", [None, np.float32, np.float64])
@pytest.mark.parametrize("minlength", [0, 7])
def test_bincount_matches_torch(weights, minlength):
    x = np.array([1, 3, 3, 0, 5, 3])
    w = None if weights is None else np.linspace(0.5, 3, 6).astype(weights)
    got = autolab.bincount(autolab.tensor(x), None if w is None else autolab.tensor(w), minlength=minlength)
    want = torch.bincount(torch.tensor(x), None if w is None else torch.tensor(w), minlength=minlength)
    assert dtype_name(got.dtype) == dtype_name(want.dtype)
    np.testing.assert_allclose(to_np(got), to_np(want))
    assert autolab.tensor(x).bincount().tolist() == [1, 1, 0, 3, 0, 1]


@settings(max_examples=20, deadline=None)
@given(
    hnp.arrays(
        np.float64, hnp.array_shapes(min_dims=0, max_dims=3, max_side=4), elements=st.sampled_from([0.0, 1.5, -2.0])
    )
)
def test_nonzero_both_forms_match_torch(arr):
    a, t = autolab.tensor(arr), torch.tensor(arr)
    same(a.nonzero(), torch.nonzero(t))
    same(autolab.argwhere(a), torch.argwhere(t))
    got, want = autolab.nonzero(a, as_tuple=True), torch.nonzero(t, as_tuple=True)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        same(g, w)
    if arr.ndim:
        np.testing.assert_array_equal(to_np(a[a.nonzero(as_tuple=True)]), arr[arr != 0])
    same(autolab.count_nonzero(a), torch.count_nonzero(t))


@pytest.mark.parametrize("dt", [np.bool_, np.int64, np.float32, np.uint8])
@pytest.mark.parametrize("dim,keepdim", [(None, False), (0, False), (1, True), (-1, False)])
def test_all_any_match_torch(dt, dim, keepdim):
    arr = np.array([[1, 0, 2], [1, 1, 1]]).astype(dt)
    a, t = autolab.tensor(arr), torch.tensor(arr)
    for name in ("all", "any"):
        got = getattr(a, name)() if dim is None else getattr(autolab, name)(a, dim, keepdim=keepdim)
        want = getattr(t, name)() if dim is None else getattr(torch, name)(t, dim, keepdim=keepdim)
        same(got, want, name)


@pytest.mark.parametrize("dt", [np.float32, np.float64, np.int64])
def test_isnan_isinf_isfinite_match_torch(dt):
    arr = np.array([1.0, np.nan, np.inf, -np.inf, 0.0]) if dt != np.int64 else np.array([1, -3, 0])
    a, t = autolab.tensor(arr.astype(dt)), torch.tensor(arr.astype(dt))
    for name in ("isnan", "isinf", "isfinite"):
        same(getattr(autolab, name)(a), getattr(torch, name)(t), name)
        same(getattr(a, name)(), getattr(t, name)(), name)


def test_rounding_values_dtypes_and_zero_gradient_match_torch():
    x = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 1.25, -0.7, 2.0, 3.14159])
    for name in ("floor", "ceil", "round", "trunc"):
        for arr in (x, x.astype(np.float32), np.array([-3, 0, 4])):
            same(getattr(autolab, name)(autolab.tensor(arr)), getattr(torch, name)(torch.tensor(arr)), name)
    same(autolab.tensor(x).round(decimals=2), torch.tensor(x).round(decimals=2))
    a = autolab.tensor(x, requires_grad=True)
    t = torch.tensor(x, requires_grad=True)
    ya, yt = a.floor() + a.round() * a, t.floor() + t.round() * t
    assert ya.grad_fn.next_functions[0][0].name() == "FloorBackward0"
    ya.sum().backward()
    yt.sum().backward()
    np.testing.assert_array_equal(to_np(a.grad), to_np(t.grad))  # round(x) * x: only the x factor counts


def test_prod_gradient_with_zeros_and_integer_dtypes_match_torch():
    for row in ([2.0, 0.0, 5.0, 3.0], [2.0, 0.0, 0.0, 3.0], [0.0, 0.0, 0.0, 0.0]):
        arr = np.array([row, [1.5, -2.0, 0.5, 4.0]])
        for kw in ({}, {"dim": 1}, {"dim": 0, "keepdim": True}):
            a, t = autolab.tensor(arr, requires_grad=True), torch.tensor(arr, requires_grad=True)
            a.prod(**kw).sum().backward()
            t.prod(**kw).sum().backward()
            np.testing.assert_allclose(to_np(a.grad), to_np(t.grad), err_msg=f"{row} {kw}")
    for dt in (np.int32, np.int64, np.bool_):
        ints = np.array([[1, 2], [3, 1]]).astype(dt)
        for f in (
            lambda L, x: L.prod(x),
            lambda L, x: L.prod(x, 0),
            lambda L, x: L.cumsum(x, 1),
            lambda L, x: L.square(x),
        ):
            same(f(autolab, autolab.tensor(ints)), f(torch, torch.tensor(ints)), str(dt))


def test_norm_at_zero_has_zero_gradient_and_matches_torch():
    for p in (2, 1, float("inf"), "fro"):
        a, t = autolab.zeros(3, requires_grad=True), torch.zeros(3, requires_grad=True)
        a.norm(p=p).backward()
        t.norm(p=p).backward()
        np.testing.assert_array_equal(to_np(a.grad), to_np(t.grad))
    same(autolab.tensor([3.0, -4.0, 0.0]).norm(p=0), torch.tensor([3.0, -4.0, 0.0]).norm(p=0))
    assert autolab.tensor([[3.0, 4.0]]).norm().grad_fn is None
    assert autolab.tensor([3.0, 4.0], requires_grad=True).norm().grad_fn.name() == "LinalgVectorNormBackward0"


def test_logsumexp_is_stable_and_handles_all_minus_inf_rows():
    arr = np.array([[-np.inf, -np.inf], [1000.0, 1000.0], [1.0, -np.inf]])
    same(autolab.logsumexp(autolab.tensor(arr), 1), torch.logsumexp(torch.tensor(arr), 1))
    same(autolab.tensor([1, 2]).logsumexp(0), torch.tensor([1, 2]).logsumexp(0))  # int64 -> float32


def test_new_constructors_match_torch():
    for base in ((2, 3), (4,)):
        a, t = autolab.ones(*base, dtype=autolab.float64), torch.ones(*base, dtype=torch.float64)
        for name in ("new_zeros", "new_ones", "new_empty"):
            for size in ((2, 3), ((5,),), ((),)):
                got, want = getattr(a, name)(*size), getattr(t, name)(*size)
                assert tuple(got.shape) == tuple(want.shape) and dtype_name(got.dtype) == dtype_name(want.dtype)
                if name != "new_empty":
                    same(got, want)
        same(a.new_full((2, 2), 7), t.new_full((2, 2), 7))
        same(a.new_tensor([1, 2]), t.new_tensor([1, 2]))
        same(a.new_zeros(2, dtype=autolab.int64), t.new_zeros(2, dtype=torch.int64))
        assert a.new_ones(3, requires_grad=True).requires_grad


def test_is_contiguous_matches_torch():
    arr = np.arange(6.0).reshape(2, 3)
    ops = [lambda x: x, lambda x: x.t(), lambda x: x.t().contiguous(), lambda x: x.flip(0), lambda x: x[:, 1:]]
    for f in ops:
        a, t = f(autolab.tensor(arr)), f(torch.tensor(arr))
        assert a.is_contiguous() == t.is_contiguous()


def test_unsqueeze_squeeze_and_masked_fill_in_place():
    x = autolab.zeros(3)
    assert x.unsqueeze_(0) is x and x.shape == (1, 3)
    assert x.squeeze_() is x and x.shape == (3,)
    x.masked_fill_(autolab.tensor([True, False, True]), 2.0)
    assert x.tolist() == [2.0, 0.0, 2.0]
    leaf = autolab.ones(3, requires_grad=True)
    for op in (lambda: leaf.unsqueeze_(0), lambda: leaf.masked_fill_(leaf > 0, 0.0)):
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            op()
    # inside a graph the tensor becomes a new node, and gradients still reach the leaf, as in PyTorch
    y = leaf * 2
    y.unsqueeze_(1)
    assert y.shape == (3, 1)
    (y * autolab.tensor([[1.0], [2.0], [3.0]])).sum().backward()
    assert leaf.grad.tolist() == [2.0, 4.0, 6.0]


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda x: x.split([1, 1], 0), "split_with_sizes expects split_sizes to sum exactly to 3"),
        (lambda x: x.narrow(1, 2, 3), r"narrow: start \(2\) \+ length \(3\) exceeds dimension size \(4\)"),
        (lambda x: x.masked_fill(autolab.ones(3, 4), 0.0), "only supports boolean masks.*float32"),
        (lambda x: x.masked_fill(autolab.ones(2, 4, dtype=autolab.bool), 0.0), r"mask of shape \(2, 4\).*\(3, 4\)"),
        (lambda x: x.topk(5), r"topk: k \(5\) is out of range for dimension -1 of size 4"),
        (lambda x: x.repeat(2), r"repeat dims \(1\) can not be smaller than number of dims of the tensor \(2\)"),
        (
            lambda x: x.index_select(0, autolab.zeros(2, 2, dtype=autolab.int64)),
            r"1-D integer tensor, got shape \(2, 2\)",
        ),
        (lambda x: x.chunk(0), "chunk expects `chunks` to be greater than 0"),
        (lambda x: x.roll((1, 2), 0), "roll: shifts and dims must have the same length"),
        (lambda x: x.flip(2), r"flip: dim 2 is out of range"),
        (lambda x: x.long().norm(), r"norm\(\): input dtype should be floating point, but got autolab.int64"),
        (lambda x: autolab.bincount(autolab.tensor([1, -1])), "non-negative.*smallest value is -1"),
        (lambda x: autolab.bincount(x), r"1-d non-negative integral inputs, got shape \(3, 4\)"),
        (lambda x: autolab.nn.functional.pad(x, (1,)), "padding length must be even"),
        (
            lambda x: autolab.dot(x[0], x[1, :2]),
            r"dot: expected two 1-D tensors of the same size, got shapes \(4,\) and \(2,\)",
        ),
        (lambda x: autolab.outer(x, x[0]), r"outer: expected two 1-D tensors, got shapes \(3, 4\) and \(4,\)"),
        (lambda x: x[None].trace(), r"trace: expected a matrix, got shape \(1, 3, 4\)"),
        (
            lambda x: x.scatter_add(0, autolab.zeros(3, 4, dtype=autolab.int32), x),
            "Expected dtype int64 for index, got int32",
        ),
        (
            lambda x: x.scatter(0, autolab.zeros(4, dtype=autolab.int64), x),
            r"index \(4,\) must have as many dims as self \(3, 4\)",
        ),
        (lambda x: x.masked_select(x), "masked_select: expected a bool mask, got dtype float32"),
        (lambda x: x.movedim((0, 1), 0), "movedim: source .* and destination 0 must have the same length"),
        (
            lambda x: autolab.nn.functional.pad(x[None], (4, 0), mode="reflect"),
            r"reflect padding \(4, 0\).*dim 2 of size 4",
        ),
    ],
)
def test_error_messages_name_shapes_and_dtypes(call, match):
    with pytest.raises((RuntimeError, IndexError), match=match):
        call(autolab.zeros(3, 4))


@pytest.mark.parametrize("name", ["maximum", "minimum"])
def test_maximum_minimum_share_the_gradient_at_ties_as_torch(name):
    """At a tie PyTorch gives each side half the gradient (which is also what central differences see)."""
    a_np, b_np = np.array([1.0, 2.0, 3.0, np.nan, -1.0]), np.array([1.0, 0.0, 5.0, 1.0, -1.0])
    gy = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    results = []
    for L in (autolab, torch):
        a, b = L.tensor(a_np, requires_grad=True), L.tensor(b_np, requires_grad=True)
        y = getattr(L, name)(a, b)
        (y * L.tensor(gy)).sum().backward()
        results.append((to_np(y), to_np(a.grad), to_np(b.grad)))
    for got, want in zip(*results):
        np.testing.assert_array_equal(got, want)
    same(
        getattr(autolab, name)(autolab.tensor([1, 5]), autolab.tensor([2, 5])),
        getattr(torch, name)(torch.tensor([1, 5]), torch.tensor([2, 5])),
    )
    x = autolab.tensor(a_np[[0, 1, 2, 4]], requires_grad=True)
    assert autolab.autograd.gradcheck(lambda t: getattr(autolab, name)(t, autolab.tensor(b_np[[0, 1, 2, 4]])), (x,))


@pytest.mark.parametrize(
    "name", ["sum", "mean", "max", "amax", "prod", "std", "var", "logsumexp", "all", "any", "argmax"]
)
def test_reductions_accept_numpys_keepdims_spelling_as_torch_does(name):
    arr = np.arange(1.0, 7.0).reshape(2, 3)
    got, want = getattr(autolab.tensor(arr), name)(1, keepdims=True), getattr(torch.tensor(arr), name)(1, keepdims=True)
    got, want = (got[0], want[0]) if isinstance(want, tuple) else (got, want)
    same(got, want, name)
