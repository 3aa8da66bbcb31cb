"""autolab.nn.utils against torch.nn.utils: gradient clipping (the returned norm and the clipped .grad, for
several norm types, with NaN and inf), parameters as one vector, and rnn.pad_sequence / unpad_sequence."""

from __future__ import annotations

import importlib
import math
import warnings

import numpy as np
import pytest

import autolab
import autolab.nn.utils
import autolab.nn.utils.rnn
from autolab.nn.utils import clip_grad_norm_, clip_grad_value_, get_total_norm
from autolab.nn.utils.rnn import pad_sequence

torch = pytest.importorskip("torch")

SHAPES = [(3, 4), (5,), (2, 3, 2), ()]


def grads(seed: int = 0, dtype=np.float32, scale: float = 1.0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [np.asarray(rng.standard_normal(s) * scale, dtype=dtype) for s in SHAPES]


def pair(arrays: list[np.ndarray], without_grad: tuple = ()) -> tuple[list, list]:
    """Parameters in both libraries with these arrays as .grad (None at the indices in without_grad)."""
    tp, ap = [], []
    for i, g in enumerate(arrays):
        t = torch.zeros(g.shape, dtype=torch.from_numpy(g).dtype, requires_grad=True)
        a = autolab.nn.Parameter(autolab.tensor(np.zeros_like(g)))
        if i not in without_grad:
            t.grad, a.grad = torch.tensor(g.copy()), autolab.tensor(g.copy())
        tp.append(t)
        ap.append(a)
    return tp, ap


def assert_grads_equal(tp: list, ap: list, rtol: float = 1e-6) -> None:
    for t, a in zip(tp, ap):
        if t.grad is None:
            assert a.grad is None
        else:
            np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=rtol, atol=1e-7)
            assert a.grad.dtype == autolab.tensor(t.grad.numpy()).dtype


@pytest.mark.parametrize("norm_type", [2.0, 1, 3.5, 0.5, float("inf"), "inf", 0])
@pytest.mark.parametrize("max_norm", [0.5, 1e6])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_clip_grad_norm_matches_torch(norm_type, max_norm, dtype):
    tp, ap = pair(grads(1, dtype))
    tn = torch.nn.utils.clip_grad_norm_(tp, max_norm, norm_type)
    an = clip_grad_norm_(ap, max_norm, norm_type)
    assert isinstance(an, autolab.Tensor) and an.shape == ()
    np.testing.assert_allclose(an.numpy(), tn.numpy(), rtol=1e-6)
    assert_grads_equal(tp, ap)


def test_clip_grad_norm_skips_missing_grads_and_takes_a_single_tensor_or_a_generator():
    tp, ap = pair(grads(2, scale=10.0), without_grad=(1,))
    tn = torch.nn.utils.clip_grad_norm_((p for p in tp), 1.0)
    an = clip_grad_norm_((p for p in ap), 1.0)
    np.testing.assert_allclose(an.numpy(), tn.numpy(), rtol=1e-6)
    assert_grads_equal(tp, ap)
    tn = torch.nn.utils.clip_grad_norm_(tp[0], 0.1, norm_type=1)
    an = clip_grad_norm_(ap[0], 0.1, norm_type=1)
    np.testing.assert_allclose(an.numpy(), tn.numpy(), rtol=1e-6)
    assert_grads_equal(tp, ap)
    # a clipped gradient has the norm asked for (up to the 1e-6 PyTorch adds)
    assert abs(float(autolab.linalg.vector_norm(ap[0].grad, 1)) - 0.1) < 1e-6


