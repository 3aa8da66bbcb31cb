"""A fixed-size scratch array on the stack, for register-blocked micro-kernels.

A numba array from ``np.empty`` lives on the heap, so LLVM must assume the loop's other loads may alias
it and keeps it in memory. An ``alloca`` buffer cannot alias anything else: after the fixed-trip-count
loops are unrolled, LLVM keeps its elements in vector registers for the whole reduction loop. This is
what turns the conv micro-kernel from a load/store-bound loop (about 40 GFLOP/s a core) into an FMA-bound
one (about 95).
"""

import numba
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic


@intrinsic
def _alloca(typingctx, size, like):
    if not isinstance(size, types.IntegerLiteral) or not isinstance(like, types.Array):
        return None
    n, dtype = size.literal_value, like.dtype

    def codegen(context, builder, signature, args):
        return cgutils.alloca_once(builder, context.get_value_type(dtype), size=n)

    return types.CPointer(dtype)(size, like), codegen


@numba.njit(inline="always")
def stack_array_4x32(like):
    """An uninitialized (4, 32) array of ``like``'s dtype on the stack (no reference counting)."""
    return numba.carray(_alloca(128, like), (4, 32))


@numba.njit(inline="always")
def stack_array_4(like):
    return numba.carray(_alloca(4, like), (4,))


@numba.njit(inline="always")
def stack_array_8x16(like):
    """An uninitialized (8, 16) array of ``like``'s dtype on the stack: 8 rows of one AVX-512 vector."""
    return numba.carray(_alloca(128, like), (8, 16))


@numba.njit(inline="always")
def stack_array_8(like):
    return numba.carray(_alloca(8, like), (8,))
