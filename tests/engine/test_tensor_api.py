"""The Tensor's attributes and methods, creation functions, seeding, devices, and result dtypes vs PyTorch."""

from __future__ import annotations

import os

import numpy as np
import pytest
from engine_helpers import dtype_name, to_np

import autolab
import autolab.nn as nn

# (name, fn(L) -> tensor): the dtype and shape must be PyTorch's.
DTYPE_CASES = {
    "python floats -> float32": lambda L: L.tensor([1.0, 2.0]),
    "python ints -> int64": lambda L: L.tensor([1, 2]),
    "python bools -> bool": lambda L: L.tensor([True]),
    "mixed ints and floats": lambda L: L.tensor([1, 2.5]),
    "0-d float": lambda L: L.tensor(1.5),
    "numpy float64 kept": lambda L: L.tensor(np.array([1.0])),
    "numpy int32 kept": lambda L: L.tensor(np.array([1], np.int32)),
    "from_numpy float64": lambda L: L.from_numpy(np.array([1.0])),
    "list of 0-d tensors": lambda L: L.tensor([L.tensor(1.0), L.tensor(2.0)]),
    "int + python float": lambda L: L.tensor([1, 2]) + 1.5,
    "python float - int": lambda L: 1.5 - L.tensor([1, 2]),
    "int * python int": lambda L: L.tensor([1, 2]) * 2,
    "int + float tensor": lambda L: L.tensor([1, 2]) + L.tensor([1.0, 2.0]),
    "int / int": lambda L: L.tensor([1, 2]) / L.tensor([2, 2]),
    "int / python int": lambda L: L.tensor([1, 2]) / 2,
    "int // python int": lambda L: L.tensor([3, 4]) // 2,
    "float32 + float64": lambda L: L.tensor([1.0]) + L.tensor([1.0], dtype=L.float64),
    "float32 vector + float64 0-d": lambda L: L.tensor([1.0]) + L.tensor(1.0, dtype=L.float64),
    "float32 0-d + float64 vector": lambda L: L.tensor(1.0) * L.tensor([1.0], dtype=L.float64),
    "int vector + float64 0-d": lambda L: L.tensor([1]) + L.tensor(1.0, dtype=L.float64),
    "int32 + int64": lambda L: L.tensor([1], dtype=L.int32) + L.tensor([1]),
    "int32 + python int": lambda L: L.tensor([1], dtype=L.int32) + 5,
    "int32 vector + int64 0-d": lambda L: L.tensor([1], dtype=L.int32) + L.tensor(1),
    "float16 + float32": lambda L: L.tensor([1.0], dtype=L.float16) + L.tensor([1.0]),
    "uint8 + int8": lambda L: L.tensor([1], dtype=L.uint8) + L.tensor([1], dtype=L.int8),
    "bool + bool": lambda L: L.tensor([True]) + L.tensor([True]),
    "bool + python int": lambda L: L.tensor([True]) + 1,
    "bool * python float": lambda L: L.tensor([True]) * 1.5,
    "bool + int tensor": lambda L: L.tensor([True]) + L.tensor([2]),
    "comparison -> bool": lambda L: L.tensor([1.0]) > 0,
    "int == float": lambda L: L.tensor([1]) == L.tensor([1.0]),
    "sum of int32 -> int64": lambda L: L.tensor([1, 2], dtype=L.int32).sum(),
    "sum of bool -> int64": lambda L: L.tensor([True, False]).sum(),
    "sum(dtype=float32)": lambda L: L.tensor([1, 2]).sum(dtype=L.float32),
    "exp of int -> float32": lambda L: L.tensor([1, 2]).exp(),
    "sqrt of int": lambda L: L.tensor([1, 2]).sqrt(),
    "argmax -> int64": lambda L: L.tensor([1.0, 2.0]).argmax(),
    "argmax(dim, keepdim)": lambda L: L.tensor([[1.0, 3.0], [4.0, 2.0]]).argmax(1, keepdim=True),
    "argmin(dim)": lambda L: L.argmin(L.tensor([[1.0, 3.0], [4.0, 2.0]]), dim=0),
    "max(dim).indices": lambda L: L.tensor([[1.0, 3.0, 2.0], [4.0, 2.0, 9.0]]).max(dim=-1).indices,
    "min(dim, keepdim).values": lambda L: L.tensor([[1.0, 3.0], [4.0, 2.0]]).min(1, keepdim=True).values,
    "max(a, b) elementwise": lambda L: L.max(L.tensor([1.0, 5.0]), L.tensor([3.0, 2.0])),
    "eq broadcast": lambda L: L.tensor([[1, 2], [3, 4]]) == L.tensor([1, 4]),
    "ne scalar": lambda L: L.tensor([1.0, 2.0]) != 2,
    "lt le gt ge": lambda L: L.stack([L.arange(4) < 2, L.arange(4) <= 2, L.arange(4) > 2, L.arange(4) >= 2]),
    "logical and/or/not": lambda L: L.stack(
        [(L.arange(4) > 0) & (L.arange(4) < 3), (L.arange(4) == 0) | (L.arange(4) == 3), ~(L.arange(4) > 1)]
    ),
    "where from comparison": lambda L: L.where(L.arange(5) > 2, L.arange(5), -L.arange(5)),
    "sum of comparison (accuracy)": lambda L: (L.tensor([1, 2, 3]) == L.tensor([1, 0, 3])).sum(),
    "float mean of comparison": lambda L: (L.tensor([1, 2, 3]) == L.tensor([1, 0, 3])).float().mean(),
    "max of int": lambda L: L.tensor([1, 2]).max(),
    "max(dim) indices": lambda L: L.tensor([[1.0, 2.0]]).max(1)[1],
    "mean of float64": lambda L: L.tensor([1.0], dtype=L.float64).mean(),
    "int ** 2": lambda L: L.tensor([1, 2]) ** 2,
    "int ** 0.5": lambda L: L.tensor([1, 2]) ** 0.5,
    "2 ** int": lambda L: 2 ** L.tensor([1, 2]),
    "2.0 ** int": lambda L: 2.0 ** L.tensor([1, 2]),
    "-int": lambda L: -L.tensor([1, 2]),
    "abs int": lambda L: L.tensor([-1, 2]).abs(),
    "relu int": lambda L: L.tensor([-1, 2]).relu(),
    "clamp int": lambda L: L.tensor([-1, 2]).clamp(0, 1),
    "clamp int, float bound": lambda L: L.tensor([-1, 2]).clamp(0.5),
    "where int/float": lambda L: L.where(L.tensor([True, False]), L.tensor([1, 2]), L.tensor([1.0, 2.0])),
    "where with python float": lambda L: L.where(L.tensor([True, False]), L.tensor([1.0, 2.0]), 0.0),
    "cat int and float": lambda L: L.cat([L.tensor([1]), L.tensor([1.0])]),
    "matmul float64": lambda L: L.ones(2, 2, dtype=L.float64) @ L.ones(2, dtype=L.float64),
    "float()": lambda L: L.tensor([1]).float(),
    "long() truncates": lambda L: L.tensor([1.7]).long(),
    "to(float64)": lambda L: L.tensor([1]).to(L.float64),
    "view(int32) reinterprets bytes": lambda L: L.tensor([1.0, -2.0]).view(L.int32),
    "view(int16) splits elements": lambda L: L.tensor([1.0, -2.0]).view(L.int16),
    "bool()": lambda L: L.tensor([1.0, 0.0]).bool(),
    "arange ints": lambda L: L.arange(5),
    "arange float step": lambda L: L.arange(0, 1, 0.25),
    "arange float end": lambda L: L.arange(5.0),
    "linspace": lambda L: L.linspace(0, 1, 5),
    "zeros": lambda L: L.zeros(2, 3),
    "zeros(tuple)": lambda L: L.zeros((2, 3)),
    "ones int64": lambda L: L.ones(2, dtype=L.int64),
    "full int": lambda L: L.full((2,), 3),
    "full float": lambda L: L.full((2,), 3.0),
    "full bool": lambda L: L.full((2,), True),
    "empty": lambda L: L.empty(2, 1),
    "eye": lambda L: L.eye(2, 3),
    "rand": lambda L: L.rand(2, 2),
    "randn": lambda L: L.randn(3),
    "randint": lambda L: L.randint(0, 5, (3,)),
    "randint(high, size)": lambda L: L.randint(5, (3,)),
    "randperm": lambda L: L.randperm(3),
    "normal": lambda L: L.normal(0.0, 1.0, size=(2,)),
    "zeros_like int": lambda L: L.zeros_like(L.tensor([1, 2])),
    "ones_like float64": lambda L: L.ones_like(L.tensor([1.0], dtype=L.float64)),
    "full_like int": lambda L: L.full_like(L.tensor([1, 2]), 7),
    "randn_like": lambda L: L.randn_like(L.tensor([[1.0]])),
    "rand_like float64": lambda L: L.rand_like(L.tensor([1.0], dtype=L.float64)),
    "empty_like": lambda L: L.empty_like(L.tensor([1.0])),
    "randint_like": lambda L: L.randint_like(L.tensor([1.0]), 5),
}


