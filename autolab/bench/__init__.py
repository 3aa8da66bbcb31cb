"""``python -m autolab.bench [--json out.json]``: autolab's kernels and training steps against PyTorch.

Sections: ``kernels`` (each seam kernel against PyTorch and numpy, matmul GFLOP/s against OpenBLAS),
``models`` (LeNet and VGG-small training images per second), ``process`` (import time, cold compile of
every kernel, import plus first LeNet step from a warm cache, peak RSS). Everything that is compared runs
in one process, interleaved, and reports the median of several rounds (see ``timing.py``).
"""
