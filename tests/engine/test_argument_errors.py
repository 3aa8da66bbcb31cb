"""Bad arguments raise what PyTorch raises (the same exception type, a message that names the problem), instead
of being cropped, truncated or turned into a ZeroDivisionError deep inside a kernel.

Each case is written once for both libraries, ``fn(L, x, w)``, and run on PyTorch first: the test checks that
autolab raises an exception of the type PyTorch raised, or succeeds with the same shape where PyTorch succeeds.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from engine_helpers import AL, torch_ns

import autolab

T = torch_ns()

CASES = {
    # conv2d: negative padding cropped silently, stride 0 divided by zero
    "conv2d padding=-1": (lambda L, x, w: L.F.conv2d(x, w, padding=-1), "negative padding"),
    "conv2d padding=(1, -1)": (lambda L, x, w: L.F.conv2d(x, w, padding=(1, -1)), "negative padding"),
    "conv2d stride=0": (lambda L, x, w: L.F.conv2d(x, w, stride=0), "non-positive stride"),
    "conv2d stride=-1": (lambda L, x, w: L.F.conv2d(x, w, stride=-1), "non-positive stride"),
    "conv2d stride=2.5": (lambda L, x, w: L.F.conv2d(x, w, stride=2.5), "stride"),
    "conv2d padding=1.5": (lambda L, x, w: L.F.conv2d(x, w, padding=1.5), "padding"),
    "Conv2d(..., stride=0) forward": (lambda L, x, w: L.nn.Conv2d(2, 4, 3, stride=0)(x), "stride"),
    "Conv2d kernel 0 forward": (lambda L, x, w: L.nn.Conv2d(2, 4, 0)(x), "kernel size"),
    "Conv2d(2.5, 4, 3)": (lambda L, x, w: L.nn.Conv2d(2.5, 4, 3), "in_channels"),
    # zero-sized layers are legal (PyTorch warns that initializing them is a no-op)
    "Conv2d(0, 4, 3)": (lambda L, x, w: L.nn.Conv2d(0, 4, 3).weight, None),
    "Linear(0, 3) forward": (lambda L, x, w: L.nn.Linear(0, 3)(L.t.zeros(2, 0)), None),
    "Linear(2.5, 3)": (lambda L, x, w: L.nn.Linear(2.5, 3), "size"),
    "Linear(-1, 3)": (lambda L, x, w: L.nn.Linear(-1, 3), "negative dimension"),
    # pooling
    "max_pool2d kernel 0": (lambda L, x, w: L.F.max_pool2d(x, 0, 1), "kernel size"),
    "max_pool2d stride 0": (lambda L, x, w: L.F.max_pool2d(x, 2, 0), "stride"),
    "max_pool2d stride -1": (lambda L, x, w: L.F.max_pool2d(x, 2, -1), "stride"),
    "max_pool2d padding -1": (lambda L, x, w: L.F.max_pool2d(x, 2, 2, -1), "pad must be non-negative"),
    "max_pool2d kernel 2.5": (lambda L, x, w: L.F.max_pool2d(x, 2.5), "kernel_size"),
    "avg_pool2d kernel 0": (lambda L, x, w: L.F.avg_pool2d(x, 0, 1), "kernel size"),
    "avg_pool2d padding -1": (lambda L, x, w: L.F.avg_pool2d(x, 2, 2, -1), "pad must be non-negative"),
    "MaxPool2d(0) forward": (lambda L, x, w: L.nn.MaxPool2d(0, 1)(x), "kernel size"),
    # creation: zeros(2.5) gave shape (2,)
    "zeros(2.5)": (lambda L, x, w: L.t.zeros(2.5), "must be tuple of ints"),
    "zeros((2, 2.5))": (lambda L, x, w: L.t.zeros((2, 2.5)), "tuple of ints"),
    "ones(2, 2.0)": (lambda L, x, w: L.t.ones(2, 2.0), "tuple of ints"),
    "randn(2.5)": (lambda L, x, w: L.t.randn(2.5), "tuple of ints"),
    "full((2.5,), 1.0)": (lambda L, x, w: L.t.full((2.5,), 1.0), "tuple of ints"),
    "zeros(True)": (lambda L, x, w: L.t.zeros(True), "tuple of ints"),
    "zeros(-1)": (lambda L, x, w: L.t.zeros(-1), "negative dimension"),
    "empty(-2)": (lambda L, x, w: L.t.empty(-2), "negative dimension"),
    "randperm(-1)": (lambda L, x, w: L.t.randperm(-1), "negative dimension"),
    "zeros(np.int64(2))": (lambda L, x, w: L.t.zeros(np.int64(2)), None),
    "zeros(())": (lambda L, x, w: L.t.zeros(()), None),
    "arange step 0": (lambda L, x, w: L.t.arange(0, 5, 0), "step must be nonzero"),
    "arange wrong sign": (lambda L, x, w: L.t.arange(0, 5, -1), "inconsistent with step sign"),
    "arange to nan": (lambda L, x, w: L.t.arange(0, float("nan")), "unsupported range"),
    "arange to inf": (lambda L, x, w: L.t.arange(0, float("inf")), "unsupported range"),
    "arange empty": (lambda L, x, w: L.t.arange(3, 3), None),
    "linspace steps -1": (lambda L, x, w: L.t.linspace(0, 1, -1), "non-negative"),
    "randint low >= high": (lambda L, x, w: L.t.randint(5, 5, (2,)), "less than"),
    "eye(-1)": (lambda L, x, w: L.t.eye(-1), "greater or equal to 0"),
    # integer division by zero returned 0 with a numpy warning
    "int // 0": (lambda L, x, w: L.t.tensor([5, 3]) // L.t.tensor([0, 1]), "ZeroDivisionError"),
    "int % 0": (lambda L, x, w: L.t.tensor([5]) % 0, "ZeroDivisionError"),
    "fmod(int, 0)": (lambda L, x, w: L.t.fmod(L.t.tensor([5]), 0), "ZeroDivisionError"),
    "div(int, 0, trunc)": (lambda L, x, w: L.t.div(L.t.tensor([5]), 0, rounding_mode="trunc"), "ZeroDivisionError"),
    "int / 0 is inf": (lambda L, x, w: L.t.tensor([5]) / 0, None),
    "float // 0 is inf": (lambda L, x, w: L.t.tensor([5.0]) // 0, None),
    # a dim out of range was taken modulo the number of dims
    "softmax dim 5": (lambda L, x, w: L.F.softmax(x, 5), "Dimension out of range"),
    "log_softmax dim -5": (lambda L, x, w: L.F.log_softmax(x, -5), "Dimension out of range"),
    "cat dim 4": (lambda L, x, w: L.t.cat([x, x], 4), "Dimension out of range"),
    "gather dim 4": (lambda L, x, w: x.gather(4, L.t.zeros(1, 2, 5, 5, dtype=L.t.int64)), "Dimension out of range"),
    "scatter_add dim 4": (
        lambda L, x, w: x.scatter_add(4, L.t.zeros(1, 2, 5, 5, dtype=L.t.int64), x),
        "Dimension out of range",
    ),
    "squeeze dim 4": (lambda L, x, w: x.squeeze(4), "Dimension out of range"),
}


def _run(L, fn):
    x = L.t.tensor(np.random.default_rng(0).standard_normal((1, 2, 5, 5)).astype(np.float32))
    w = L.t.tensor(np.random.default_rng(1).standard_normal((3, 2, 3, 3)).astype(np.float32))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Initializing zero-element tensors is a no-op"
        try:
            return fn(L, x, w), None
        except Exception as e:  # noqa: BLE001 -- the point is to compare whatever each library raises
            return None, e


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_arguments_raise_what_pytorch_raises(name):
    fn, words = CASES[name]
    tout, terr = _run(T, fn)
    aout, aerr = _run(AL, fn)
    if terr is None:
        assert aerr is None, f"PyTorch accepts this; autolab raised {aerr!r}"
        assert tuple(aout.shape) == tuple(tout.shape) if hasattr(tout, "shape") else True
        return
    assert aerr is not None, f"PyTorch raises {terr!r}; autolab returned {aout!r}"
    assert isinstance(aerr, type(terr)), f"PyTorch raises {type(terr).__name__}, autolab {aerr!r}"
    assert words in str(aerr), f"autolab's message should say {words!r}: {aerr}"


def test_zero_sized_layers_warn_like_pytorch():
    with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
        layer = autolab.nn.Linear(0, 3)
    assert layer.weight.shape == (3, 0)
    np.testing.assert_array_equal(layer(autolab.zeros(2, 0)).detach().numpy()[0], layer.bias.detach().numpy())
