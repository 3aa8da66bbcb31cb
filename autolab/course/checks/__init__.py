"""Instant checks for the notebooks' "your turn" cells: each prints ✓, or ✗ with a hint, and returns a bool.

Grouped by notebook; every check is also importable from here, e.g. ``checks.linear(MyLinear)``. Each takes
``seed=`` for other inputs than the visible check uses (the hidden tests of a graded notebook). In grading mode
(nbgrader sets ``NBGRADER_EXECUTION``; or ``AUTOLAB_GRADING=1``) a check that does not pass raises
``CheckFailed`` after printing its ✗ line; later cells ask ``checks.passed(answer)`` instead of keeping the result.
"""

from . import autograd, cnn, data, debugging, gpu, kernels, losses, modules, parallel, regression, tensors
from ._core import FAIL, PASS, CheckFailed, Result, fail, grading, ok, passed, to_numpy
from .autograd import backward, chain_rule, topo_sort, used_twice, which_ops_quiz
from .cnn import accuracy, confusion_matrix, conv_output_size, leakage_quiz
from .data import batches_quiz, collate, csv_dataset, folder_dataset, loader, mean_std, workers_quiz
from .debugging import dead_fraction, diagnosis, train_step
from .gpu import block_sum, grid_stride_quiz, saxpy, tiled_matmul
from .kernels import conv_im2col, im2col, im2col_copies_quiz, matmul
from .losses import adam, cross_entropy, log_softmax_quiz, lr_limit_quiz, sgd
from .modules import count_parameters, init_scale_quiz, linear, mlp
from .parallel import average_gradients, ring_bytes_sent
from .regression import hessian, lr_regime_quiz, mse, sgd_step
from .tensors import broadcast_shape, pairwise_sq_distances, standardize_rows, views_quiz

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
    "gpu",
    "saxpy",
    "block_sum",
    "tiled_matmul",
    "grid_stride_quiz",
    "broadcast_shape",
    "pairwise_sq_distances",
    "chain_rule",
    "topo_sort",
    "used_twice",
    "which_ops_quiz",
    "backward",
    "linear",
    "count_parameters",
    "mse",
    "sgd_step",
    "conv_output_size",
    "accuracy",
    "im2col",
    "matmul",
    "losses",
    "cross_entropy",
    "log_softmax_quiz",
    "sgd",
    "adam",
    "lr_limit_quiz",
    "data",
    "csv_dataset",
    "folder_dataset",
    "collate",
    "loader",
    "mean_std",
    "batches_quiz",
    "workers_quiz",
    "debugging",
    "train_step",
    "dead_fraction",
    "diagnosis",
    "standardize_rows",
    "views_quiz",
    "mlp",
    "init_scale_quiz",
    "hessian",
    "lr_regime_quiz",
    "confusion_matrix",
    "leakage_quiz",
    "conv_im2col",
    "im2col_copies_quiz",
    "parallel",
    "average_gradients",
    "ring_bytes_sent",
]
