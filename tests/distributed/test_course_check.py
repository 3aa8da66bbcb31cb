"""Notebook 11's exercise check, on 2 MPI ranks: the right answer passes; typical mistakes get their own hint."""

from __future__ import annotations

import pytest
from conftest import rank_reports, run_job

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


def test_outside_an_mpi_job_the_check_says_where_to_run(capsys):
    assert not checks.average_gradients(lambda model: None)
    assert "run this check on the MPI ranks" in capsys.readouterr().out
