"""Errors that teach: each names the op and the shapes or dtypes involved, so a student can fix the call."""

from __future__ import annotations

import re

import pytest

import autolab
import autolab.nn as nn
import autolab.nn.functional as F

A = autolab

ERRORS = {
    "matmul inner sizes": (
        lambda: A.ones(64, 400) @ A.ones(120, 84),
        RuntimeError,
        "matmul: (64, 400) @ (120, 84): inner sizes 400 and 120 differ",
    ),
    "matmul vectors": (lambda: A.ones(3) @ A.ones(4), RuntimeError, "matmul: (3,) @ (4,): inner sizes 3 and 4 differ"),
    "matmul batch dims": (
        lambda: A.ones(2, 3, 4) @ A.ones(3, 4, 5),
        RuntimeError,
        "matmul: (2, 3, 4) @ (3, 4, 5): batch dimensions (2,) and (3,) cannot be broadcast",
    ),
    "matmul dtypes": (
        lambda: A.ones(2, 3, dtype=A.float64) @ A.ones(3, 2),
        RuntimeError,
        "matmul: expected both operands to have the same dtype, but got autolab.float64 and autolab.float32",
    ),
    "linear features": (
        lambda: nn.Linear(400, 120)(A.randn(64, 256)),
        RuntimeError,
        "linear: input (64, 256) has 256 features but the layer expects 400 (weight (120, 400))",
    ),
    "broadcast add": (
        lambda: A.ones(2, 3) + A.ones(4, 3),
        RuntimeError,
        "add: shapes (2, 3) and (4, 3) cannot be broadcast together: the size of tensor a (2) must match the size "
        "of tensor b (4) at non-singleton dimension 0",
    ),
    "broadcast mul": (lambda: A.ones(2, 3) * A.ones(3, 2), RuntimeError, "mul: shapes (2, 3) and (3, 2) cannot be"),
    "broadcast trailing": (
        lambda: A.ones(5, 2) - A.ones(3),
        RuntimeError,
        "sub: shapes (5, 2) and (3,) cannot be broadcast together: the size of tensor a (2) must match the size "
        "of tensor b (3) at non-singleton dimension 1",
    ),
    "backward non-scalar": (
        lambda: A.ones(2, 3, requires_grad=True).mul(2).backward(),
        RuntimeError,
        "grad can be implicitly created only for scalar outputs (this output has shape (2, 3))",
    ),
    "backward gradient shape": (
        lambda: A.ones(2, 2, requires_grad=True).mul(2).backward(A.ones(3)),
        RuntimeError,
        "Mismatch in shape: grad_output[0] has a shape of (3,) and output[0] has a shape of (2, 2).",
    ),
    "backward without graph": (
        lambda: A.ones(2).sum().backward(),
        RuntimeError,
        "element 0 of tensors does not require grad and does not have a grad_fn",
    ),
    "cross_entropy float targets": (
        lambda: F.cross_entropy(A.randn(4, 3), A.tensor([0.0, 1.0, 2.0, 1.0])),
        RuntimeError,
        "cross_entropy: expected target of dtype int64 (class indices), got autolab.float32",
    ),
    "cross_entropy class out of range": (
        lambda: F.cross_entropy(A.randn(4, 3), A.tensor([0, 1, 3, 1])),
        IndexError,
        "cross_entropy: target 3 is out of bounds for 3 classes",
    ),
    "cross_entropy batch sizes": (
        lambda: nn.CrossEntropyLoss()(A.randn(4, 3), A.tensor([0, 1, 2])),
        ValueError,
        "cross_entropy: expected input (N, C) and target (N,), got input (4, 3) and target (3,)",
    ),
    "conv2d channels": (
        lambda: F.conv2d(A.randn(1, 3, 8, 8), A.randn(4, 2, 3, 3)),
        RuntimeError,
        "conv2d: input (1, 3, 8, 8) has 3 channels but weight (4, 2, 3, 3) expects 2",
    ),
    "Conv2d layer channels": (
        lambda: nn.Conv2d(3, 6, 5)(A.randn(1, 1, 32, 32)),
        RuntimeError,
        "conv2d: input (1, 1, 32, 32) has 1 channels but weight (6, 3, 5, 5) expects 3",
    ),
    "conv2d dtypes": (
        lambda: F.conv2d(A.randn(1, 3, 8, 8, dtype=A.float64), A.randn(4, 3, 3, 3)),
        RuntimeError,
        "conv2d: input dtype autolab.float64 and weight dtype autolab.float32 should be the same",
    ),
    "conv2d too small": (
        lambda: F.conv2d(A.randn(1, 1, 2, 2), A.randn(1, 1, 3, 3)),
        RuntimeError,
        "conv2d: input (1, 1, 2, 2) padded to 2x2 is smaller than the kernel 3x3",
    ),
    "conv2d rank": (
        lambda: F.conv2d(A.randn(8, 8), A.randn(1, 1, 3, 3)),
        RuntimeError,
        "conv2d: expected a 3-D (C, H, W) or 4-D (N, C, H, W) input, got shape (8, 8)",
    ),
    "pool too small": (
        lambda: F.max_pool2d(A.randn(1, 1, 2, 2), 3),
        RuntimeError,
        "max_pool2d: input (1, 1, 2, 2) is smaller than the kernel (3, 3)",
    ),
    "view size": (
        lambda: A.ones(6).view(4, 2),
        RuntimeError,
        "shape '[4, 2]' is invalid for input of size 6 (the input has shape (6,))",
    ),
    "expand": (
        lambda: A.ones(2, 3).expand(3, 3),
        RuntimeError,
        "expand: the expanded size of the tensor (3) must match the existing size (2) at non-singleton dimension 0",
    ),
    "cat": (
        lambda: A.cat([A.ones(2, 3), A.ones(2, 4)]),
        RuntimeError,
        "cat: sizes of tensors must match except in dimension 0: tensor 0 has shape (2, 3) but tensor 1 has "
        "shape (2, 4)",
    ),
    "stack": (
        lambda: A.stack([A.ones(2, 3), A.ones(2, 4)]),
        RuntimeError,
        "stack expects each tensor to be equal size, but got (2, 3) at entry 0 and (2, 4) at entry 1",
    ),
    "index out of range": (
        lambda: A.ones(2, 3)[5],
        IndexError,
        "index 5 is out of range for a tensor of shape (2, 3)",
    ),
    "float index": (
        lambda: A.ones(2)[A.tensor([0.5])],
        IndexError,
        "tensors used as indices must be long, int, byte or bool tensors",
    ),
    "dim out of range": (
        lambda: A.ones(2, 3).sum(dim=2),
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
    ),
    "mean of ints": (lambda: A.tensor([1, 2]).mean(), RuntimeError, "Got: autolab.int64"),
    "loss shapes": (
        lambda: F.mse_loss(A.ones(4, 1), A.ones(4)),
        ValueError,
        "mse_loss: target shape (4,) differs from input shape (4, 1)",
    ),
    "where condition dtype": (
        lambda: A.where(A.ones(2), A.ones(2), A.ones(2)),
        RuntimeError,
        "where expected condition to be a boolean tensor",
    ),
    "batchnorm channels": (
        lambda: nn.BatchNorm2d(3)(A.randn(2, 4, 5, 5)),
        ValueError,
        "BatchNorm2d(3): input has 4 channels (dim 1 of (2, 4, 5, 5))",
    ),
    "bce range": (
        lambda: F.binary_cross_entropy(A.tensor([1.5]), A.tensor([1.0])),
        RuntimeError,
        "binary_cross_entropy: all elements of input should be between 0 and 1",
    ),
    "integer requires_grad": (
        lambda: A.tensor([1, 2], requires_grad=True),
        RuntimeError,
        "only Tensors of floating point dtype can require gradients, got autolab.int64",
    ),
    "item of many": (lambda: A.ones(3).item(), RuntimeError, "a Tensor with 3 elements cannot be converted to Scalar"),
    "numpy of requires_grad": (
        lambda: A.ones(2, requires_grad=True).numpy(),
        RuntimeError,
        "Can't call numpy() on Tensor that requires grad. Use tensor.detach().numpy() instead.",
    ),
    "module without super init": (
        lambda: type("Bad", (nn.Module,), {"__init__": lambda self: setattr(self, "fc", nn.Linear(1, 1))})(),
        AttributeError,
        "cannot assign Linear 'fc' before Module.__init__() call",
    ),
}


@pytest.mark.parametrize("call, exc, message", ERRORS.values(), ids=ERRORS.keys())
def test_error_message(call, exc, message):
    with pytest.raises(exc, match=re.escape(message)):
        call()


def test_matmul_message_names_the_layer_shapes_in_a_real_model():
    """The LeNet mistake: fc1 sized for 16*5*5 but fed a 16*4*4 map gives a message with both shapes."""
    fc1 = nn.Linear(16 * 5 * 5, 120)
    with pytest.raises(RuntimeError, match=re.escape("(2, 256)")) as info:
        fc1(A.randn(2, 16, 4, 4).flatten(1))
    assert "400" in str(info.value)
