"""Activation modules and their F functions against PyTorch: values, gradients, reprs, float64 gradchecks."""

from __future__ import annotations

import numpy as np
import pytest
from nn_helpers import AL, T, compare, randn, to_np, torch

import autolab

MODULES = {  # name: constructor arguments, the same for both libraries
    "ELU": {"alpha": 0.7},
    "CELU": {"alpha": 2.0},  # a power of 2: torch rounds 1/alpha in its backward
    "SELU": {},
    "GELU": {},
    "SiLU": {},
    "Mish": {},
    "Softplus": {"beta": 2.0, "threshold": 3.0},
    "Softsign": {},
    "Hardtanh": {"min_val": -0.5, "max_val": 1.5},
    "ReLU6": {},
    "LeakyReLU": {"negative_slope": 0.2},
    "PReLU": {"num_parameters": 3, "init": 0.1},
    "RReLU": {"lower": 0.1, "upper": 0.3},  # compared in eval mode; training is random
    "Hardsigmoid": {},
    "Hardswish": {},
    "Softmin": {"dim": 1},
    "Softmax2d": {},
    "LogSigmoid": {},
    "Tanhshrink": {},
    "Softshrink": {"lambd": 0.3},
    "Hardshrink": {"lambd": 0.4},
    "Threshold": {"threshold": 0.2, "value": -3.0},
    "GLU": {"dim": 1},
}


# PyTorch's hardsigmoid backward multiplies by 1.0f / 6.0f, a float32 constant, even in float64
LOOSE = {"hardsigmoid": 1e-7}


@pytest.mark.parametrize("name", sorted(MODULES))
def test_activation_module_matches_torch(name):
    kwargs = MODULES[name]
    x = randn(2, 4 if name == "GLU" else 3, 5, 6) * 3
    tm, am = compare(lambda L: getattr(L.nn, name)(**kwargs), [x], rtol=LOOSE.get(name.lower(), 1e-9))
    assert repr(am) == repr(tm)


def test_gelu_tanh_and_softplus_default_threshold():
    x = randn(4, 7) * 8  # beyond softplus's threshold (20 / beta) on some elements
    compare(lambda L: L.nn.GELU(approximate="tanh"), [x])
    compare(lambda L: L.nn.Softplus(beta=3.0), [x])


FUNCTIONS = [
    ("elu", {"alpha": 2.0}),
    ("selu", {}),
    ("celu", {"alpha": 0.5}),
    ("gelu", {"approximate": "tanh"}),
    ("silu", {}),
    ("mish", {}),
    ("softplus", {"beta": 0.5, "threshold": 4.0}),
    ("softsign", {}),
    ("hardtanh", {"min_val": -2.0, "max_val": 0.5}),
    ("relu6", {}),
    ("hardsigmoid", {}),
    ("hardswish", {}),
    ("logsigmoid", {}),
    ("tanhshrink", {}),
    ("softshrink", {"lambd": 1.0}),
    ("hardshrink", {"lambd": 1.0}),
    ("threshold", {"threshold": 0.5, "value": 2.0}),
    ("glu", {"dim": -1}),
    ("softmin", {"dim": 0}),
    ("rrelu", {"training": False}),
]


@pytest.mark.parametrize("name,kwargs", FUNCTIONS, ids=[f[0] for f in FUNCTIONS])
def test_functional_matches_torch_and_gradchecks(name, kwargs):
    x = randn(3, 8) * 4
    tx, ax = torch.tensor(x, requires_grad=True), autolab.tensor(x, requires_grad=True)
    ty, ay = getattr(T.F, name)(tx, **kwargs), getattr(AL.F, name)(ax, **kwargs)
    np.testing.assert_allclose(to_np(ay), to_np(ty), rtol=1e-12, atol=1e-14)
    w = randn(*ty.shape, seed=2)
    (ty * torch.tensor(w)).sum().backward()
    (ay * autolab.tensor(w)).sum().backward()
    np.testing.assert_allclose(to_np(ax.grad), to_np(tx.grad), rtol=LOOSE.get(name, 1e-12), atol=1e-14)
    assert autolab.autograd.gradcheck(
        lambda v: getattr(AL.F, name)(v, **kwargs), (autolab.tensor(x, requires_grad=True),)
    )


def test_prelu_single_slope_and_per_channel_in_2d():
    compare(lambda L: L.nn.PReLU(), [randn(4, 5)])
    compare(lambda L: L.nn.PReLU(5, init=-0.3), [randn(4, 5)])


def test_rrelu_training_draws_slopes_between_lower_and_upper():
    x = autolab.tensor(-np.ones(10000))
    y = AL.F.rrelu(x, 0.1, 0.3, training=True)._data
    assert y.min() >= -0.3 and y.max() <= -0.1 and abs(y.mean() + 0.2) < 0.01


def test_extreme_inputs_stay_finite_where_torch_is():
    x = np.array([-1e4, -50.0, -20.0, 0.0, 20.0, 50.0, 1e4])
    for name in ("elu", "selu", "celu", "softplus", "mish", "logsigmoid", "silu"):
        tx, ax = torch.tensor(x, requires_grad=True), autolab.tensor(x, requires_grad=True)
        getattr(T.F, name)(tx).sum().backward()
        getattr(AL.F, name)(ax).sum().backward()
        # atol: expm1's backward is (y + 1) * grad (as in PyTorch's autograd), which loses e^-50 next to -1;
        # PyTorch's elu kernel computes e^x directly
        np.testing.assert_allclose(to_np(ax.grad), to_np(tx.grad), rtol=1e-12, atol=1e-15, err_msg=name)


def test_bad_arguments_raise_like_torch():
    with pytest.raises(RuntimeError, match="approximate"):
        AL.F.gelu(autolab.ones(2), approximate="fast")
    with pytest.raises(RuntimeError, match="Halving dimension must be even"):
        AL.F.glu(autolab.ones(3))
    with pytest.raises(RuntimeError, match="Mismatch of parameter numbers"):
        AL.F.prelu(autolab.ones(2, 3), autolab.ones(2))
