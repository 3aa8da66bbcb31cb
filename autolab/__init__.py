"""autolab: a small, readable deep learning framework with PyTorch's API, for learning how frameworks work.

>>> import autolab as torch
>>> x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
>>> (x ** 2).sum().backward()
>>> x.grad
tensor([2., 4., 6.])
"""

import importlib as _importlib

from . import autograd, cuda
from .autograd import enable_grad, inference_mode, is_grad_enabled, no_grad, set_grad_enabled
from .autograd import is_inference_mode_enabled
from .creation import (
    BoolTensor,
    ByteTensor,
    CharTensor,
    DoubleTensor,
    FloatTensor,
    HalfTensor,
    IntTensor,
    LongTensor,
    ShortTensor,
    arange,
    as_tensor,
    bernoulli,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    logspace,
    multinomial,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
    randperm,
    tensor,
    tril_indices,
    triu_indices,
    zeros,
    zeros_like,
)
from .dtypes import (
    bool,
    double,
    dtype,
    float,
    float16,
    float32,
    float64,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    short,
    uint8,
)
from .ops import *  # noqa: F403  (the functional API: autolab.exp, autolab.cat, autolab.matmul, ...)
from .random import Generator, default_generator, initial_seed, manual_seed, seed
from .tensor import Size, Tensor, device

import builtins as _builtins

__version__ = "0.1.0"


def is_tensor(obj: object) -> _builtins.bool:
    return isinstance(obj, Tensor)


def numel(t: Tensor) -> _builtins.int:
    return t.numel()


from .dtypes import can_cast, finfo, get_default_dtype, iinfo, promote_types, set_default_dtype  # noqa: E402
from ._format import set_printoptions  # noqa: E402


def _lazy(name: str):
    return _importlib.import_module(f"autolab.{name}")


def __getattr__(name: str):
    # nn, optim, utils and vision load on first use, so `import autolab` stays fast.
    if name in ("nn", "optim", "utils", "vision", "training", "kernels", "course", "serialization", "linalg"):
        return _lazy(name)
    if name in ("accelerator", "backends"):
        return _lazy(name)
    if name in ("save", "load", "CheckpointError"):
        return getattr(_lazy("serialization"), name)
    raise AttributeError(f"module 'autolab' has no attribute '{name}'")
