"""Checks for notebook 11 (parallel training): gradient averaging by hand, against DistributedDataParallel.

The student writes ``average_gradients(model)`` in the notebook; the check sends it to every MPI rank (the
ipyparallel engines), where each rank builds the same small model, computes gradients on its own batch, calls the
function, and compares with what DistributedDataParallel computes. One verdict comes back: ✓ only if every rank
agrees.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import autolab
import autolab.distributed as dist
import autolab.nn.functional as F
from autolab import nn
from autolab.nn.parallel import DistributedDataParallel

from ..i18n import message
from ._core import Result, exercise, fail, ok, to_numpy, worst


def _setup(seed: int) -> tuple[Any, Any, Any]:
    autolab.manual_seed(seed)  # the same initial weights on every rank
    model = nn.Sequential(nn.Linear(6, 5), nn.Tanh(), nn.Linear(5, 3))
    g = np.random.default_rng(seed * 100 + dist.get_rank())  # a different batch on every rank
    x = autolab.tensor(g.normal(size=(4, 6)).astype(np.float32))
    y = autolab.tensor(g.integers(0, 3, 4))
    return model, x, y


def on_rank(fn: Any, seed: int = 0) -> tuple[str, str]:
    """Run on one rank: ``("pass" | "fail" | "not_done" | "crashed", message)``. Every rank must call it together."""
    if not dist.is_initialized():
        return "fail", "the ranks have no process group: run dist.init_process_group() on them first."
    n, rank = dist.get_world_size(), dist.get_rank()
    if n < 2:
        return "fail", "with a single rank every average is trivially right: run this on 2 or more ranks."
    model, x, y = _setup(seed)
    F.cross_entropy(model(x), y).backward()
    local = {name: to_numpy(p.grad).copy() for name, p in model.named_parameters()}
    try:
        fn(model)
    except NotImplementedError:
        status: tuple[str, str] | None = ("not_done", "")
    except Exception as e:  # noqa: BLE001  (reported as the student's crash, after DDP below keeps ranks in step)
        status = ("crashed", f"{type(e).__name__}: {e}")
    else:
        status = None
    yours = {name: None if p.grad is None else to_numpy(p.grad) for name, p in model.named_parameters()}

    reference, x, y = _setup(seed)  # what DDP computes (every rank runs this, whatever the student's code did)
    F.cross_entropy(DistributedDataParallel(reference)(x), y).backward()
    want = {name: to_numpy(p.grad) for name, p in reference.named_parameters()}
    if status is not None:
        return status
    missing = [k for k, v in yours.items() if v is None]
    if missing:
        return "fail", f"rank {rank}: {', '.join(missing)} lost its gradient; keep p.grad, averaged in place."
    if all(np.allclose(yours[k], local[k], rtol=1e-6, atol=0) for k in want):
        return "fail", (
            f"rank {rank}: the gradients are still this rank's own. Call dist.all_reduce(p.grad) for every "
            "parameter, so that each rank receives the sum over all ranks."
        )
    if all(np.allclose(yours[k], n * want[k], rtol=1e-5, atol=1e-7) for k in want):
        return "fail", (
            f"rank {rank}: you have the SUM over the {n} ranks. Divide by dist.get_world_size() to get the "
            "average (a sum would make the step N times larger than one process on the whole batch)."
        )
    wrong = [k for k in want if not np.allclose(yours[k], want[k], rtol=1e-5, atol=1e-7)]
    if wrong:
        return (
            "fail",
            f"rank {rank}: wrong average for {', '.join(wrong)}; for {wrong[0]}: {worst(yours[wrong[0]], want[wrong[0]])}",
        )
    return "pass", f"rank {rank} of {n}"


@exercise
def average_gradients(fn: Any, ranks: Any = None, seed: int = 0) -> Result:
    """``fn(model)`` must replace every ``p.grad`` by its average over the ranks, as DDP's backward does.

    ``ranks`` is the ipyparallel view of the MPI engines (``view = rc[:]``): ``fn`` is sent to each of them. Without
    it the check runs here, on this rank of an MPI job (every rank must call it).
    """
    if ranks is None:
        results = [on_rank(fn, seed)]
    elif hasattr(ranks, "apply_sync"):
        results = ranks.apply_sync(on_rank, fn, seed)
    else:
        return fail("pass the engines' view as the second argument: checks.average_gradients(average_gradients, view)")
    statuses = [s for s, _ in results]
    if "not_done" in statuses:
        raise NotImplementedError()  # the usual "not done yet" hint
    if "crashed" in statuses:
        return fail(message("crashed", error=next(m for s, m in results if s == "crashed")))
    failures = [m for s, m in results if s != "pass"]
    if failures:
        more = f" (and {len(failures) - 1} other rank(s))" if len(failures) > 1 else ""
        return fail(failures[0] + more)
    where = results[0][1] if ranks is None else f"on all {len(results)} ranks"
    return ok(f"{where}: your averaged gradients equal DistributedDataParallel's, for every parameter.")


@exercise
def ring_bytes_sent(fn: Any, seed: int = 0) -> Result:
    """``fn(m, n)``: the bytes one rank sends in a ring all-reduce of ``m`` bytes over ``n`` ranks."""
    rng = np.random.default_rng(seed)
    if seed == 0:
        cases = [(1000, 2), (1200, 4), (4096, 8)]
    else:
        cases = [(int(rng.integers(1, 10**6)) * 8, int(rng.integers(2, 65))) for _ in range(4)]
    got = [float(fn(m, n)) for m, n in cases]
    if all(np.isclose(g, 2 * (n - 1) / n * m, rtol=1e-9) for g, (m, n) in zip(got, cases)):
        return ok("each rank sends 2(n-1)/n of the data: less than twice the gradient, however many ranks join.")
    mistakes = [  # (what the student computed, the hint); the first that explains every case is named
        (lambda m, n: (n - 1) / n * m, "that is the reduce-scatter half; the all-gather sends as much again."),
        (lambda m, n: 2 * m, "2m is the limit for many ranks; with n ranks there are 2(n-1) steps, not 2n."),
        (lambda m, n: 2 * (n - 1) * m, "each step a rank sends one chunk, m/n bytes, not the whole vector."),
        (lambda m, n: (n - 1) * m, "each step a rank sends one chunk, m/n bytes, not the whole vector."),
    ]
    bad = next(i for i, (g, (m, n)) in enumerate(zip(got, cases)) if not np.isclose(g, 2 * (n - 1) / n * m, rtol=1e-9))
    m, n = cases[bad]
    where = f"for m={m} bytes over n={n} ranks you said {got[bad]:g}"
    for formula, hint in mistakes:
        if all(np.isclose(g, formula(mm, nn)) for g, (mm, nn) in zip(got, cases)):
            return fail(f"{where}: {hint}")
    return fail(f"{where}: count the steps of the animation and the size of the chunk sent in each.")