@pytest.mark.parametrize("fn", DTYPE_CASES.values(), ids=DTYPE_CASES.keys())
def test_result_dtype_and_shape_match_torch(fn):
    torch = pytest.importorskip("torch")
    a, t = fn(autolab), fn(torch)
    assert (dtype_name(a.dtype), tuple(a.shape)) == (dtype_name(t.dtype), tuple(t.shape))
    if not any(w in str(fn.__code__.co_names) for w in ("rand", "normal", "empty")):
        np.testing.assert_allclose(to_np(a), to_np(t), rtol=1e-6)


def test_attributes():
    x = autolab.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert x.shape == (2, 3) and isinstance(x.shape, tuple) and repr(x.shape) == "autolab.Size([2, 3])"
    assert x.size() == (2, 3) and x.size(1) == 3 and x.size(-1) == 3
    assert x.numel() == 6 and x.ndim == 2 and x.dim() == 2 and len(x) == 2
    assert x.dtype == autolab.float32 and repr(x.dtype) == "autolab.float32"
    assert x.T.shape == (3, 2) and x.T.tolist() == [[1.0, 4.0], [2.0, 5.0], [3.0, 6.0]]
    assert str(x.device) == "cpu" and x.device == autolab.device("cpu") and not x.is_cuda
    assert x.requires_grad is False and x.grad is None and x.is_leaf and x.grad_fn is None
    assert x.is_floating_point() and not autolab.tensor([1]).is_floating_point()