def test_clip_grad_norm_of_nothing_is_zero_and_warns_for_an_empty_generator():
    assert float(clip_grad_norm_([], 1.0)) == float(torch.nn.utils.clip_grad_norm_([], 1.0)) == 0.0
    with pytest.warns(UserWarning, match="empty generator"):
        clip_grad_norm_((p for p in []), 1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        clip_grad_norm_([], 1.0)  # a list is not a generator: no warning


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), -float("inf")])
@pytest.mark.parametrize("norm_type", [2.0, float("inf"), 1.0])
def test_nonfinite_gradients(bad, norm_type):
    arrays = grads(3)
    arrays[0][1, 2] = bad
    tp, ap = pair(arrays)
    tn = torch.nn.utils.clip_grad_norm_(tp, 1.0, norm_type)
    an = clip_grad_norm_(ap, 1.0, norm_type)
    np.testing.assert_array_equal(an.numpy(), tn.numpy())  # nan stays nan, inf stays inf
    for t, a in zip(tp, ap):  # the grads scaled by 0 (inf norm) or NaN (NaN norm), NaN where torch has NaN
        np.testing.assert_array_equal(np.isnan(a.grad.numpy()), np.isnan(t.grad.numpy()))
        np.testing.assert_allclose(a.grad.numpy(), t.grad.numpy(), rtol=1e-6, atol=1e-7)
    tp, ap = pair(arrays)
    with pytest.raises(RuntimeError) as t_err:
        torch.nn.utils.clip_grad_norm_(tp, 1.0, norm_type, error_if_nonfinite=True)
    with pytest.raises(RuntimeError) as a_err:
        clip_grad_norm_(ap, 1.0, norm_type, error_if_nonfinite=True)
    assert str(a_err.value) == str(t_err.value)
    assert_grads_equal(tp, ap)  # the error leaves the grads as they were


@pytest.mark.parametrize("norm_type", [2.0, 1.0, float("inf")])
def test_get_total_norm_and_clip_grads_with_norm(norm_type):
    tp, ap = pair(grads(4, scale=3.0))
    tn = torch.nn.utils.get_total_norm([p.grad for p in tp], norm_type)
    an = get_total_norm([p.grad for p in ap], norm_type)
    np.testing.assert_allclose(an.numpy(), tn.numpy(), rtol=1e-6)
    torch.nn.utils.clip_grads_with_norm_(tp, 2.0, tn)
    autolab.nn.utils.clip_grads_with_norm_(ap, 2.0, an)
    assert_grads_equal(tp, ap)


def test_clip_grad_norm_deprecated_name_warns_and_clips():
    tp, ap = pair(grads(5, scale=5.0))
    with pytest.warns(FutureWarning):
        tn = torch.nn.utils.clip_grad_norm(tp, 1.0)
    with pytest.warns(FutureWarning, match="clip_grad_norm_"):
        an = autolab.nn.utils.clip_grad_norm(ap, 1.0)
    np.testing.assert_allclose(an.numpy(), tn.numpy(), rtol=1e-6)
    assert_grads_equal(tp, ap)


@pytest.mark.parametrize("clip_value", [0.3, 1, 100.0])
def test_clip_grad_value(clip_value):
    arrays = grads(6, scale=2.0)
    arrays[0][0, 0] = float("nan")
    arrays[1][0] = float("inf")
    tp, ap = pair(arrays, without_grad=(2,))
    assert torch.nn.utils.clip_grad_value_(tp, clip_value) is None
    assert clip_grad_value_(ap, clip_value) is None
    for t, a in zip(tp, ap):
        if t.grad is not None:
            np.testing.assert_array_equal(a.grad.numpy(), t.grad.numpy())  # NaN stays NaN, inf is clamped


def test_clipping_a_model_after_backward_then_one_sgd_step_matches_torch():
    torch.manual_seed(0)
    tm = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2))
    am = autolab.nn.Sequential(autolab.nn.Linear(4, 8), autolab.nn.Tanh(), autolab.nn.Linear(8, 2))
    am.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    x = np.random.default_rng(0).standard_normal((16, 4)).astype(np.float32)
    (tm(torch.tensor(x)) ** 2).sum().mul(10).backward()
    (am(autolab.tensor(x)) ** 2).sum().mul(10).backward()
    tn = torch.nn.utils.clip_grad_norm_(tm.parameters(), max_norm=1.0)
    an = autolab.nn.utils.clip_grad_norm_(am.parameters(), max_norm=1.0)
    np.testing.assert_allclose(an.item(), tn.item(), rtol=1e-5)
    torch.optim.SGD(tm.parameters(), lr=0.1).step()
    autolab.optim.SGD(am.parameters(), lr=0.1).step()
    for (k, t), a in zip(tm.state_dict().items(), am.state_dict().values()):
        np.testing.assert_allclose(a.numpy(), t.numpy(), rtol=1e-5, atol=1e-6, err_msg=k)


