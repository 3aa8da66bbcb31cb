"""``ReduceOp``: how ``all_reduce``, ``reduce`` and ``reduce_scatter`` combine the ranks' tensors."""

from __future__ import annotations

import enum
from typing import Any

import numpy as np


class RedOpType(enum.IntEnum):
    """PyTorch's reduce operations, with PyTorch's numbers."""

    SUM = 0
    AVG = 1
    PRODUCT = 2
    MIN = 3
    MAX = 4
    BAND = 5
    BOR = 6
    BXOR = 7
    PREMUL_SUM = 8


class ReduceOp:
    """``dist.ReduceOp.SUM``, ``AVG``, ``PRODUCT``, ``MIN``, ``MAX`` and the bitwise ``BAND``, ``BOR``, ``BXOR``.

    ``AVG`` is a sum divided by the number of ranks (MPI has no average; so does NCCL).
    """

    RedOpType = RedOpType
    SUM = RedOpType.SUM
    AVG = RedOpType.AVG
    PRODUCT = RedOpType.PRODUCT
    MIN = RedOpType.MIN
    MAX = RedOpType.MAX
    BAND = RedOpType.BAND
    BOR = RedOpType.BOR
    BXOR = RedOpType.BXOR
    PREMUL_SUM = RedOpType.PREMUL_SUM


def mpi_op(op: Any, dtype: np.dtype) -> tuple[Any, bool]:
    """(the MPI operation, whether to divide by the group size afterwards) for ``op`` on arrays of ``dtype``."""
    from mpi4py import MPI  # lazy: importing mpi4py starts MPI; only init_process_group may do that

    if not isinstance(op, RedOpType):
        raise TypeError(f"op must be a dist.ReduceOp (e.g. dist.ReduceOp.SUM), got {op!r}")
    if op == RedOpType.PREMUL_SUM:
        raise RuntimeError("ReduceOp.PREMUL_SUM is not supported by autolab (MPI); multiply first, then use SUM")
    kind = dtype.kind
    if op in (RedOpType.BAND, RedOpType.BOR, RedOpType.BXOR) and kind not in "iub":
        raise RuntimeError(
            f"ReduceOp.{op.name} is a bitwise operation: it needs an integer or bool tensor, got {dtype}"
        )
    if op == RedOpType.AVG and kind != "f":
        raise RuntimeError(
            f"ReduceOp.AVG needs a floating point tensor (the average of integers is not one), got {dtype}"
        )
    if kind == "b":  # MPI defines only logical operations on booleans
        logical = {
            RedOpType.SUM: MPI.LOR,
            RedOpType.MAX: MPI.LOR,
            RedOpType.BOR: MPI.LOR,
            RedOpType.PRODUCT: MPI.LAND,
            RedOpType.MIN: MPI.LAND,
            RedOpType.BAND: MPI.LAND,
            RedOpType.BXOR: MPI.LXOR,
        }
        return logical[op], False
    table = {
        RedOpType.SUM: MPI.SUM,
        RedOpType.AVG: MPI.SUM,
        RedOpType.PRODUCT: MPI.PROD,
        RedOpType.MIN: MPI.MIN,
        RedOpType.MAX: MPI.MAX,
        RedOpType.BAND: MPI.BAND,
        RedOpType.BOR: MPI.BOR,
        RedOpType.BXOR: MPI.BXOR,
    }
    return table[op], op == RedOpType.AVG