def test_item_tolist_and_python_numbers():
    assert autolab.tensor(3.5).item() == 3.5
    assert isinstance(autolab.tensor([7]).item(), int)
    assert autolab.tensor([[1, 2], [3, 4]]).tolist() == [[1, 2], [3, 4]]
    assert float(autolab.tensor(2.5)) == 2.5 and int(autolab.tensor(3)) == 3 and bool(autolab.tensor(True))
    with pytest.raises(RuntimeError, match="2 elements cannot be converted to Scalar"):
        autolab.tensor([1.0, 2.0]).item()
    with pytest.raises(RuntimeError, match="ambiguous"):
        bool(autolab.tensor([1.0, 2.0]))


def test_numpy_and_from_numpy_share_memory():
    x = autolab.zeros(3)
    x.numpy()[0] = 5.0
    assert x[0].item() == 5.0
    a = np.zeros(3, np.float32)
    t = autolab.from_numpy(a)
    a[1] = 6.0
    assert t.tolist() == [0.0, 6.0, 0.0] and t.dtype == autolab.float32
    copy = autolab.tensor(a)
    a[2] = 7.0
    assert copy.tolist() == [0.0, 6.0, 0.0]  # tensor() copies
    with pytest.raises(RuntimeError, match=r"detach\(\).numpy\(\)"):
        autolab.ones(2, requires_grad=True).numpy()


