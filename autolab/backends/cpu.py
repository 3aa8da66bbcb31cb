"""``torch.backends.cpu``: which SIMD instructions the CPU kernels use."""


def get_cpu_capability() -> str:
    """numba compiles autolab's kernels for the host CPU (see docs/benchmarks.md), so it names no fixed level."""
    return "DEFAULT"
