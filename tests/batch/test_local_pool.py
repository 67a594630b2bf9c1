"""The local pool: a grading process that dies costs exactly the task it was grading."""

from __future__ import annotations

import signal
from pathlib import Path

from grader.batch.discover import File
from grader.batch.local_pool import LocalPool
from grader.batch.task import Graded, Task
from tests.batch.workers import dies_for_doomed


def test_a_killed_grading_process_is_one_error_row_and_the_batch_goes_on() -> None:
    students = ["ann", "doomed", "bob", "cy", "dee"]
    tasks = [Task(s, "exercise11", (File(Path(f"/class/{s}/exercise11.py"), f"sha-{s}"),)) for s in students]
    with LocalPool(2, work=dies_for_doomed) as pool:
        outcomes = {o.student: o for o in map(Graded.loads, pool.run(tasks))}
    assert sorted(outcomes) == sorted(students)
    doomed = outcomes.pop("doomed")
    assert doomed.failed and [report.stem for report in doomed.reports] == ["exercise11"]
    assert doomed.result["message"] == (
        f"the grading process died while grading this (exit status {-signal.SIGKILL})"
    )
    assert doomed.result["sha256"] == "sha-doomed" and doomed.result["submission"] == "exercise11.py"
    assert all(o.result["status"] == "graded" for o in outcomes.values())
    assert len({o.result["pid"] for o in outcomes.values()}) <= 3  # two processes, one replaced


def test_an_empty_batch_starts_no_process() -> None:
    with LocalPool(4, work=dies_for_doomed) as pool:
        assert list(pool.run([])) == []
        assert pool._idle == []
