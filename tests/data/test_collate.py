"""default_collate / default_convert against torch.utils.data's, on the same inputs."""

from collections import namedtuple

import numpy as np
import pytest
import torch
import torch.utils.data as tud

import autolab
from autolab.utils.data import CollatedBatch, default_collate, default_convert

Point = namedtuple("Point", "x y")


def assert_same(ours, theirs):
    """Same structure, container types, dtypes and values."""
    if isinstance(theirs, torch.Tensor):
        assert isinstance(ours, autolab.Tensor), type(ours)
        assert str(ours.dtype).split(".")[-1] == str(theirs.dtype).split(".")[-1]
        assert tuple(ours.shape) == tuple(theirs.shape)
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
        return
    assert type(ours) is type(theirs), (type(ours), type(theirs))
    if isinstance(theirs, dict):
        assert list(ours) == list(theirs)
        for k in theirs:
            assert_same(ours[k], theirs[k])
    elif isinstance(theirs, (list, tuple)):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs):
            assert_same(a, b)
    else:
        assert ours == theirs


def to_torch(x):
    if isinstance(x, autolab.Tensor):
        return torch.from_numpy(x.numpy().copy())
    if isinstance(x, tuple) and hasattr(x, "_fields"):
        return type(x)(*(to_torch(e) for e in x))
    if isinstance(x, (list, tuple)):
        return type(x)(to_torch(e) for e in x)
    if isinstance(x, dict):
        return {k: to_torch(v) for k, v in x.items()}
    return x


rng = np.random.default_rng(0)
BATCHES = {
    "ints": [1, 2, 3],
    "bools": [True, False],
    "floats": [1.5, -2.0],
    "np_float32_scalars": [np.float32(1.5), np.float32(2.5)],
    "np_int32_scalars": [np.int32(1), np.int32(7)],
    "np_0d_arrays": [np.array(1.0), np.array(2.0)],
    "np_arrays": [rng.random((2, 3)), rng.random((2, 3))],
    "uint8_arrays": [rng.integers(0, 255, (4, 4, 3), dtype=np.uint8) for _ in range(3)],
    "tuples": [(np.ones(2, np.float32), 1), (np.zeros(2, np.float32), 2)],
    "strings": [(1, "a"), (2, "b")],
    "lists": [[1, 2], [3, 4]],
    "dicts": [{"a": 1, "b": np.zeros(2)}, {"a": 2, "b": np.ones(2)}],
    "namedtuples": [Point(1, 2.0), Point(3, 4.0)],
    "nested": [{"img": (np.ones((2, 2)), [1.0, 2]), "name": "x"}, {"img": (np.zeros((2, 2)), [3.0, 4]), "name": "y"}],
    "tensors": [autolab.tensor([1.0, 2.0]), autolab.tensor([3.0, 4.0])],
    "int_tensors": [(autolab.tensor([1, 2]), 0), (autolab.tensor([3, 4]), 1)],
}


@pytest.mark.parametrize("name", list(BATCHES))
def test_default_collate_matches_torch(name):
    batch = BATCHES[name]
    assert_same(default_collate(batch), tud.default_collate(to_torch(batch)))


@pytest.mark.parametrize("name", ["np_arrays", "tuples", "dicts", "namedtuples", "strings", "tensors"])
def test_default_convert_matches_torch(name):
    for sample in BATCHES[name]:
        assert_same(default_convert(sample), tud.default_convert(to_torch(sample)))


def test_collate_errors_match_torch():
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([[1, 2], [3]])
    with pytest.raises(RuntimeError, match="equal size"):
        tud.default_collate([[1, 2], [3]])
    for bad in ([np.array(["a"], dtype=object)] * 2, [object(), object()]):
        with pytest.raises(TypeError, match="default_collate: batch must contain"):
            default_collate(bad)
    with pytest.raises(RuntimeError, match="stack expects each tensor to be equal size"):
        default_collate([np.zeros(2), np.zeros(3)])


def test_collate_keeps_the_graph_of_tensors_that_require_grad():
    a = autolab.tensor([1.0, 2.0], requires_grad=True)
    out = default_collate([a, a * 2])
    out.sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), [3.0, 3.0])


def test_collated_batch_is_returned_as_is_and_still_looks_like_samples():
    collated = [autolab.tensor([[1.0], [2.0]]), autolab.tensor([0, 1])]
    batch = CollatedBatch(collated, 2, lambda i: (float(i + 1), i))
    assert default_collate(batch) is collated
    assert len(batch) == 2 and batch[1] == (2.0, 1) and batch[-1] == (2.0, 1) and list(batch) == [(1.0, 0), (2.0, 1)]
    with pytest.raises(IndexError):
        batch[2]
