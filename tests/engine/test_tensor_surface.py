"""The everyday torch surface that tutorials touch, against PyTorch: formatting, in-place updates outside a
graph, grad-mode decorators, the default dtype, finfo/iinfo, copy.deepcopy of tensors, modules and optimizers."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch

import autolab


def both(fn):
    """Run ``fn(lib)`` on torch and autolab: (torch's result or error, autolab's result or error)."""
    out = []
    for lib in (torch, autolab):
        try:
            out.append(fn(lib))
        except Exception as e:  # compared below: same type and message
            out.append((type(e).__name__, str(e).split("\n")[0]))
    return out


@pytest.mark.parametrize("spec", [".4f", "", ">12", ".2e", "d"])
@pytest.mark.parametrize("values", [1.23456, [1.23456], 3])
def test_format_matches_torch(values, spec):
    def run(lib):
        t = lib.tensor(values)
        return format(t, spec).replace("torch", "autolab") if spec == "" and t.ndim else format(t, spec)

    want, got = both(run)
    assert got == want


def test_fstring_of_a_loss():
    loss = autolab.tensor(0.123456)
    assert f"loss {loss:.3f}" == "loss 0.123"


INPLACE = [
    ("abs_", ()),
    ("neg_", ()),
    ("exp_", ()),
    ("sqrt_", ()),
    ("square_", ()),
    ("reciprocal_", ()),
    ("pow_", (2,)),
    ("sin_", ()),
    ("cos_", ()),
    ("tanh_", ()),
    ("sigmoid_", ()),
    ("relu_", ()),
    ("sign_", ()),
    ("floor_", ()),
    ("ceil_", ()),
    ("round_", ()),
    ("clamp_min_", (0.5,)),
    ("clamp_max_", (0.5,)),
    ("clip_", (-0.5, 0.5)),
    ("clamp_", (-0.5, 0.5)),
    ("add_", (2.0,)),
    ("sub_", (2.0,)),
    ("mul_", (3.0,)),
    ("div_", (4.0,)),
    ("fill_", (7.0,)),
    ("zero_", ()),
]


@pytest.mark.parametrize("name,args", INPLACE, ids=[n for n, _ in INPLACE])
def test_inplace_ops_outside_a_graph(name, args):
    values = [[-1.7, -0.2, 0.0], [0.4, 1.5, 2.6]]
    results = []
    for lib in (torch, autolab):
        x = lib.tensor(values, dtype=lib.float64)
        y = getattr(x, name)(*args)
        assert y is x  # in place, returns self
        results.append(x.numpy())
    np.testing.assert_allclose(results[1], results[0], rtol=1e-12, equal_nan=True)
    # a leaf that requires grad is refused, as in PyTorch
    want, got = both(lambda lib: getattr(lib.tensor(values, requires_grad=True), name)(*args))
    assert got[0] == want[0] == "RuntimeError"
    assert got[1].startswith("a leaf Variable that requires grad is being used in an in-place operation")
    # under no_grad it is allowed (an optimizer step)
    w = autolab.tensor(values, dtype=autolab.float64, requires_grad=True)
    with autolab.no_grad():
        getattr(w, name)(*args)
    np.testing.assert_allclose(w.detach().numpy(), results[0], rtol=1e-12)


def test_indexed_inplace_ops():
    for lib in (torch, autolab):
        x = lib.zeros(3, 4, dtype=lib.float64)
        idx = lib.tensor([[0, 1, 2, 0]])
        x.scatter_(0, idx, lib.ones(1, 4, dtype=lib.float64))
        x.scatter_add_(1, lib.tensor([[3, 3]]), lib.full((1, 2), 2.0, dtype=lib.float64))
        x.index_fill_(1, lib.tensor([1]), -1.0)
        x.index_add_(0, lib.tensor([2, 2]), lib.ones(2, 4, dtype=lib.float64), alpha=0.5)
        y = lib.zeros(3, 3).fill_diagonal_(5.0)
        z = lib.zeros(3).lerp_(lib.ones(3), 0.25)
        if lib is torch:
            want = (x.numpy(), y.numpy(), z.numpy())
    for g, w in zip((x.numpy(), y.numpy(), z.numpy()), want):
        np.testing.assert_allclose(g, w)


def test_integer_inplace_refuses_a_float_result_as_torch():
    for op in (lambda t: t.add_(1.5), lambda t: t.div_(2), lambda t: t.exp_(), lambda t: t.mul_(0.5)):
        want, got = both(lambda lib, op=op: op(lib.ones(2, dtype=lib.int64)))
        assert got == want and want[0] == "RuntimeError"
    # fill_ and copy_ cast, as in PyTorch
    want, got = both(lambda lib: lib.ones(2, dtype=lib.int64).fill_(2.7).tolist())
    assert got == want == [2, 2]


def test_random_inplace_fills_have_the_right_distribution():
    autolab.manual_seed(0)
    x = autolab.empty(20000, dtype=autolab.float64)
    assert abs(x.bernoulli_(0.3).mean().item() - 0.3) < 0.02
    assert abs(x.exponential_(2.0).mean().item() - 0.5) < 0.02
    r = autolab.empty(20000, dtype=autolab.int64).random_(3, 7)
    assert set(r.tolist()) == {3, 4, 5, 6}


def test_no_grad_and_inference_mode_as_decorators_and_contexts():
    for lib in (torch, autolab):

        @lib.no_grad
        def bare(x):
            return (x * 2).requires_grad

        @lib.no_grad()
        def called(x):
            return (x * 2).requires_grad

        @lib.inference_mode()
        def inf(x, lib=lib):
            return (x * 2).requires_grad, lib.is_inference_mode_enabled()

        @lib.inference_mode
        def inf_bare(x, lib=lib):
            return lib.is_inference_mode_enabled()

        x = lib.ones(2, requires_grad=True)
        assert bare(x) is False and called(x) is False
        assert inf(x) == (False, True) and inf_bare(x) is True
        with lib.inference_mode():
            assert lib.is_inference_mode_enabled() and not (x * 2).requires_grad
        with lib.inference_mode(False):
            assert not lib.is_inference_mode_enabled()
        assert not lib.is_inference_mode_enabled() and (x * 2).requires_grad


def test_set_default_dtype():
    try:
        for lib in (torch, autolab):
            lib.set_default_dtype(lib.float64)
            assert lib.get_default_dtype() == lib.float64
            made = [
                lib.tensor(1.0),
                lib.tensor([1, 2]) / 2,
                lib.zeros(2),
                lib.ones(2),
                lib.rand(2),
                lib.randn(2),
                lib.full((2,), 1.5),
                lib.arange(0.0, 1.0, 0.5),
                lib.linspace(0, 1, 3),
                lib.eye(2),
                lib.tensor([1, 2]).exp(),
                lib.tensor([1, 2]) * 0.5,
            ]
            assert [str(t.dtype).split(".")[1] for t in made] == ["float64"] * len(made)
            assert lib.tensor([1, 2]).dtype == lib.int64
            lib.set_default_dtype(lib.float32)
            assert lib.tensor(1.0).dtype == lib.zeros(1).dtype == lib.float32
    finally:
        torch.set_default_dtype(torch.float32)
        autolab.set_default_dtype(autolab.float32)
    want, got = both(lambda lib: lib.set_default_dtype(lib.int64))
    assert got == want and want[0] == "TypeError"


@pytest.mark.parametrize("name", ["float16", "float32", "float64"])
def test_finfo(name):
    t, a = torch.finfo(getattr(torch, name)), autolab.finfo(getattr(autolab, name))
    for field in ("eps", "max", "min", "tiny", "bits", "resolution", "smallest_normal"):
        assert getattr(a, field) == getattr(t, field), field
    assert autolab.finfo().eps == torch.finfo().eps


@pytest.mark.parametrize("name", ["uint8", "int8", "int16", "int32", "int64"])
def test_iinfo(name):
    t, a = torch.iinfo(getattr(torch, name)), autolab.iinfo(getattr(autolab, name))
    assert (a.bits, a.max, a.min) == (t.bits, t.max, t.min)


def test_deepcopy_of_tensors_keeps_requires_grad_and_grad_and_refuses_non_leaves():
    for lib in (torch, autolab):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        (x * x).sum().backward()
        y = copy.deepcopy(x)
        assert y is not x and y.requires_grad and y.is_leaf
        np.testing.assert_allclose(y.grad.numpy(), [2.0, 4.0])
        with lib.no_grad():
            y.add_(1)
        assert x.tolist() == [1.0, 2.0]  # its own storage
        p = lib.nn.Parameter(lib.ones(2))
        q = copy.deepcopy(p)
        assert type(q) is type(p) and q.requires_grad
        shared = copy.deepcopy([p, p])
        assert shared[0] is shared[1]  # the memo keeps sharing
    want, got = both(lambda lib: copy.deepcopy(lib.ones(2, requires_grad=True) * 2))
    assert got[0] == want[0] == "RuntimeError" and got[1] in want[1]


def test_deepcopy_of_a_module_and_an_optimizer():
    autolab.manual_seed(0)
    model = autolab.nn.Sequential(autolab.nn.Linear(3, 4), autolab.nn.ReLU(), autolab.nn.Linear(4, 2))
    opt = autolab.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    model(autolab.randn(5, 3)).sum().backward()
    opt.step()
    twin = copy.deepcopy(model)
    assert list(twin.state_dict()) == list(model.state_dict())
    for a, b in zip(model.state_dict().values(), twin.state_dict().values()):
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    assert all(p is not q for p, q in zip(model.parameters(), twin.parameters()))
    with autolab.no_grad():
        next(twin.parameters()).zero_()
    assert next(model.parameters()).abs().sum().item() > 0
    opt2 = copy.deepcopy(opt)
    assert opt2.state_dict()["param_groups"] == opt.state_dict()["param_groups"]
    assert opt2.param_groups[0]["params"][0] is not opt.param_groups[0]["params"][0]
    # module and optimizer copied together keep pointing at each other's copies
    m2, o2 = copy.deepcopy((model, opt))
    assert o2.param_groups[0]["params"][0] is next(m2.parameters())
    # pickling stays refused: save/load never runs code from a file
    import pickle

    with pytest.raises(TypeError, match="not pickled"):
        pickle.dumps(model)


# ---- functions built from other ops, values and gradients against torch -----------------------------------------
def _grads(lib, fn, arrays):
    xs = [lib.tensor(a, dtype=lib.float64, requires_grad=True) for a in arrays]
    out = fn(lib, *xs)
    outs = out if isinstance(out, tuple) else (out,)
    total = sum((o * lib.tensor(np.cos(np.arange(o.numel())).reshape(tuple(o.shape)))).sum() for o in outs)
    total.backward()
    return [o.detach().numpy() for o in outs], [x.grad.numpy() if x.grad is not None else None for x in xs]


EINSUM = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 5)]),
    ("ij,ij->", [(3, 4), (3, 4)]),
    ("ij->ji", [(3, 4)]),
    ("ij->j", [(3, 4)]),
    ("i,j->ij", [(3,), (4,)]),
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
    ("bhqd,bhkd->bhqk", [(2, 2, 3, 4), (2, 2, 5, 4)]),
    ("...ij,...jk->...ik", [(2, 3, 4), (2, 4, 2)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("b i d, b j d -> b i j", [(2, 3, 4), (2, 5, 4)]),
    ("ijk,ik->j", [(2, 3, 4), (2, 4)]),
    ("i,i->i", [(3,), (3,)]),
]


@pytest.mark.parametrize("eq,shapes", EINSUM, ids=[e for e, _ in EINSUM])
def test_einsum_matches_torch(eq, shapes):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in shapes]
    (tv,), tg = _grads(torch, lambda lib, *xs: lib.einsum(eq, *xs), arrays)
    (av,), ag = _grads(autolab, lambda lib, *xs: lib.einsum(eq, *xs), arrays)
    np.testing.assert_allclose(av, tv, rtol=1e-10, atol=1e-12)
    for a, t in zip(ag, tg):
        np.testing.assert_allclose(a, t, rtol=1e-10, atol=1e-12)
    xs = [autolab.tensor(a, requires_grad=True) for a in arrays]
    assert autolab.autograd.gradcheck(lambda *x: autolab.einsum(eq, *x), xs)


def test_einsum_errors_say_what_is_wrong():
    with pytest.raises(NotImplementedError, match="repeated within one operand"):
        autolab.einsum("ii->i", autolab.ones(3, 3))
    with pytest.raises(ValueError, match="2 operands in the equation but 1"):
        autolab.einsum("ij,jk->ik", autolab.ones(3, 3))


COMPOSITE = {
    "addmm": (lambda lib, a, b, c: lib.addmm(a, b, c, beta=0.5, alpha=2.0), [(2, 4), (2, 3), (3, 4)]),
    "addmm_method": (lambda lib, a, b, c: a.addmm(b, c), [(2, 4), (2, 3), (3, 4)]),
    "addmv": (lambda lib, a, b, c: lib.addmv(a, b, c, alpha=3.0), [(2,), (2, 3), (3,)]),
    "baddbmm": (lambda lib, a, b, c: lib.baddbmm(a, b, c, beta=2.0), [(2, 3, 4), (2, 3, 5), (2, 5, 4)]),
    "mv": (lambda lib, a, b: lib.mv(a, b), [(2, 3), (3,)]),
    "addcmul": (lambda lib, a, b, c: lib.addcmul(a, b, c, value=0.5), [(3,), (3,), (3,)]),
    "addcdiv": (lambda lib, a, b, c: a.addcdiv(b, c * c + 1, value=-2.0), [(3,), (3,), (3,)]),
    "lerp": (lambda lib, a, b: lib.lerp(a, b, 0.3), [(4,), (4,)]),
    "lerp_tensor_weight": (lambda lib, a, b, w: lib.lerp(a, b, w), [(4,), (4,), (4,)]),
    "diff": (lambda lib, a: lib.diff(a, n=2, dim=0), [(5, 3)]),
    "diff_prepend": (lambda lib, a, p: a.diff(dim=-1, prepend=p), [(2, 3), (2, 1)]),
    "meshgrid_ij": (lambda lib, a, b: lib.meshgrid(a, b, indexing="ij"), [(3,), (4,)]),
    "meshgrid_xy": (lambda lib, a, b: lib.meshgrid(a, b, indexing="xy"), [(3,), (4,)]),
    "cartesian_prod": (lambda lib, a, b: lib.cartesian_prod(a, b), [(3,), (2,)]),
    "cdist": (lambda lib, a, b: lib.cdist(a, b), [(3, 4), (5, 4)]),
    "cdist_p1": (lambda lib, a, b: lib.cdist(a, b, p=1.0), [(2, 3, 4), (2, 5, 4)]),
    "dist": (lambda lib, a, b: lib.dist(a, b, 3), [(3, 4), (3, 4)]),
    "std_mean": (lambda lib, a: lib.std_mean(a, 1), [(3, 4)]),
    "var_mean": (lambda lib, a: lib.var_mean(a, dim=0, keepdim=True, correction=0), [(3, 4)]),
    "mH": (lambda lib, a: a.mH, [(2, 3, 4)]),
    "H": (lambda lib, a: a.H, [(3, 4)]),
}


@pytest.mark.parametrize("name", sorted(COMPOSITE))
def test_composite_functions_match_torch(name):
    fn, shapes = COMPOSITE[name]
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(s) for s in shapes]
    tv, tg = _grads(torch, fn, arrays)
    av, ag = _grads(autolab, fn, arrays)
    for a, t in zip(av + ag, tv + tg):
        np.testing.assert_allclose(a, t, rtol=1e-10, atol=1e-12)


def test_creation_functions_match_torch():
    for make in (
        lambda lib: lib.logspace(0, 2, 5),
        lambda lib: lib.logspace(-1, 1, 4, base=2.0, dtype=lib.float64),
        lambda lib: lib.tril_indices(3, 4),
        lambda lib: lib.tril_indices(4, 3, -1),
        lambda lib: lib.triu_indices(3, 3, 1),
        lambda lib: lib.nan_to_num(lib.tensor([float("nan"), float("inf"), -float("inf"), 1.0])),
        lambda lib: lib.tensor([float("nan"), float("inf")]).nan_to_num(nan=1.0, posinf=2.0),
    ):
        t, a = make(torch), make(autolab)
        assert str(a.dtype).split(".")[1] == str(t.dtype).split(".")[1]
        np.testing.assert_allclose(a.numpy(), t.numpy(), rtol=1e-6)


def test_small_tutorial_helpers():
    for lib in (torch, autolab):
        x = lib.ones(2, 3)
        assert x.type() == "torch.FloatTensor"
        assert x.type("torch.DoubleTensor").dtype == lib.float64
        assert lib.is_floating_point(x) and not lib.is_floating_point(lib.tensor([1]))
        lib.manual_seed(0)
        b = lib.bernoulli(lib.full((1000,), 0.25))
        assert b.dtype == lib.float32 and 0.18 < b.mean().item() < 0.32
    with pytest.raises(RuntimeError, match="only supported on matrices"):
        _ = autolab.ones(2, 3, 4).H


MORE = {
    "atan2": (lambda lib, a, b: lib.atan2(a, b), [(3, 4), (3, 4)]),
    "atan2_broadcast_method": (lambda lib, a, b: a.atan2(b), [(3, 4), (4,)]),
    "xlogy": (lambda lib, a, b: lib.xlogy(a, b * b + 0.1), [(3, 4), (3, 4)]),
    "logit": (lambda lib, a: (a.sigmoid() * 0.98 + 0.01).logit(), [(5,)]),
    "logit_eps": (lambda lib, a: lib.logit(a.sigmoid(), eps=0.2), [(5,)]),
    "frac": (lambda lib, a: lib.frac(a * 3), [(6,)]),
    "aminmax": (lambda lib, a: lib.aminmax(a, dim=1), [(3, 4)]),
    "column_stack": (lambda lib, a, b: lib.column_stack([a, b]), [(3,), (3, 2)]),
    "dstack": (lambda lib, a, b: lib.dstack([a, b]), [(2, 3), (2, 3)]),
    "block_diag": (lambda lib, a, b: lib.block_diag(a, b), [(2, 3), (1, 2)]),
    "kron": (lambda lib, a, b: lib.kron(a, b), [(2, 3), (2, 2)]),
    "kron_1d_2d": (lambda lib, a, b: a.kron(b), [(3,), (2, 2)]),
    "tensordot": (lambda lib, a, b: lib.tensordot(a, b, dims=2), [(2, 3, 4), (3, 4, 5)]),
    "tensordot_lists": (lambda lib, a, b: lib.tensordot(a, b, dims=([0, 2], [1, 0])), [(2, 3, 4), (4, 2)]),
    "cross": (lambda lib, a, b: lib.cross(a, b, dim=1), [(4, 3), (4, 3)]),
    "take": (lambda lib, a: lib.take(a, lib.tensor([[0, 5], [3, 3]])), [(2, 3)]),
    "repeat_interleave": (lambda lib, a: a.repeat_interleave(2, dim=0), [(2, 3)]),
    "repeat_interleave_flat": (lambda lib, a: lib.repeat_interleave(a, lib.tensor([1, 0, 2, 1, 1, 3])), [(2, 3)]),
    "clamp_tensor_bounds": (lambda lib, a, lo: lib.clamp(a, min=lo, max=lo + 0.5), [(3, 4), (3, 4)]),
    "tile_int": (lambda lib, a: a.tile(2), [(3,)]),
}


@pytest.mark.parametrize("name", sorted(MORE))
def test_more_functions_match_torch(name):
    fn, shapes = MORE[name]
    rng = np.random.default_rng(2)
    arrays = [rng.standard_normal(s) for s in shapes]
    tv, tg = _grads(torch, fn, arrays)
    av, ag = _grads(autolab, fn, arrays)
    for a, t in zip(av + ag, tv + tg):
        np.testing.assert_allclose(a, t, rtol=1e-10, atol=1e-12)


def test_integer_results_match_torch():
    for make in (
        lambda lib: lib.where(lib.tensor([[True, False], [False, True]])),
        lambda lib: lib.isin(lib.arange(6), lib.tensor([1, 4, 9])),
        lambda lib: lib.isin(lib.arange(6), lib.tensor([1, 4]), invert=True),
        lambda lib: lib.searchsorted(lib.tensor([1.0, 3.0, 5.0]), lib.tensor([0.0, 3.0, 6.0])),
        lambda lib: lib.searchsorted(lib.tensor([[1.0, 3.0], [2.0, 4.0]]), lib.tensor([[3.0], [3.0]]), right=True),
        lambda lib: lib.bucketize(lib.tensor([0.5, 3.0, 9.0]), lib.tensor([1.0, 3.0, 5.0])),
        lambda lib: lib.bucketize(lib.tensor([3.0]), lib.tensor([1.0, 3.0]), right=True),
        lambda lib: lib.repeat_interleave(lib.tensor([2, 0, 1])),
    ):
        t, a = make(torch), make(autolab)
        for x, y in zip(t if isinstance(t, tuple) else (t,), a if isinstance(a, tuple) else (a,)):
            assert str(y.dtype).split(".")[1] == str(x.dtype).split(".")[1]
            np.testing.assert_array_equal(y.numpy(), x.numpy())


@pytest.mark.parametrize(
    "options", [{"precision": 2}, {"sci_mode": True}, {"sci_mode": False, "precision": 6}, {"profile": "short"}]
)
def test_set_printoptions(options):
    x = np.array([[1.23456789, 2.5, 1e-3], [4, 5, 6]])
    shown = []
    for lib in (torch, autolab):
        lib.set_printoptions(**options)
        try:
            shown.append((repr(lib.tensor(x, dtype=lib.float32)), repr(lib.arange(8.0) / 3)))
        finally:
            lib.set_printoptions(profile="default", sci_mode=None)
    assert shown[1] == shown[0]


def test_repr_omits_the_default_dtype():
    try:
        for lib in (torch, autolab):
            lib.set_default_dtype(lib.float64)
            got = (repr(lib.tensor([1.5])), repr(lib.tensor([1.5], dtype=lib.float32)))
            lib.set_default_dtype(lib.float32)
            assert got[0] == "tensor([1.5000])"
            assert got[1].replace("torch", "autolab") == "tensor([1.5000], dtype=autolab.float32)"
    finally:
        torch.set_default_dtype(torch.float32)
        autolab.set_default_dtype(autolab.float32)


def test_dtype_helpers_match_torch():
    names = ["bool", "uint8", "int8", "int32", "int64", "float16", "float32", "float64"]
    for a in names:
        for b in names:
            ta, tb, aa, ab = getattr(torch, a), getattr(torch, b), getattr(autolab, a), getattr(autolab, b)
            assert str(autolab.promote_types(aa, ab)).split(".")[1] == str(torch.promote_types(ta, tb)).split(".")[1]
            assert autolab.can_cast(aa, ab) == torch.can_cast(ta, tb), (a, b)
    for make in (
        lambda lib: (lib.ones(2, dtype=lib.int64), 1.5),
        lambda lib: (lib.ones(2), lib.ones(2, dtype=lib.float64)),
        lambda lib: (lib.ones(2, dtype=lib.int32), 3),
        lambda lib: (lib.ones(2), lib.tensor(2.0, dtype=lib.float64)),
    ):
        want, got = torch.result_type(*make(torch)), autolab.result_type(*make(autolab))
        assert str(got).split(".")[1] == str(want).split(".")[1]


def test_legacy_tensor_types():
    for lib in (torch, autolab):
        x = lib.FloatTensor([1, 2])
        assert x.dtype == lib.float32 and x.tolist() == [1.0, 2.0]
        assert lib.LongTensor(2, 3).shape == (2, 3) and lib.LongTensor(2, 3).dtype == lib.int64
        assert isinstance(x, lib.FloatTensor) and not isinstance(x, lib.LongTensor)
        assert lib.DoubleTensor([1]).dtype == lib.float64 and lib.BoolTensor([1, 0]).dtype == lib.bool


def test_memory_sharing_strides_and_numpy_as_torch():
    for lib in (torch, autolab):
        a = np.zeros(3)
        t = lib.from_numpy(a)
        t.add_(1)
        a[0] = 5
        assert t.tolist() == [5.0, 1.0, 1.0]  # the same memory both ways
        n = t.numpy()
        n[1] = 7
        assert t[1].item() == 7.0
        m = lib.zeros(2, 3, 4)
        assert m.stride() == (12, 4, 1) and m.stride(1) == 4
        assert m.transpose(0, 2).stride() == (1, 4, 12)
        assert m.data_ptr() == m[0].data_ptr()
    want, got = both(lambda lib: lib.ones(2, requires_grad=True).numpy())
    assert got == want


def test_tutorial_style_snippets_give_torch_results():
    def snippet(torch):  # written as a tutorial writes it, run with torch = PyTorch or autolab
        torch.manual_seed(0)
        x = torch.linspace(-1, 1, 5)
        y = torch.full_like(x, 2.0) * x.clip(-0.5, 0.5)
        m = torch.eye(3)[torch.tril_indices(3, 3)[0]]
        z = torch.tensor([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
        out = {
            "item": y.sum().item(),
            "tolist": y.tolist(),
            "numel": torch.numel(m),
            "type": z.type(torch.float64).dtype == torch.float64,
            "masked_fill": z.masked_fill(z > 2, 0.0).tolist(),
            "argmax": z.argmax(dim=1, keepdim=True).tolist(),
            "allclose": torch.allclose(z, z + 1e-9),
            "isclose": torch.isclose(z, z + 1e-3).tolist(),
            "equal": torch.equal(z, z.clone()),
            "T": z.T.shape == (3, 2),
            "mT": torch.ones(4, 2, 3).mT.shape == (4, 3, 2),
            "new_tensor": z.new_tensor([1, 2]).dtype == torch.float32,
            "logspace": torch.logspace(0, 2, 3).tolist(),
            "einsum": torch.einsum("ij,kj->ik", z, z).tolist(),
            "format": f"{z.sum():.3f}",
            "where": [t.tolist() for t in torch.where(z > 2)],
            "diff": torch.diff(z, dim=1).tolist(),
            "cdist": torch.cdist(z, z).round(decimals=4).tolist(),
        }
        with torch.no_grad():
            w = torch.ones(2, requires_grad=True)
            w.mul_(3).add_(1)
        out["inplace"] = w.tolist()
        return out

    assert snippet(autolab) == snippet(torch)


SCANS = {
    "cumprod": (lambda lib, a: lib.cumprod(a, 0), [(7,)]),
    "cumprod_dim1": (lambda lib, a: a.cumprod(dim=1), [(3, 5)]),
    "cumprod_zeros": (
        lambda lib, a: lib.cumprod(a * lib.tensor([1.0, 0.0, 1.0, 1.0, 0.0], dtype=lib.float64), -1),
        [(2, 5)],
    ),
    "rot90": (lambda lib, a: lib.rot90(a), [(2, 3)]),
    "rot90_k3_dims": (lambda lib, a: lib.rot90(a, 3, [1, 2]), [(2, 3, 4)]),
    "rot90_k2": (lambda lib, a: lib.rot90(a, -2), [(2, 3)]),
}


@pytest.mark.parametrize("name", sorted(SCANS))
def test_scans_and_rotations_match_torch(name):
    fn, shapes = SCANS[name]
    arrays = [
        np.random.default_rng(4).uniform(0.5, 1.5, s) * np.where(np.arange(np.prod(s)) % 3, 1, -1).reshape(s)
        for s in shapes
    ]
    tv, tg = _grads(torch, fn, arrays)
    av, ag = _grads(autolab, fn, arrays)
    for a, t in zip(av + ag, tv + tg):
        np.testing.assert_allclose(a, t, rtol=1e-10, atol=1e-12)
    x = autolab.tensor(arrays[0], requires_grad=True)
    assert autolab.autograd.gradgradcheck(lambda t: fn(autolab, t), (x,))


def test_histc_matches_torch():
    data = np.random.default_rng(0).standard_normal(100)
    for kw in ({"bins": 10}, {"bins": 4, "min": -1, "max": 1}):
        want = torch.histc(torch.tensor(data), **kw).numpy()
        np.testing.assert_array_equal(autolab.histc(autolab.tensor(data), **kw).numpy(), want)


LINALG = {
    "inv": (lambda lib, a: lib.linalg.inv(a), [(3, 3)]),
    "inverse_batched_method": (lambda lib, a: a.inverse(), [(2, 3, 3)]),
    "det": (lambda lib, a: lib.linalg.det(a), [(3, 3)]),
    "det_batched": (lambda lib, a: lib.det(a), [(2, 4, 4)]),
    "slogdet": (lambda lib, a: lib.linalg.slogdet(a)[1], [(3, 3)]),
    "solve_matrix": (lambda lib, a, b: lib.linalg.solve(a, b), [(3, 3), (3, 2)]),
    "solve_vector": (lambda lib, a, b: lib.linalg.solve(a, b), [(3, 3), (3,)]),
    "solve_batched": (lambda lib, a, b: lib.linalg.solve(a, b), [(2, 3, 3), (2, 3, 4)]),
}


@pytest.mark.parametrize("name", sorted(LINALG))
def test_linalg_matches_torch(name):
    fn, shapes = LINALG[name]
    rng = np.random.default_rng(5)
    arrays = [rng.standard_normal(s) + (3 * np.eye(s[-1]) if i == 0 else 0) for i, s in enumerate(shapes)]
    tv, tg = _grads(torch, fn, arrays)
    av, ag = _grads(autolab, fn, arrays)
    for a, t in zip(av + ag, tv + tg):
        np.testing.assert_allclose(a, t, rtol=1e-9, atol=1e-11)
    xs = [autolab.tensor(a, requires_grad=True) for a in arrays]
    assert autolab.autograd.gradgradcheck(lambda *t: fn(autolab, *t), xs)


def test_a_singular_matrix_is_an_error_that_says_so():
    with pytest.raises(RuntimeError, match="singular"):
        autolab.linalg.inv(autolab.zeros(2, 2))
    with pytest.raises(RuntimeError, match="square matrices"):
        autolab.linalg.det(autolab.zeros(2, 3))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_erfinv_matches_torch(dtype):
    y = np.concatenate([np.linspace(-0.999999, 0.999999, 41), [-1.0, 1.0, 0.0, 1.5, np.nan]])
    t = torch.tensor(y, dtype=getattr(torch, dtype), requires_grad=True)
    a = autolab.tensor(y, dtype=getattr(autolab, dtype), requires_grad=True)
    tv, av = torch.erfinv(t), a.erfinv()
    tol = 1e-12 if dtype == "float64" else 2e-6
    np.testing.assert_allclose(av.detach().numpy(), tv.detach().numpy(), rtol=tol, atol=tol)
    tv[:41].sum().backward()
    av[:41].sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=tol * 10, atol=tol)
    x = autolab.tensor(np.linspace(-0.9, 0.9, 7), requires_grad=True)
    assert autolab.autograd.gradgradcheck(autolab.erfinv, (x,))


def test_more_inplace_updates_match_torch():
    results = []
    for lib in (torch, autolab):
        x = lib.zeros(3, 4, dtype=lib.float64)
        x.index_copy_(0, lib.tensor([2, 0]), lib.ones(2, 4, dtype=lib.float64) * lib.tensor([[1.0], [2.0]]))
        x.put_(lib.tensor([1, 1, 5]), lib.tensor([3.0, 4.0, 5.0], dtype=lib.float64), accumulate=True)
        x.addmm_(lib.ones(3, 2, dtype=lib.float64), lib.ones(2, 4, dtype=lib.float64), beta=0.5, alpha=2.0)
        m = lib.arange(6.0).reshape(2, 3).t_()
        results.append((x.numpy().copy(), m.shape, m.tolist()))
    np.testing.assert_allclose(results[1][0], results[0][0])
    assert results[1][1:] == results[0][1:]
    autolab.manual_seed(0)
    x = autolab.empty(20000, dtype=autolab.float64)
    assert abs(x.geometric_(0.25).mean().item() - 4.0) < 0.15
    assert abs(x.log_normal_(0.0, 0.5).log().mean().item()) < 0.02
    assert abs(x.cauchy_(3.0, 1.0).median().item() - 3.0) < 0.05


@pytest.mark.parametrize("args", [(), (0,), (1, True), (-1,)])
def test_median_matches_torch(args):
    data = np.random.default_rng(1).permutation(24).reshape(4, 6).astype(np.float64)
    out = []
    for lib in (torch, autolab):
        x = lib.tensor(data, requires_grad=True)
        r = x.median(*args)
        values = r if not args else r.values
        (values * lib.tensor(np.cos(np.arange(values.numel())).reshape(tuple(values.shape)))).sum().backward()
        out.append((values.detach().numpy(), None if not args else r.indices.numpy(), x.grad.numpy()))
    for g, w in zip(out[1], out[0]):
        if w is not None:
            np.testing.assert_allclose(g, w)


def test_out_keyword_as_torchs_tensors_tutorial_uses_it():
    for lib in (torch, autolab):
        t = lib.ones(4, 4)
        t[:, 1] = 0
        y3 = lib.rand_like(t)
        r = lib.matmul(t, t.T, out=y3)
        assert r is y3 and y3.tolist() == (t @ t.T).tolist()
        z3 = lib.rand_like(t)
        assert lib.mul(t, t, out=z3) is z3 and z3.tolist() == (t * t).tolist()
        s = lib.empty(0)
        lib.add(t, 1, out=s)  # out takes the result's shape
        assert s.shape == (4, 4) and s.sum().item() == 28.0
        c = lib.zeros(8, 4)
        lib.cat([t, t], out=c)
        assert c.tolist() == lib.cat([t, t]).tolist()
        assert lib.div(t, 2, out=lib.empty(4, 4)).sum().item() == 6.0
        lib.stack([t[0], t[1]], out=c)
        assert c.shape == (2, 4)
    want, got = both(lambda lib: lib.mul(lib.ones(2, requires_grad=True), 2, out=lib.empty(2)))
    assert got == want and want[0] == "RuntimeError"
