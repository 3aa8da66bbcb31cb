"""Check an op's backward against finite differences, in float64.

For each input element x_j, the central difference (f(x + eps) - f(x - eps)) / 2 eps gives column j of the
numerical Jacobian; backward with a one-hot output gradient gives row i of the analytical one. They must agree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..tensor import Tensor
from .functional import grad as autograd_grad
from .grad_mode import enable_grad, no_grad


class GradcheckError(RuntimeError):
    """The analytical gradient (from backward) disagrees with the numerical one."""


def _outputs(fn: Callable, inputs: list) -> list[Tensor]:
    out = fn(*inputs)
    return list(out) if isinstance(out, (tuple, list)) else [out]


def gradcheck(
    fn: Callable[..., Any],
    inputs: Any,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
) -> bool:
    """True when ``fn``'s gradients match finite differences for every input that requires grad.

    Inputs are copied to float64 first: in float32 a finite difference is too noisy to check anything.

    >>> x = autolab.randn(3, 4, dtype=autolab.float64, requires_grad=True)
    >>> autolab.autograd.gradcheck(lambda t: (t * t).sum(dim=1), (x,))
    True
    """
    inputs = list(inputs) if isinstance(inputs, (tuple, list)) else [inputs]
    xs = [
        Tensor._wrap(t._data.astype(np.float64)).requires_grad_(t.requires_grad)
        if isinstance(t, Tensor) and t.is_floating_point()
        else t
        for t in inputs
    ]
    diff = [i for i, t in enumerate(xs) if isinstance(t, Tensor) and t.requires_grad]
    if not diff:
        raise ValueError("gradcheck expects at least one input tensor with requires_grad=True")

    outs = _outputs(fn, xs)
    for k, out in enumerate(outs):
        if not out.requires_grad:
            continue
        analytical = {i: np.zeros((out.numel(), xs[i].numel())) for i in diff}
        for row in range(out.numel()):
            onehot = np.zeros(out.numel())
            onehot[row] = 1
            g = autograd_grad(
                [out],
                [xs[i] for i in diff],
                [Tensor._wrap(onehot.reshape(out.shape))],
                retain_graph=True,
                allow_unused=True,
            )
            for i, gi in zip(diff, g):
                if gi is not None:
                    analytical[i][row] = gi._data.ravel()
        for i in diff:
            numerical = _numerical_jacobian(fn, xs, i, k, eps)
            if not np.allclose(analytical[i], numerical, rtol=rtol, atol=atol):
                worst = np.unravel_index(np.argmax(np.abs(analytical[i] - numerical)), numerical.shape)
                msg = (
                    f"Jacobian mismatch for output {k} with respect to input {i}: at (output element {worst[0]}, "
                    f"input element {worst[1]}) backward gives {analytical[i][worst]:.6g} but finite differences "
                    f"give {numerical[worst]:.6g}\nnumerical:\n{numerical}\nanalytical:\n{analytical[i]}"
                )
                if raise_exception:
                    raise GradcheckError(msg)
                return False
    return True


def _numerical_jacobian(fn: Callable, xs: list, i: int, k: int, eps: float) -> np.ndarray:
    x = xs[i]._data
    flat = x.reshape(-1)  # a view: nudging flat[j] nudges the input in place
    cols = []
    with no_grad():
        for j in range(flat.size):
            orig = flat[j]
            flat[j] = orig + eps
            plus = _outputs(fn, xs)[k]._data.astype(np.float64).ravel()
            flat[j] = orig - eps
            minus = _outputs(fn, xs)[k]._data.astype(np.float64).ravel()
            flat[j] = orig
            cols.append((plus - minus) / (2 * eps))
    return np.stack(cols, axis=1) if cols else np.zeros((0, 0))


def gradgradcheck(
    fn: Callable[..., Any], inputs: Any, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3
) -> bool:
    """Check second derivatives: gradcheck of the function x -> d(sum fn(x))/dx, built with create_graph=True."""
    inputs = list(inputs) if isinstance(inputs, (tuple, list)) else [inputs]

    def first_derivative(*xs: Tensor) -> tuple:
        # The numerical Jacobian calls this under no_grad(); the first derivative still needs a graph to exist.
        with enable_grad():
            outs = _outputs(fn, list(xs))
            total = sum(o.sum() for o in outs)
            return autograd_grad(total, [x for x in xs if x.requires_grad], create_graph=True)

    return gradcheck(first_derivative, inputs, eps=eps, atol=atol, rtol=rtol)
