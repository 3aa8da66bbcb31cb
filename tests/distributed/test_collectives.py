"""Each collective under ``mpiexec -n 2`` and ``-n 4``, against the same computation in numpy.

One MPI job per world size runs every collective (ranks/collectives_rank.py); each test checks one result.
"""

from __future__ import annotations

from functools import reduce

import numpy as np
import pytest
from mpi_helpers import run_job


def data(rank, shape=(2, 3), dtype=np.float64):
    return (np.arange(np.prod(shape)).reshape(shape) * (rank + 1) + rank).astype(dtype)


@pytest.fixture(scope="module", params=[2, 4], ids=["2ranks", "4ranks"])
def results(request, tmp_path_factory):
    n = request.param
    out = tmp_path_factory.mktemp(f"coll{n}")
    proc = run_job(n, "collectives_rank.py", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return n, [dict(np.load(out / f"rank{r}.npz")) for r in range(n)]


REDUCE = {
    "SUM": lambda xs: np.sum(xs, axis=0),
    "AVG": lambda xs: np.mean(xs, axis=0),
    "PRODUCT": lambda xs: np.prod(xs, axis=0),
    "MIN": lambda xs: np.min(xs, axis=0),
    "MAX": lambda xs: np.max(xs, axis=0),
    "BAND": lambda xs: reduce(np.bitwise_and, xs),
    "BOR": lambda xs: reduce(np.bitwise_or, xs),
    "BXOR": lambda xs: reduce(np.bitwise_xor, xs),
}


@pytest.mark.parametrize("op", sorted(REDUCE))
def test_all_reduce(results, op):
    n, got = results
    dtype = np.int64 if op.startswith("B") else np.float64
    want = REDUCE[op]([data(r, dtype=dtype) for r in range(n)])
    for r in range(n):
        np.testing.assert_allclose(got[r][f"all_reduce_{op}"], want, rtol=1e-15)
        assert got[r][f"all_reduce_{op}"].dtype == dtype


def test_async_all_reduce_float32_and_views(results):
    n, got = results
    want32 = np.sum([data(r, dtype=np.float32) for r in range(n)], axis=0)
    view = [data(r, (4, 6)) for r in range(n)]
    want_view = view[0].copy()
    want_view[:, 1:4] = 0
    for r in range(n):
        np.testing.assert_array_equal(got[r]["all_reduce_async_f32"], want32)
        assert got[r]["all_reduce_async_f32"].dtype == np.float32
        expect = view[r].copy()
        expect[:, 1:4] = np.sum([v[:, 1:4] for v in view], axis=0)
        np.testing.assert_array_equal(got[r]["all_reduce_view"], expect)


def test_broadcast_gather_scatter(results):
    n, got = results
    stacked = np.stack([data(r) for r in range(n)])
    for r in range(n):
        np.testing.assert_array_equal(got[r]["broadcast"], data(n - 1))
        np.testing.assert_array_equal(got[r]["all_gather"], stacked)
        np.testing.assert_array_equal(got[r]["all_gather_into_tensor"], stacked.reshape(n * 2, 3))
        np.testing.assert_array_equal(got[r]["scatter"], data(0) + 10 * r)
    np.testing.assert_array_equal(got[0]["gather"], stacked)
    assert all(got[r]["gather"].size == 0 for r in range(1, n))


def test_reduce_and_reduce_scatter(results):
    n, got = results
    total = np.sum([data(r) for r in range(n)], axis=0)
    np.testing.assert_array_equal(got[1]["reduce"], total)
    for r in range(n):
        if r != 1:
            np.testing.assert_array_equal(got[r]["reduce"], data(r))  # untouched off the destination
        np.testing.assert_array_equal(got[r]["reduce_scatter"], np.sum([data(k) + 100 * r for k in range(n)], axis=0))
        np.testing.assert_array_equal(
            got[r]["reduce_scatter_tensor_MAX"], np.max([data(k) + 100 * r for k in range(n)], axis=0)
        )


def test_objects_point_to_point_and_groups(results):
    n, got = results
    evens = [r for r in range(n) if r % 2 == 0]
    for r in range(n):
        np.testing.assert_array_equal(got[r]["all_gather_object"], np.arange(n))
        np.testing.assert_array_equal(got[r]["broadcast_object_list"], [0])
        np.testing.assert_array_equal(got[r]["ring"], np.full(3, float((r - 1) % n)))
        if r % 2 == 0:
            np.testing.assert_array_equal(got[r]["group_evens"], np.sum([data(k) for k in evens], axis=0))
            np.testing.assert_array_equal(got[r]["group_evens_rank"], [evens.index(r), len(evens)])
        else:
            np.testing.assert_array_equal(got[r]["group_evens"], data(r))
