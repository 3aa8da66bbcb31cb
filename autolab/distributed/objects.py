"""Collectives on Python objects (pickled, as in PyTorch): for results, metrics and small state, not for tensors.

An object becomes bytes with ``pickle``; the sizes are gathered first, then the bytes, padded to the largest.
Only unpickle what ranks of your own job sent: a pickle can run code when it is loaded.
"""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np

from ..tensor import Tensor
from . import collectives as C
from .process_group import group_rank_of, resolve


def _to_bytes(obj: Any) -> np.ndarray:
    return np.frombuffer(pickle.dumps(obj), dtype=np.uint8)


def _from_bytes(row: np.ndarray, n: int) -> Any:
    return pickle.loads(row[:n].tobytes())


def _gather_sizes(payload: np.ndarray, group: Any) -> np.ndarray:
    grp = resolve(group)
    sizes = Tensor._wrap(np.zeros(grp.size(), np.int64))
    C.all_gather_into_tensor(sizes, Tensor._wrap(np.array([payload.size], np.int64)), group=group)
    return sizes._data


def all_gather_object(object_list: list, obj: Any, group: Any = None) -> None:
    """``object_list[i]`` becomes rank i's ``obj`` (a picklable Python object), on every rank."""
    grp = resolve(group)
    if grp is None:
        return
    if len(object_list) != grp.size():
        raise RuntimeError(f"all_gather_object: object_list must have one slot per rank ({grp.size()})")
    payload = _to_bytes(obj)
    sizes = _gather_sizes(payload, group)
    width = int(sizes.max())
    padded = np.zeros(width, np.uint8)
    padded[: payload.size] = payload
    out = Tensor._wrap(np.zeros(grp.size() * width, np.uint8))
    C.all_gather_into_tensor(out, Tensor._wrap(padded), group=group)
    rows = out._data.reshape(grp.size(), width)
    for i in range(grp.size()):
        object_list[i] = _from_bytes(rows[i], int(sizes[i]))


def gather_object(
    obj: Any,
    object_gather_list: list | None = None,
    dst: int | None = None,
    group: Any = None,
    group_dst: int | None = None,
) -> None:
    """Rank ``dst`` (default 0) gets every rank's ``obj`` in ``object_gather_list``."""
    grp = resolve(group)
    if grp is None:
        return
    root = group_rank_of(grp, dst, group_dst, "dst", required=False)
    everyone: list = [None] * grp.size()
    all_gather_object(everyone, obj, group)  # small objects: one all-gather is simpler than a gather of sizes
    if grp.rank() == root:
        if object_gather_list is None or len(object_gather_list) != grp.size():
            raise ValueError(
                "Argument ``object_gather_list`` must be specified on destination rank (one slot per rank)"
            )
        object_gather_list[:] = everyone


def broadcast_object_list(
    object_list: list, src: int | None = None, group: Any = None, device: Any = None, group_src: int | None = None
) -> None:
    """Every rank's ``object_list`` becomes (in place) rank ``src``'s (default 0)."""
    grp = resolve(group)
    if grp is None:
        return
    root_global = grp.ranks[group_rank_of(grp, src, group_src, "src", required=False)]
    me_is_root = grp.ranks[grp.rank()] == root_global
    payload = _to_bytes(list(object_list)) if me_is_root else np.zeros(0, np.uint8)
    size = Tensor._wrap(np.array([payload.size], np.int64))
    C.broadcast(size, src=root_global, group=group)
    buf = Tensor._wrap(payload.copy() if me_is_root else np.zeros(int(size._data[0]), np.uint8))
    C.broadcast(buf, src=root_global, group=group)
    received = pickle.loads(buf._data.tobytes())
    if len(received) != len(object_list):
        raise RuntimeError(
            f"broadcast_object_list: rank {root_global} sent {len(received)} objects, this rank's list has "
            f"{len(object_list)} slots (every rank must pass a list of the same length)"
        )
    object_list[:] = received