def test_detach_clone_requires_grad_zero():
    x = autolab.tensor([1.0, 2.0]).requires_grad_()
    assert x.requires_grad and x.is_leaf
    d = x.detach()
    assert not d.requires_grad and d.grad_fn is None
    c = x.clone()
    assert c.grad_fn.name() == "CloneBackward0"
    (c * 2).sum().backward()
    assert x.grad.tolist() == [2.0, 2.0]  # clone passes the gradient through
    plain = autolab.tensor([1.0, 2.0])
    copy = plain.clone()
    copy[0] = 9.0
    assert plain[0].item() == 1.0
    assert plain.zero_() is plain and plain.tolist() == [0.0, 0.0]


def test_to_dtype_and_device():
    x = autolab.tensor([1.5, 2.5])
    assert x.to(autolab.float64).dtype == autolab.float64
    assert x.to("cpu") is x and x.to(autolab.device("cpu")) is x and x.cpu() is x
    assert x.to("cpu", autolab.float64).dtype == autolab.float64
    assert x.to(dtype=autolab.int64).tolist() == [1, 2]
    assert x.double().dtype == autolab.float64 and x.long().dtype == autolab.int64
    assert x.half().dtype == autolab.float16 and x.int().dtype == autolab.int32
    assert x.to(autolab.tensor([1])).dtype == autolab.int64


@pytest.mark.skipif(
    os.environ.get("NUMBA_ENABLE_CUDASIM", "0") != "0", reason="numba's CUDA simulator is on (tests/cuda covers it)"
)
def test_cuda_is_unavailable_and_says_so():
    assert autolab.cuda.is_available() is False and autolab.cuda.device_count() == 0
    assert autolab.accelerator.current_accelerator() is None and not autolab.accelerator.is_available()
    device = autolab.device("cuda" if autolab.cuda.is_available() else "cpu")
    assert device.type == "cpu" and repr(device) == "device(type='cpu')"
    x = autolab.ones(2).to(device)
    for move in (
        lambda: x.to("cuda"),
        lambda: x.cuda(),
        lambda: autolab.zeros(2, device="cuda"),
        lambda: nn.Linear(2, 2).to("cuda"),
        lambda: x.to(autolab.device("cuda:0")),
    ):
        with pytest.raises(
            RuntimeError, match=r"cannot move a tensor to 'cuda.*NUMBA_ENABLE_CUDASIM.*is_available\(\)"
        ):
            move()


def test_manual_seed_reproduces_randn_and_linear_weights():
    autolab.manual_seed(1234)
    a, lin_a = autolab.randn(5), nn.Linear(4, 3)
    autolab.manual_seed(1234)
    b, lin_b = autolab.randn(5), nn.Linear(4, 3)
    np.testing.assert_array_equal(to_np(a), to_np(b))
    np.testing.assert_array_equal(to_np(lin_a.weight), to_np(lin_b.weight))
    np.testing.assert_array_equal(to_np(lin_a.bias), to_np(lin_b.bias))
    autolab.manual_seed(1235)
    assert not np.array_equal(to_np(autolab.randn(5)), to_np(a))
    assert autolab.initial_seed() == 1235


def test_generator_is_independent_of_the_global_seed():
    g = autolab.Generator().manual_seed(7)
    first = autolab.randn(3, generator=g)
    autolab.randn(10)  # draws from the global generator must not disturb g
    g2 = autolab.Generator().manual_seed(7)
    np.testing.assert_array_equal(to_np(autolab.randn(3, generator=g2)), to_np(first))


def test_random_distributions():
    autolab.manual_seed(0)
    u = to_np(autolab.rand(20000))
    assert 0 <= u.min() and u.max() < 1 and abs(u.mean() - 0.5) < 0.01
    n = to_np(autolab.randn(20000))
    assert abs(n.mean()) < 0.03 and abs(n.std() - 1) < 0.03
    r = to_np(autolab.randint(3, 7, (5000,)))
    assert set(np.unique(r).tolist()) == {3, 4, 5, 6}
    p = to_np(autolab.randperm(10))
    assert sorted(p.tolist()) == list(range(10))
    m = to_np(autolab.normal(2.0, 0.5, size=(20000,)))
    assert abs(m.mean() - 2) < 0.02 and abs(m.std() - 0.5) < 0.02