def test_parameters_to_vector_and_back():
    torch.manual_seed(1)
    tm = torch.nn.Linear(3, 2)
    am = autolab.nn.Linear(3, 2)
    am.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    tv = torch.nn.utils.parameters_to_vector(tm.parameters())
    av = autolab.nn.utils.parameters_to_vector(am.parameters())
    np.testing.assert_array_equal(av.detach().numpy(), tv.detach().numpy())
    # differentiable, like PyTorch's
    (av * autolab.arange(8.0)).sum().backward()
    (tv * torch.arange(8.0)).sum().backward()
    np.testing.assert_array_equal(am.weight.grad.numpy(), tm.weight.grad.numpy())
    np.testing.assert_array_equal(am.bias.grad.numpy(), tm.bias.grad.numpy())
    new = np.arange(8.0, dtype=np.float32) - 3
    torch.nn.utils.vector_to_parameters(torch.tensor(new), tm.parameters())
    autolab.nn.utils.vector_to_parameters(autolab.tensor(new), am.parameters())
    for (k, t), a in zip(tm.state_dict().items(), am.state_dict().values()):
        np.testing.assert_array_equal(a.numpy(), t.numpy(), err_msg=k)
    assert am.weight.requires_grad and isinstance(am.weight, autolab.nn.Parameter)
    with pytest.raises(TypeError, match="expected torch.Tensor, but got: list"):
        autolab.nn.utils.vector_to_parameters([1.0], am.parameters())


def _seqs(lengths, trailing=(), dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((n, *trailing)).astype(dtype) for n in lengths]


@pytest.mark.parametrize("lengths,trailing", [((3, 5, 1), ()), ((2, 4), (3,)), ((4, 4, 2, 1), (2, 3)), ((3,), ())])
@pytest.mark.parametrize("batch_first", [False, True])
@pytest.mark.parametrize("padding_side", ["right", "left"])
def test_pad_sequence_values_and_gradients(lengths, trailing, batch_first, padding_side):
    arrays = _seqs(lengths, trailing)
    ts = [torch.tensor(a, requires_grad=True) for a in arrays]
    as_ = [autolab.tensor(a, requires_grad=True) for a in arrays]
    kw = {"batch_first": batch_first, "padding_value": -2.5, "padding_side": padding_side}
    t, a = torch.nn.utils.rnn.pad_sequence(ts, **kw), pad_sequence(as_, **kw)
    assert tuple(a.shape) == tuple(t.shape)
    np.testing.assert_array_equal(a.detach().numpy(), t.detach().numpy())
    w = np.random.default_rng(1).standard_normal(tuple(t.shape))
    (t * torch.tensor(w)).sum().backward()
    (a * autolab.tensor(w)).sum().backward()
    for x, y in zip(as_, ts):
        np.testing.assert_array_equal(x.grad.numpy(), y.grad.numpy())


