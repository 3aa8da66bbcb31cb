"""Notebook 11's exercise check, on 2 MPI ranks: the right answer passes; typical mistakes get their own hint."""

from __future__ import annotations

import pytest
from mpi_helpers import rank_reports, run_job

from autolab.course import checks


@pytest.fixture(scope="module")
def reports():
    return rank_reports(run_job(2, "check_rank.py"))


def test_right_average_passes_on_every_rank(reports):
    for rank, r in reports.items():
        passed, out = r["right"]
        assert passed and out.startswith(checks.PASS) and f"rank {rank} of 2" in out


@pytest.mark.parametrize(
    "mistake, hint",
    [
        ("summed", "you have the SUM over the 2 ranks. Divide by dist.get_world_size()"),
        ("local_only", "the gradients are still this rank's own"),
        ("forgot_biases", "wrong average for 0.bias, 2.bias"),
        ("not_done", "not done yet"),
    ],
)
def test_mistakes_fail_with_a_hint(reports, mistake, hint):
    for r in reports.values():
        passed, out = r[mistake]
        assert not passed and out.startswith(checks.FAIL) and hint in out, out


def test_outside_an_mpi_job_the_check_says_what_is_missing(capsys):
    assert not checks.average_gradients(lambda model: None)
    assert "no process group: run dist.init_process_group()" in capsys.readouterr().out
    assert not checks.average_gradients(lambda model: None, ranks=object())
    assert "pass the engines' view as the second argument" in capsys.readouterr().out


class FakeView:
    """What the check needs of an ipyparallel view: apply_sync, giving one result per engine."""

    def __init__(self, results):
        self.results = results

    def apply_sync(self, fn, *args):
        return self.results


def test_one_verdict_for_all_ranks(capsys):
    assert checks.average_gradients(print, FakeView([("pass", "rank 0 of 2"), ("pass", "rank 1 of 2")]))
    assert capsys.readouterr().out.startswith(f"{checks.PASS} on all 2 ranks")
    assert not checks.average_gradients(print, FakeView([("pass", ""), ("fail", "rank 1: wrong")]))
    assert capsys.readouterr().out == f"{checks.FAIL} rank 1: wrong\n"
    assert not checks.average_gradients(print, FakeView([("not_done", ""), ("not_done", "")]))
    assert "not done yet" in capsys.readouterr().out
    assert not checks.average_gradients(print, FakeView([("crashed", "KeyError: 'x'"), ("pass", "")]))
    assert "your code raised KeyError: 'x'" in capsys.readouterr().out


@pytest.mark.parametrize("seed", [0, 7])
def test_ring_bytes_sent(capsys, seed):
    assert checks.ring_bytes_sent(lambda m, n: 2 * (n - 1) * m / n, seed=seed)
    assert capsys.readouterr().out.startswith(checks.PASS)
    for wrong, hint in [
        (lambda m, n: (n - 1) * m / n, "the reduce-scatter half"),
        (lambda m, n: 2 * (n - 1) * m, "not the whole vector"),
        (lambda m, n: 2 * m, "2(n-1) steps, not 2n"),
        (lambda m, n: m / n, "count the steps"),
    ]:
        assert not checks.ring_bytes_sent(wrong, seed=seed)
        out = capsys.readouterr().out
        assert out.startswith(checks.FAIL) and hint in out, out
