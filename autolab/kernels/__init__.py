"""The kernel seam: every loop over pixels in autolab lives behind these functions.

See docs/architecture.md ("The kernel seam") for the contract. For now each name points at the plain numpy
reference in ``reference.py``; faster numba paths are dispatched here per shape.
"""

from .reference import (
    avg_pool2d_backward,
    avg_pool2d_forward,
    conv2d_backward_input,
    conv2d_backward_weight,
    conv2d_forward,
    matmul,
    max_pool2d_backward,
    max_pool2d_forward,
)

__all__ = [
    "matmul",
    "conv2d_forward",
    "conv2d_backward_input",
    "conv2d_backward_weight",
    "max_pool2d_forward",
    "max_pool2d_backward",
    "avg_pool2d_forward",
    "avg_pool2d_backward",
]