def test_pad_sequence_dtypes_inputs_and_errors():
    ints = [np.array([1, 2, 3]), np.array([4])]
    t = torch.nn.utils.rnn.pad_sequence([torch.tensor(i) for i in ints], padding_value=7)
    a = pad_sequence([autolab.tensor(i) for i in ints], padding_value=7)
    np.testing.assert_array_equal(a.numpy(), t.numpy())
    assert str(a.dtype) == str(t.dtype).replace("torch", "autolab")
    mixed = [np.ones(2, np.float32), np.ones(3, np.float64)]  # the first sequence's dtype wins
    assert pad_sequence([autolab.tensor(m) for m in mixed]).dtype == autolab.float32
    assert torch.nn.utils.rnn.pad_sequence([torch.tensor(m) for m in mixed]).dtype == torch.float32
    x = np.arange(6.0).reshape(2, 3)  # a tensor is a sequence of its rows
    np.testing.assert_array_equal(
        pad_sequence(autolab.tensor(x)).numpy(), torch.nn.utils.rnn.pad_sequence(torch.tensor(x)).numpy()
    )
    for args, kw in [(([],), {}), (([autolab.ones(2)],), {"padding_side": "middle"}), ((5,), {})]:
        targs = tuple([torch.ones(2)] if isinstance(x, list) and x else x for x in args)
        with pytest.raises(RuntimeError) as t_err:
            torch.nn.utils.rnn.pad_sequence(*targs, **kw)
        with pytest.raises(RuntimeError) as a_err:
            pad_sequence(*args, **kw)
        assert str(a_err.value) == str(t_err.value)
    with pytest.raises(RuntimeError, match="trailing shape"):
        pad_sequence([autolab.ones(2, 3), autolab.ones(3, 4)])


@pytest.mark.parametrize("batch_first", [False, True])
def test_unpad_sequence_inverts_pad_sequence(batch_first):
    arrays = _seqs((3, 5, 1), (2,))
    padded = pad_sequence([autolab.tensor(a) for a in arrays], batch_first=batch_first)
    back = autolab.nn.utils.rnn.unpad_sequence(padded, autolab.tensor([3, 5, 1]), batch_first=batch_first)
    tback = torch.nn.utils.rnn.unpad_sequence(
        torch.nn.utils.rnn.pad_sequence([torch.tensor(a) for a in arrays], batch_first=batch_first),
        torch.tensor([3, 5, 1]),
        batch_first=batch_first,
    )
    for a, t, x in zip(back, tback, arrays):
        np.testing.assert_array_equal(a.numpy(), t.numpy())
        np.testing.assert_array_equal(a.numpy(), x)


@pytest.mark.parametrize(
    "name", ["PackedSequence", "pack_padded_sequence", "pad_packed_sequence", "pack_sequence", "unpack_sequence"]
)
def test_packing_raises_naming_itself_and_the_way_out(name):
    with pytest.raises(NotImplementedError, match=rf"nn\.utils\.rnn\.{name}: .*padded tensors.*pad_sequence"):
        getattr(autolab.nn.utils.rnn, name)(autolab.ones(3, 2), [3, 2])


def test_the_names_of_torch_nn_utils_resolve():
    for module in ("autolab.nn.utils", "autolab.nn.utils.rnn"):
        mod, tmod = importlib.import_module(module), importlib.import_module(module.replace("autolab", "torch"))
        names = {"clip_grad_norm_", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_",
                 "parameters_to_vector", "vector_to_parameters", "clip_grad_norm", "rnn"} if module.endswith(
            "utils") else set(tmod.__all__) - {"invert_permutation"}  # fmt: skip
        assert names <= set(dir(tmod))
        missing = [n for n in names if not hasattr(mod, n)]
        assert not missing
    assert autolab.nn.utils.clip_grad_norm_ is clip_grad_norm_
    assert math.isclose(float(get_total_norm(autolab.tensor([3.0, 4.0]))), 5.0)


def test_total_norm_of_mixed_dtypes_is_float64_as_in_torch():
    arrays = [np.ones(3, np.float32), np.full(2, 2.0)]
    tn = torch.nn.utils.get_total_norm([torch.tensor(a) for a in arrays])
    an = get_total_norm([autolab.tensor(a) for a in arrays])
    assert an.dtype == autolab.float64 and tn.dtype == torch.float64
    np.testing.assert_allclose(an.numpy(), tn.numpy(), rtol=1e-12)
    tp, ap = pair(arrays)
    torch.nn.utils.clip_grad_norm_(tp, 1.0)
    clip_grad_norm_(ap, 1.0)
    assert_grads_equal(tp, ap)  # each grad keeps its dtype
