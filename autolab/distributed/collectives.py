"""Collectives on tensors, in place, with PyTorch's signatures: each is one MPI call on the tensor's array.

Every rank calls the same collective; MPI moves the data. The result lands in the tensors you pass (as in
PyTorch), so views of them see it too. ``async_op=True`` returns a ``Work`` whose ``wait()`` blocks until the
result is there; without it the call returns when it is done.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..tensor import Tensor
from .process_group import ProcessGroup, group_rank_of, resolve
from .reduce_op import ReduceOp, mpi_op
from .work import Work


def _MPI() -> Any:
    from mpi4py import MPI  # lazy: importing mpi4py starts MPI; init_process_group has done so by now

    return MPI


def _check(t: Any, name: str = "tensor") -> None:
    if not isinstance(t, Tensor):
        raise TypeError(
            f"Invalid function argument. Expected parameter `{name}` of type autolab.Tensor\n"
            f"             but got {type(t)} instead."
        )


def _check_list(ts: Any, name: str, size: int, like: Tensor, op: str) -> None:
    if not isinstance(ts, (list, tuple)) or not all(isinstance(t, Tensor) for t in ts):
        raise TypeError(f"Invalid function argument: `{name}` must be a list of autolab.Tensor")
    if len(ts) != size:
        raise RuntimeError(f"{op}: invalid tensor list `{name}` (expected length {size}, got {len(ts)})")
    for i, t in enumerate(ts):
        if t.shape != like.shape or t.dtype != like.dtype:
            raise RuntimeError(
                f"{op}: invalid tensor at index {i} of `{name}` (expected shape {tuple(like.shape)} and dtype "
                f"{like.dtype}, got {tuple(t.shape)} and {t.dtype})"
            )


def _buffer(t: Tensor) -> np.ndarray:
    """The tensor's array if MPI can work on it in place, else a contiguous copy (``_store`` writes it back)."""
    a = t._data
    if not a.flags.writeable:
        raise RuntimeError("a collective writes into its tensor, but this tensor's memory is read-only")
    return a if a.flags.c_contiguous else np.ascontiguousarray(a)


def _store(t: Tensor, buf: np.ndarray) -> None:
    if buf is not t._data:
        t._data[...] = buf.reshape(t._data.shape)


def _outside(name: str, group: Any) -> None:
    warnings.warn(f"Running {name} on a rank which does not belong to the given group.", stacklevel=3)


def _run(grp: ProcessGroup, name: str, start: Any, finish: Any, async_op: bool) -> Work | None:
    return grp._submit(name, start, finish, async_op)


def all_reduce(tensor: Tensor, op: Any = ReduceOp.SUM, group: Any = None, async_op: bool = False) -> Work | None:
    """Combine ``tensor`` across all ranks with ``op``; every rank ends with the result (in place)."""
    _check(tensor)
    grp = resolve(group)
    if grp is None:
        return _outside("all_reduce", group)
    mop, average = mpi_op(op, tensor._data.dtype)
    buf = _buffer(tensor)
    size = grp.size()

    def finish() -> list:
        if average:
            np.divide(buf, size, out=buf)
        _store(tensor, buf)
        return [tensor]

    return _run(grp, "all_reduce", lambda: grp.comm.Iallreduce(_MPI().IN_PLACE, buf, op=mop), finish, async_op)


def broadcast(
    tensor: Tensor, src: int | None = None, group: Any = None, async_op: bool = False, group_src: int | None = None
) -> Work | None:
    """Copy ``tensor`` from rank ``src`` into ``tensor`` on every other rank."""
    _check(tensor)
    grp = resolve(group)
    if grp is None:
        return _outside("broadcast", group)
    root = group_rank_of(grp, src, group_src, "src", required=True)
    buf = _buffer(tensor)

    def finish() -> list:
        _store(tensor, buf)
        return [tensor]

    return _run(grp, "broadcast", lambda: grp.comm.Ibcast(buf, root=root), finish, async_op)


def all_gather(tensor_list: list[Tensor], tensor: Tensor, group: Any = None, async_op: bool = False) -> Work | None:
    """``tensor_list[i]`` gets rank i's ``tensor``, on every rank."""
    _check(tensor)
    grp = resolve(group)
    if grp is None:
        return _outside("all_gather", group)
    _check_list(tensor_list, "tensor_list", grp.size(), tensor, "all_gather")
    send = np.ascontiguousarray(tensor._data)
    recv = np.empty((grp.size(),) + send.shape, send.dtype)

    def finish() -> list:
        for t, part in zip(tensor_list, recv):
            t._data[...] = part
        return list(tensor_list)

    return _run(grp, "all_gather", lambda: grp.comm.Iallgather(send, recv), finish, async_op)


