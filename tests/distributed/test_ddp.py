"""DistributedDataParallel under ``mpiexec -n 2`` and ``-n 4``: the same parameters as one process on the global
batch after 20 steps (float64, 1e-10), bucketing, no_sync, unused parameters, wrap-time checks, the sampler.

One MPI job per (world size, bucket size) runs every scenario (ranks/ddp_rank.py) and reports per rank.
"""

from __future__ import annotations

import numpy as np
import pytest
from mpi_helpers import rank_reports, run_job

import autolab
from autolab import nn


@pytest.fixture(
    scope="module", params=[(2, "default"), (2, "0.0005"), (4, "0.0005")], ids=lambda p: f"{p[0]}ranks-cap{p[1]}"
)
def reports(request):
    n, cap = request.param
    proc = run_job(n, "ddp_rank.py", cap)
    reports = rank_reports(proc)
    assert sorted(reports) == list(range(n))
    return n, cap, reports


def test_ddp_equals_one_process_on_the_global_batch_after_20_steps(reports):
    n, _, rs = reports
    for r in rs.values():
        assert r["max_diff_vs_one_process"] < 1e-10, r["max_diff_vs_one_process"]
        assert r["params_identical_across_ranks"]  # rank 0's initial weights were broadcast; steps stayed equal


def test_state_dict_keys_have_the_module_prefix(reports):
    _, _, rs = reports
    assert rs[0]["state_dict_keys"] == [f"module.{k}.{w}" for k in (0, 4, 6) for w in ("weight", "bias")]


def test_buckets_follow_backward_order_and_start_during_backward(reports):
    n, cap, rs = reports
    buckets = rs[0]["buckets"]
    names = [p for b in buckets for p in b["params"]]
    assert sorted(names) == sorted(f"{k}.{w}" for k in (0, 4, 6) for w in ("weight", "bias"))
    if cap == "default":  # 399 float64 parameters: far below the first bucket's 1 MiB
        assert len(buckets) == 1
        return
    # rebuilt after the first step in the order gradients arrived: the last layer first, closed at 524 bytes
    assert [b["params"] for b in buckets] == [["6.bias", "6.weight", "4.bias", "4.weight"], ["0.bias", "0.weight"]]
    assert [b["bytes"] for b in buckets] == [8 * (3 + 24 + 8 + 288), 8 * (4 + 72)]
    for r in rs.values():
        tl = r["timeline"]
        backward_end = tl["backward"][1]
        first = tl["buckets"][0]
        assert first[1] < backward_end  # bucket 0 was complete, and its all-reduce started, before backward ended
        assert first[2] < backward_end
        for _, ready, start, end in tl["buckets"]:
            assert ready <= start <= end <= tl["synced"]


def test_no_sync_accumulates_locally_then_averages_everything(reports):
    _, _, rs = reports
    for r in rs.values():
        assert r["no_sync_grads_differ_before_sync"]
        assert r["no_sync_max_diff"] < 1e-12


class TwoHeads(nn.Module):
    def __init__(self):
        super().__init__()
        autolab.manual_seed(0)
        self.body, self.a, self.b = nn.Linear(4, 4), nn.Linear(4, 2), nn.Linear(4, 2)

    def forward(self, x, use_b):
        h = self.body(x)
        return self.b(h) if use_b else self.a(h)


def test_find_unused_parameters_averages_with_zeros_from_ranks_that_did_not_use_them(reports):
    n, _, rs = reports
    expected: dict[str, np.ndarray] = {}
    for rank in range(n):  # one process, rank by rank: what each contributes (zero where unused)
        model = TwoHeads().double()
        model(autolab.ones(2, 4, dtype=autolab.float64) * (rank + 1), use_b=(rank == 0)).sum().backward()
        for name, p in model.named_parameters():
            g = np.zeros(tuple(p.shape)) if p.grad is None else p.grad.numpy()
            expected[name] = expected.get(name, 0) + g / n
    for r in rs.values():
        got = r["unused_grads"]
        for name, want in expected.items():
            np.testing.assert_allclose(np.array(got[f"module.{name}"]), want, rtol=1e-12)
        assert r["globally_unused_is_none"]


def test_unused_parameter_without_find_unused_is_explained(reports):
    _, _, rs = reports
    for rank, r in rs.items():
        msg = r["unused_error"]
        assert msg and "find_unused_parameters=True" in msg and f"rank {rank}: b.weight, b.bias" in msg


def test_a_model_that_differs_across_ranks_fails_at_wrap_time_on_every_rank(reports):
    n, _, rs = reports
    for rank, r in rs.items():
        msg = r["mismatch_error"]
        assert msg and "DDP expects same model across all ranks" in msg
        assert "parameter weight has shape" in msg and f"on rank {rank}" in msg


def test_distributed_sampler_partitions_the_epoch(reports):
    n, _, rs = reports
    indices = rs[0]["sampler_indices"]
    per_rank = -(-23 // n)
    assert all(len(ix) == per_rank for ix in indices)
    flat = [i for ix in indices for i in ix]
    assert sorted(set(flat)) == list(range(23))  # every example, on some rank
    assert len(flat) - len(set(flat)) == per_rank * n - 23  # only the padding repeats
    from autolab.utils.data.distributed import DistributedSampler

    for rank in range(n):  # what the ranks drew under MPI is what the sampler gives for that rank and epoch
        s = DistributedSampler(range(23), num_replicas=n, rank=rank, seed=5)
        s.set_epoch(3)
        assert list(s) == indices[rank]


def test_buffers_come_from_rank_0_at_wrap_time_and_before_each_forward(reports):
    n, _, rs = reports
    for r in rs.values():
        assert r["bn_running_mean_after_wrap"] == [0.0] * 4
        # forward broadcast rank 0's running_var (1.0) before BatchNorm updated it with momentum 0.1 on a
        # batch of identical rows (variance 0): 0.9 * 1.0 + 0.1 * 0
        np.testing.assert_allclose(r["bn_running_var_before_forward_synced"], [0.9] * 4)


def test_gradient_as_bucket_view_trains_the_same_without_copies(reports):
    _, _, rs = reports
    for r in rs.values():
        assert r["bucket_view_max_diff"] == 0.0
        assert r["bucket_view_shares_memory"]
