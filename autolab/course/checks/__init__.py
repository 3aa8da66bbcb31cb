"""Instant checks for the notebooks' "your turn" cells: each prints ✓, or ✗ with a hint, and returns a bool.

Grouped by notebook; every check is also importable from here, e.g. ``checks.linear(MyLinear)``. Each takes
``seed=`` for other inputs than the visible check uses (the hidden tests of a graded notebook). In grading mode
(nbgrader sets ``NBGRADER_EXECUTION``; or ``AUTOLAB_GRADING=1``) a check that does not pass raises
``CheckFailed`` after printing its ✗ line; later cells ask ``checks.passed(answer)`` instead of keeping the result.
"""

from . import autograd, cnn, kernels, modules, parallel, regression, tensors
from ._core import FAIL, PASS, CheckFailed, Result, fail, grading, ok, passed, to_numpy
from .autograd import backward, chain_rule, topo_sort
from .cnn import accuracy, conv_output_size
from .kernels import im2col, matmul
from .modules import count_parameters, linear
from .parallel import average_gradients, ring_bytes_sent
from .regression import mse, sgd_step
from .tensors import broadcast_shape, pairwise_sq_distances

__all__ = [
    "PASS",
    "FAIL",
    "Result",
    "CheckFailed",
    "grading",
    "passed",
    "ok",
    "fail",
    "to_numpy",
    "tensors",
    "autograd",
    "modules",
    "regression",
    "cnn",
    "kernels",
    "broadcast_shape",
    "pairwise_sq_distances",
    "chain_rule",
    "topo_sort",
    "backward",
    "linear",
    "count_parameters",
    "mse",
    "sgd_step",
    "conv_output_size",
    "accuracy",
    "im2col",
    "matmul",
    "parallel",
    "average_gradients",
    "ring_bytes_sent",
]