def all_gather_into_tensor(
    output_tensor: Tensor, input_tensor: Tensor, group: Any = None, async_op: bool = False
) -> Work | None:
    """The ranks' ``input_tensor``s one after the other in ``output_tensor`` (world size times as many elements)."""
    _check(output_tensor, "output_tensor")
    _check(input_tensor, "input_tensor")
    grp = resolve(group)
    if grp is None:
        return _outside("all_gather_into_tensor", group)
    if output_tensor.numel() != grp.size() * input_tensor.numel() or output_tensor.dtype != input_tensor.dtype:
        raise RuntimeError(
            f"all_gather_into_tensor: output_tensor must have world size ({grp.size()}) times the elements of "
            f"input_tensor and its dtype: got {tuple(output_tensor.shape)} {output_tensor.dtype} for an input of "
            f"{tuple(input_tensor.shape)} {input_tensor.dtype}"
        )
    send = np.ascontiguousarray(input_tensor._data)
    buf = _buffer(output_tensor)

    def finish() -> list:
        _store(output_tensor, buf)
        return [output_tensor]

    return _run(grp, "all_gather_into_tensor", lambda: grp.comm.Iallgather(send, buf), finish, async_op)


def reduce_scatter(
    output: Tensor, input_list: list[Tensor], op: Any = ReduceOp.SUM, group: Any = None, async_op: bool = False
) -> Work | None:
    """Rank i gets the reduction (over ranks) of everyone's ``input_list[i]``, in ``output``."""
    _check(output, "output")
    grp = resolve(group)
    if grp is None:
        return _outside("reduce_scatter", group)
    _check_list(input_list, "input_list", grp.size(), output, "reduce_scatter")
    return _reduce_scatter(grp, output, np.stack([t._data for t in input_list]), op, async_op, "reduce_scatter")


def reduce_scatter_tensor(
    output: Tensor, input: Tensor, op: Any = ReduceOp.SUM, group: Any = None, async_op: bool = False
) -> Work | None:
    """As ``reduce_scatter``, with the inputs one after the other in a single tensor."""
    _check(output, "output")
    _check(input, "input")
    grp = resolve(group)
    if grp is None:
        return _outside("reduce_scatter_tensor", group)
    if input.numel() != grp.size() * output.numel() or output.dtype != input.dtype:
        raise RuntimeError(
            f"reduce_scatter_tensor: input must have world size ({grp.size()}) times the elements of output and "
            f"its dtype: got {tuple(input.shape)} {input.dtype} for an output of {tuple(output.shape)} {output.dtype}"
        )
    return _reduce_scatter(grp, output, np.ascontiguousarray(input._data), op, async_op, "reduce_scatter_tensor")


def _reduce_scatter(grp: ProcessGroup, output: Tensor, send: np.ndarray, op: Any, async_op: bool, name: str):
    mop, average = mpi_op(op, output._data.dtype)
    buf = _buffer(output)
    size = grp.size()

    def finish() -> list:
        if average:
            np.divide(buf, size, out=buf)
        _store(output, buf)
        return [output]

    return _run(grp, name, lambda: grp.comm.Ireduce_scatter_block(send, buf, op=mop), finish, async_op)


def reduce(
    tensor: Tensor,
    dst: int | None = None,
    op: Any = ReduceOp.SUM,
    group: Any = None,
    async_op: bool = False,
    group_dst: int | None = None,
) -> Work | None:
    """The reduction over ranks lands in ``tensor`` on rank ``dst`` (default 0); other ranks' tensors are kept."""
    _check(tensor)
    grp = resolve(group)
    if grp is None:
        return _outside("reduce", group)
    root = group_rank_of(grp, dst, group_dst, "dst", required=False)
    mop, average = mpi_op(op, tensor._data.dtype)
    buf = _buffer(tensor)
    MPI, me, size = _MPI(), grp.rank(), grp.size()

    def start() -> Any:
        if me == root:
            return grp.comm.Ireduce(MPI.IN_PLACE, buf, op=mop, root=root)
        return grp.comm.Ireduce(buf, None, op=mop, root=root)

    def finish() -> list:
        if me == root:
            if average:
                np.divide(buf, size, out=buf)
            _store(tensor, buf)
        return [tensor]

    return _run(grp, "reduce", start, finish, async_op)


