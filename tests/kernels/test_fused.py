"""Fused kernels (softmax + cross-entropy, bias + ReLU) against PyTorch and the references."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st
from kernel_helpers import tol

from autolab import kernels
from autolab.kernels import reference as ref


@settings(max_examples=30, deadline=None)
@given(
    n=st.integers(1, 70),
    k=st.integers(1, 12),
    scale=st.sampled_from([1.0, 30.0, 300.0]),
    dtype=st.sampled_from([np.float32, np.float64]),
    seed=st.integers(0, 2**31),
)
def test_softmax_cross_entropy_matches_torch(n, k, scale, dtype, seed):
    rng = np.random.default_rng(seed)
    logits = rng.standard_normal((n, k)) * scale  # large logits: needs the max subtracted
    target = rng.integers(0, k, n)
    tl = torch.tensor(logits, requires_grad=True)
    loss = F.cross_entropy(tl, torch.tensor(target))
    loss.backward()

    losses, probs = kernels.softmax_cross_entropy_forward(logits.astype(dtype), target)
    assert kernels.last_path["softmax_cross_entropy_forward"] == "numba"
    assert losses.dtype == dtype and probs.dtype == dtype
    rtol, atol = tol(dtype)
    np.testing.assert_allclose(losses.mean(), loss.item(), rtol=rtol, atol=atol * scale)
    np.testing.assert_allclose(probs, torch.softmax(tl, 1).detach().numpy(), rtol=rtol, atol=atol)
    g = kernels.softmax_cross_entropy_backward(probs, target, np.full(n, 1.0 / n, dtype))
    np.testing.assert_allclose(g, tl.grad.numpy(), rtol=rtol, atol=atol)
    ref_losses, ref_probs = ref.softmax_cross_entropy_forward(logits, target)
    np.testing.assert_allclose(losses, ref_losses, rtol=rtol, atol=atol * scale)


def test_softmax_cross_entropy_rejects_bad_targets():
    with pytest.raises(IndexError):
        kernels.softmax_cross_entropy_forward(np.zeros((2, 3)), np.array([0, 3]))


@settings(max_examples=30, deadline=None)
@given(
    shape=st.sampled_from([(1, 1), (3, 5), (2, 3, 4, 5), (4, 6, 7, 7)]),
    bias=st.booleans(),
    dtype=st.sampled_from([np.float32, np.float64]),
    seed=st.integers(0, 2**31),
)
def test_bias_relu_and_relu_backward_match_torch(shape, bias, dtype, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape)
    b = rng.standard_normal(shape[1]) if bias else None
    tx = torch.tensor(x, requires_grad=True)
    tb = torch.tensor(b).reshape((1, -1) + (1,) * (len(shape) - 2)) if bias else 0
    ty = torch.relu(tx + tb)
    gy = rng.standard_normal(shape)
    ty.backward(torch.tensor(gy))

    y = kernels.bias_relu_forward(x.astype(dtype), None if b is None else b.astype(dtype))
    assert kernels.last_path["bias_relu_forward"] == "numba" and y.dtype == dtype
    np.testing.assert_allclose(y, ty.detach().numpy(), *tol(dtype))
    gx = kernels.relu_backward(gy.astype(dtype), y)
    np.testing.assert_allclose(gx, tx.grad.numpy(), *tol(dtype))
    np.testing.assert_allclose(ref.bias_relu_forward(x, b), ty.detach().numpy())