def test_creation_values():
    assert autolab.arange(1, 7, 2).tolist() == [1, 3, 5]
    assert autolab.linspace(0, 1, 3).tolist() == [0.0, 0.5, 1.0]
    assert autolab.eye(2, 3).tolist() == [[1, 0, 0], [0, 1, 0]]
    assert autolab.full((2, 2), 1.5).tolist() == [[1.5, 1.5], [1.5, 1.5]]
    assert autolab.zeros(2, requires_grad=True).requires_grad
    assert autolab.as_tensor(np.array([1, 2])).dtype == autolab.int64
    t = autolab.ones(2)
    assert autolab.as_tensor(t) is t


def test_indexing_setitem_and_iteration():
    x = autolab.arange(6).reshape(2, 3)
    assert x[1, 2].item() == 5 and x[:, 1].tolist() == [1, 4] and x[-1].tolist() == [3, 4, 5]
    assert x[x > 2].tolist() == [3, 4, 5]
    assert x[[1, 1, 0]].shape == (3, 3)
    assert x[autolab.tensor([0, 1]), autolab.tensor([2, 0])].tolist() == [2, 3]
    x[0] = autolab.tensor([9, 9, 9])
    x[1, x[1] > 3] = 0
    assert x.tolist() == [[9, 9, 9], [3, 0, 0]]
    assert [row.tolist() for row in x] == x.tolist()


REPRS = {
    "vector": lambda L: L.tensor([1.0, 2.0, 3.0]),
    "aligned columns": lambda L: L.tensor([[1.0, 20.0, 3.0], [4.0, 5.0, 600.0]]),
    "ints": lambda L: L.tensor([-1, 100]),
    "0-d": lambda L: L.tensor(3.5),
    "scientific small": lambda L: L.tensor([0.1234567, 1e-5]),
    "scientific range": lambda L: L.tensor([[0.001, 12.5]]),
    "scientific big": lambda L: L.tensor([1e10, 1.0]),
    "bools": lambda L: L.tensor([[True], [False]]),
    "float64": lambda L: L.tensor([1.5], dtype=L.float64),
    "int32": lambda L: L.tensor([1, 2], dtype=L.int32),
    "requires_grad": lambda L: L.tensor([1.0, 2.0], requires_grad=True),
    "grad_fn": lambda L: L.tensor([1.0, 2.0], requires_grad=True) * 2,
    "empty": lambda L: L.zeros(2, 0),
    "nan inf": lambda L: L.tensor([float("nan"), float("inf"), -1.0]),
    "3-d": lambda L: L.arange(12).reshape(2, 2, 3).float(),
    "negative decimals": lambda L: L.tensor([[-1.5, 2.25], [3.125, -40.0]]),
    "parameter": lambda L: L.nn.Parameter(L.ones(2)),
}


@pytest.mark.parametrize("fn", REPRS.values(), ids=REPRS.keys())
def test_repr_matches_torch(fn):
    torch = pytest.importorskip("torch")
    assert repr(fn(autolab)) == repr(fn(torch)).replace("torch.", "autolab.")


def test_data_shares_storage_without_the_graph():
    x = autolab.tensor([1.0, 2.0], requires_grad=True)
    d = x.data
    assert not d.requires_grad and d.grad_fn is None
    d[0] = 5.0  # the classic manual SGD update: w.data -= lr * w.grad
    assert x[0].item() == 5.0
    x.data = autolab.tensor([7.0, 8.0])
    assert x.tolist() == [7.0, 8.0] and x.requires_grad and x.is_leaf


def test_same_seed_same_shuffle():
    autolab.manual_seed(5)
    a = autolab.randperm(20).tolist()
    autolab.manual_seed(5)
    assert autolab.randperm(20).tolist() == a
