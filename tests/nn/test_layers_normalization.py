"""LayerNorm, GroupNorm, InstanceNorm1d/2d against PyTorch: outputs, gradients, running statistics, state_dicts."""

from __future__ import annotations

import numpy as np
import pytest
from nn_helpers import AL, T, compare, randn, to_np, torch

import autolab


@pytest.mark.parametrize(
    "args,kwargs",
    [((6,), {}), (((5, 6),), {}), ((6,), {"elementwise_affine": False}), ((6,), {"bias": False})],
)
def test_layer_norm(args, kwargs):
    x = randn(3, 4, 5, 6) * 2 + 1
    tm, am = compare(lambda L: L.nn.LayerNorm(*args, **kwargs), [x])
    assert repr(am) == repr(tm)


def test_layer_norm_with_trained_weights_and_functional_form():
    def make(L):
        m = L.nn.LayerNorm(6)
        m.weight.data = L.t.tensor(randn(6, seed=3))
        m.bias.data = L.t.tensor(randn(6, seed=4))
        return m

    compare(make, [randn(2, 6)])
    w, b, x = randn(6, seed=5), randn(6, seed=6), randn(4, 6)
    want = T.F.layer_norm(torch.tensor(x), [6], torch.tensor(w), torch.tensor(b), eps=1e-3)
    got = AL.F.layer_norm(autolab.tensor(x), [6], autolab.tensor(w), autolab.tensor(b), eps=1e-3)
    np.testing.assert_allclose(to_np(got), to_np(want), rtol=1e-12)
    with pytest.raises(RuntimeError, match="normalized_shape"):
        AL.F.layer_norm(autolab.tensor(x), [5])


@pytest.mark.parametrize("groups,affine", [(1, True), (3, True), (6, True), (2, False)])
def test_group_norm(groups, affine):
    tm, am = compare(lambda L: L.nn.GroupNorm(groups, 6, affine=affine), [randn(2, 6, 4, 3) + 0.5])
    assert repr(am) == repr(tm)
    compare(lambda L: L.nn.GroupNorm(groups, 6, affine=affine), [randn(3, 6)])  # (N, C) input


@pytest.mark.parametrize("cls,shape", [("InstanceNorm2d", (2, 3, 5, 4)), ("InstanceNorm1d", (2, 3, 7))])
@pytest.mark.parametrize("affine,track", [(False, False), (True, False), (True, True), (False, True)])
def test_instance_norm_train_then_eval(cls, shape, affine, track):
    make = lambda L: getattr(L.nn, cls)(3, affine=affine, track_running_stats=track, momentum=0.3)
    tm, am = compare(make, [randn(*shape)], train=True)
    assert repr(am) == repr(tm)
    for k, v in tm.state_dict().items():  # the running statistics were updated the same way
        np.testing.assert_allclose(to_np(am.state_dict()[k]), to_np(v), rtol=1e-12, err_msg=k)
    # eval: with tracked statistics they are used (copied from the trained torch layer)
    x = randn(*shape, seed=7)
    tm.eval(), am.eval()
    np.testing.assert_allclose(to_np(am(autolab.tensor(x))), to_np(tm(torch.tensor(x))), rtol=1e-10, atol=1e-12)
    compare(make, [randn(*shape[1:])])  # unbatched input


def test_norm_defaults_match_torch():
    for make in (lambda L: L.nn.LayerNorm(4), lambda L: L.nn.GroupNorm(2, 4), lambda L: L.nn.InstanceNorm2d(4, True)):
        t, a = make(T), make(AL)
        assert {k: tuple(v.shape) for k, v in a.state_dict().items()} == {
            k: tuple(v.shape) for k, v in t.state_dict().items()
        }
        for k, v in t.state_dict().items():
            np.testing.assert_array_equal(to_np(a.state_dict()[k]), to_np(v))


def test_norms_gradcheck_in_float64():
    x = autolab.tensor(randn(2, 4, 3), requires_grad=True)
    w = autolab.tensor(randn(4, seed=2), requires_grad=True)
    b = autolab.tensor(randn(4, seed=3), requires_grad=True)
    assert autolab.autograd.gradcheck(lambda x, w, b: AL.F.group_norm(x, 2, w, b), (x, w, b))
    assert autolab.autograd.gradcheck(lambda x, w, b: AL.F.instance_norm(x, weight=w, bias=b), (x, w, b))
    w3, b3 = autolab.tensor(randn(3, seed=4), requires_grad=True), autolab.tensor(randn(3, seed=5), requires_grad=True)
    assert autolab.autograd.gradcheck(lambda x, w, b: AL.F.layer_norm(x, (3,), w, b), (x, w3, b3))