def gather(
    tensor: Tensor,
    gather_list: list[Tensor] | None = None,
    dst: int | None = None,
    group: Any = None,
    async_op: bool = False,
    group_dst: int | None = None,
) -> Work | None:
    """Rank ``dst`` (default 0) gets every rank's ``tensor`` in ``gather_list``."""
    _check(tensor)
    grp = resolve(group)
    if grp is None:
        return _outside("gather", group)
    root = group_rank_of(grp, dst, group_dst, "dst", required=False)
    me = grp.rank()
    if me == root and not gather_list:
        raise ValueError("Argument ``gather_list`` must be specified on destination rank.")
    if me != root and gather_list:
        raise ValueError("Argument ``gather_list`` must NOT be specified on non-destination ranks.")
    send = np.ascontiguousarray(tensor._data)
    recv = None
    if me == root:
        _check_list(gather_list, "gather_list", grp.size(), tensor, "gather")
        recv = np.empty((grp.size(),) + send.shape, send.dtype)

    def finish() -> list:
        if recv is None:
            return []
        for t, part in zip(gather_list, recv):
            t._data[...] = part
        return list(gather_list)

    return _run(grp, "gather", lambda: grp.comm.Igather(send, recv, root=root), finish, async_op)


def scatter(
    tensor: Tensor,
    scatter_list: list[Tensor] | None = None,
    src: int | None = None,
    group: Any = None,
    async_op: bool = False,
    group_src: int | None = None,
) -> Work | None:
    """Rank i gets ``scatter_list[i]`` of rank ``src`` (default 0), in ``tensor``."""
    _check(tensor)
    grp = resolve(group)
    if grp is None:
        return _outside("scatter", group)
    root = group_rank_of(grp, src, group_src, "src", required=False)
    me = grp.rank()
    if me == root and not scatter_list:
        raise ValueError("Argument ``scatter_list`` must be specified on source rank.")
    if me != root and scatter_list:
        raise ValueError("Argument ``scatter_list`` must NOT be specified on non-source ranks.")
    send = None
    if me == root:
        _check_list(scatter_list, "scatter_list", grp.size(), tensor, "scatter")
        send = np.stack([t._data for t in scatter_list])
    buf = _buffer(tensor)

    def finish() -> list:
        _store(tensor, buf)
        return [tensor]

    return _run(grp, "scatter", lambda: grp.comm.Iscatter(send, buf, root=root), finish, async_op)


def barrier(group: Any = None, async_op: bool = False, device_ids: Any = None, timeout: Any = None) -> Work | None:
    """Wait until every rank of the group has reached this call."""
    grp = resolve(group)
    if grp is None:
        return _outside("barrier", group)
    return _run(grp, "barrier", lambda: grp.comm.Ibarrier(), None, async_op)


def isend(
    tensor: Tensor, dst: int | None = None, group: Any = None, tag: int = 0, group_dst: int | None = None
) -> Work | None:
    """Send ``tensor`` to rank ``dst``; the returned Work completes when the buffer may be reused."""
    _check(tensor)
    grp = resolve(group)
    if grp is None:
        return _outside("isend", group)
    peer = group_rank_of(grp, dst, group_dst, "dst", required=True)
    send = np.ascontiguousarray(tensor._data)
    return _run(grp, "send", lambda: grp.comm.Isend(send, dest=peer, tag=tag), None, True)


def irecv(
    tensor: Tensor, src: int | None = None, group: Any = None, tag: int = 0, group_src: int | None = None
) -> Work | None:
    """Receive into ``tensor`` from rank ``src`` (any rank when None)."""
    return _recv(tensor, src, group, tag, group_src, async_op=True)


def send(tensor: Tensor, dst: int | None = None, group: Any = None, tag: int = 0, group_dst: int | None = None):
    """Send ``tensor`` to rank ``dst`` and wait until it has gone."""
    work = isend(tensor, dst, group, tag, group_dst)
    if work is not None:
        work.wait()


def recv(tensor: Tensor, src: int | None = None, group: Any = None, tag: int = 0, group_src: int | None = None):
    """Receive into ``tensor`` from ``src`` (any rank when None); returns the sender's (global) rank."""
    work = _recv(tensor, src, group, tag, group_src, async_op=True)
    if work is None:
        return -1
    work.wait()
    return work.source


def _recv(tensor: Tensor, src: Any, group: Any, tag: int, group_src: Any, async_op: bool) -> Work | None:
    _check(tensor)
    grp = resolve(group)
    if grp is None:
        return _outside("recv", group)
    MPI = _MPI()
    peer = MPI.ANY_SOURCE if src is None and group_src is None else group_rank_of(grp, src, group_src, "src", True)
    buf = _buffer(tensor)
    status = MPI.Status()
    work: Work | None = None

    def finish() -> list:
        _store(tensor, buf)
        work.source = grp.ranks[status.Get_source()]  # type: ignore[union-attr]
        return [tensor]

    work = grp._submit("recv", lambda: grp.comm.Irecv(buf, source=peer, tag=tag), finish, async_op, status=status)
    return work
