"""`--executor dask`: the same batch on a Dask cluster writes the same outputs as the local pool."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.batch.classes import TIMEOUT, rows, without_durations
from tests.batch.conftest import Batch
from tests.cli_helpers import run_cli
from tests.report.goldens import normalise

distributed = pytest.importorskip("distributed")

pytestmark = pytest.mark.slow

#: Durations vary between runs, and so does the list of the slowest submissions.
SLOWEST = re.compile(r'<section class="card" id="slowest">.*?</section>', re.DOTALL)
#: Process ids in integrity findings ("tried to send signal 9 to process 1234") vary too.
PID = re.compile(r"process \d+")


def comparable(text: str) -> str:
    return PID.sub("process N", normalise(text))


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A small in-process cluster: one worker grading two submissions at a time."""
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None
    ) as cluster:
        yield cluster.scheduler_address


@pytest.fixture(scope="module")
def on_dask(graded: Batch, scheduler: str, tmp_path_factory: pytest.TempPathFactory) -> Batch:
    out = tmp_path_factory.mktemp("dask") / "out"
    argv = ["batch", str(graded.directory), "--out", str(out), "--timeout", TIMEOUT]
    code, stdout, stderr = run_cli([*argv, "--executor", "dask", "--scheduler", scheduler])
    return Batch(graded.directory, out, code, stdout, stderr)


def sorted_rows(out: Path) -> str:
    ordered = sorted(
        (without_durations(row) for row in rows(out)), key=lambda r: (r["student"], r["exercise"])
    )
    return comparable(json.dumps(ordered, indent=1))


def test_dask_completes_the_batch_like_the_local_pool(graded: Batch, on_dask: Batch) -> None:
    assert on_dask.code == 0
    assert on_dask.stdout.replace(str(on_dask.out), "OUT") == graded.stdout.replace(str(graded.out), "OUT")
    assert on_dask.stderr == graded.stderr


def test_dask_writes_the_same_results_gradebook_and_reports(graded: Batch, on_dask: Batch) -> None:
    assert sorted_rows(on_dask.out) == sorted_rows(graded.out)
    assert (on_dask.out / "grades.csv").read_text() == (graded.out / "grades.csv").read_text()
    reports = sorted(p.relative_to(graded.out) for p in graded.out.glob("*/*.html"))
    assert reports == sorted(p.relative_to(on_dask.out) for p in on_dask.out.glob("*/*.html"))
    for report in reports:
        assert comparable((on_dask.out / report).read_text()) == comparable((graded.out / report).read_text())


def test_dask_summary_matches_apart_from_timings(graded: Batch, on_dask: Batch) -> None:
    def summary(out: Path) -> str:
        return SLOWEST.sub("", comparable((out / "summary.html").read_text()))

    assert summary(on_dask.out) == summary(graded.out)


def test_an_unreachable_scheduler_is_a_usage_error(tmp_path: Path, graded: Batch) -> None:
    argv = ["batch", str(graded.directory), "--out", str(tmp_path / "out"), "--executor", "dask"]
    code, _, stderr = run_cli([*argv, "--scheduler", "inproc://nowhere/1/1"])
    assert code == 2 and stderr.startswith("grade: cannot reach the Dask scheduler at inproc://nowhere/1/1: ")
    assert not (tmp_path / "out").exists()
