"""matmul's backward when the right operand is a transposed view (a linear layer's weight.t())."""

import numpy as np
import pytest
import torch

import autolab
from autolab.autograd import gradcheck, gradgradcheck


@pytest.mark.parametrize("x_shape", [(5,), (3, 5), (2, 3, 5), (1, 1, 5)])
def test_gradient_of_a_transposed_weight_matches_torch_and_is_contiguous(x_shape):
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal(x_shape), rng.standard_normal((4, 5))
    ax, aw = autolab.tensor(x, requires_grad=True), autolab.tensor(w, requires_grad=True)
    tx, tw = torch.tensor(x, requires_grad=True), torch.tensor(w, requires_grad=True)
    g = rng.standard_normal(x_shape[:-1] + (4,))
    (ax @ aw.t()).backward(autolab.tensor(g))
    (tx @ tw.t()).backward(torch.tensor(g))
    np.testing.assert_allclose(aw.grad.numpy(), tw.grad.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(ax.grad.numpy(), tx.grad.numpy(), rtol=1e-12, atol=1e-12)
    assert aw.grad.numpy().flags.c_contiguous  # no strided copies of the weight gradient downstream


def test_transposed_weight_path_has_second_derivatives():
    rng = np.random.default_rng(1)
    x = autolab.tensor(rng.standard_normal((2, 3, 5)), requires_grad=True)
    w = autolab.tensor(rng.standard_normal((4, 5)), requires_grad=True)
    assert gradcheck(lambda x, w: x @ w.t(), (x, w))
    assert gradgradcheck(lambda x, w: (x @ w.t()).tanh(), (x, w))
