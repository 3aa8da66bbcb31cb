"""``torch.backends.cuda``: CUDA's switches. ``is_built()`` says whether autolab can use a CUDA device."""

from types import SimpleNamespace

from .. import cuda


def is_built() -> bool:
    return bool(cuda.is_available())


# torch.backends.cuda.matmul.allow_tf32 and friends: settable flags, read by no CPU kernel.
matmul = SimpleNamespace(
    allow_tf32=False, allow_fp16_reduced_precision_reduction=True, allow_bf16_reduced_precision_reduction=True
)
