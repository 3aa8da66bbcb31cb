"""Square linear algebra: inverse, determinant, linear solve, each with its textbook backward in tensor ops.

numpy's LAPACK does the forward; the backward rules use matmul, transpose and the ops themselves, so they
differentiate again. For a batch, the last two dims are the matrices.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..autograd.function import Function
from ..tensor import Tensor
from . import unary  # sibling op modules are imported whole and used at call time
from .matmul import matmul  # by name: ops/__init__ rebinds `ops.matmul` to this function


def _square(name: str, A: Tensor) -> None:
    if A.ndim < 2 or A.shape[-1] != A.shape[-2]:
        raise RuntimeError(f"linalg.{name}: A must be batches of square matrices, but they are {A.shape[-2:]} matrices")
    if not A.is_floating_point():
        raise RuntimeError(f"linalg.{name}: Expected a floating point tensor as input. Got {A.dtype}")


def _lapack(name: str, fn: Any, *args: np.ndarray) -> np.ndarray:
    try:
        return fn(*args)
    except np.linalg.LinAlgError:
        raise RuntimeError(
            f"linalg.{name}: the input matrix is singular (its determinant is 0), so {name} has no unique result"
        ) from None


class Inverse(Function):
    torch_name = "LinalgInvEx"

    def forward(self, A):
        return _lapack("inv", np.linalg.inv, A)

    def backward(self, grad):
        y = self.output.mT  # d(A^-1) = -A^-1 dA A^-1, so dL/dA = -A^-T g A^-T
        return -matmul(matmul(y, grad), y)


def inv(A: Tensor) -> Tensor:
    """The inverse of each square matrix: ``A @ inv(A)`` is the identity."""
    _square("inv", A)
    return Inverse.apply(A)


class Det(Function):
    torch_name = "LinalgDet"

    def forward(self, A):
        return np.asarray(np.linalg.det(A), dtype=A.dtype)

    def backward(self, grad):
        (A,) = self.inputs  # d det(A) / dA = det(A) A^-T (Jacobi's formula)
        return (grad * self.output).unsqueeze(-1).unsqueeze(-1) * inv(A).mT


def det(A: Tensor) -> Tensor:
    _square("det", A)
    return Det.apply(A)


def slogdet(A: Tensor) -> tuple[Tensor, Tensor]:
    """(sign, log|det|): the log-determinant without overflow; the gradient of log|det A| is A^-T."""
    _square("slogdet", A)
    sign = Tensor._wrap(np.sign(np.linalg.det(A._data)).astype(A._data.dtype))
    return sign, unary.log(unary.abs(det(A)))


class Solve(Function):
    torch_name = "LinalgSolveEx"

    def forward(self, A, B):
        self.vector = B.ndim == A.ndim - 1  # B is a (batch of) vector(s)
        X = _lapack("solve", np.linalg.solve, A, B[..., None] if self.vector else B)
        return X[..., 0] if self.vector else X

    def backward(self, grad):
        A, _ = self.inputs  # X = A^-1 B: dL/dB = A^-T g, dL/dA = -(dL/dB) X^T
        X = self.output
        g, x = (grad.unsqueeze(-1), X.unsqueeze(-1)) if self.vector else (grad, X)
        gB = solve(A.mT, g)
        gA = -matmul(gB, x.mT) if self.needs_input_grad[0] else None
        if self.vector:
            gB = gB.squeeze(-1)
        return gA, gB if self.needs_input_grad[1] else None


def solve(A: Tensor, B: Tensor, *, left: bool = True) -> Tensor:
    """X with ``A @ X = B``, without forming the inverse (faster and more accurate)."""
    if not left:
        raise NotImplementedError("linalg.solve(left=False) is not supported in autolab; solve A.mT X^T = B^T")
    _square("solve", A)
    return Solve.apply(A, B)
