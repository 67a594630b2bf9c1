"""Killed at any moment, `--resume` regrades nothing already done and loses nothing."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.batch.classes import TIMEOUT, add_student, by_student, keys, rows
from tests.cli_helpers import run_cli

pytestmark = pytest.mark.slow

MATRIX = ["correct", "forgot_divide_by_n", "no_relu_mask", "transposed_dw", "db_by_mean", "raises"]
#: A partial line, as a kill in the middle of a (multi-write) append would leave it.
TORN = b'{"student": "alice", "schema": "grader.result/1", "subm'


def small_class(directory: Path) -> Path:
    for i, matrix in enumerate(MATRIX):
        add_student(directory, f"student {i:02d}", matrix)
    return directory


def wait_for_lines(journal: Path, count: int, process: subprocess.Popen[bytes], limit_s: float = 60) -> None:
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline and process.poll() is None:
        if journal.exists() and journal.read_bytes().count(b"\n") >= count:
            return
        time.sleep(0.02)
    pytest.fail(f"the batch did not write {count} lines in time (exit status {process.poll()})")


def test_sigkill_then_resume_grades_each_submission_exactly_once(tmp_path: Path) -> None:
    directory, out = small_class(tmp_path / "class"), tmp_path / "out"
    command = [sys.executable, "-m", "grader", "batch", str(directory), "--out", str(out), "--jobs", "1"]
    batch = subprocess.Popen([*command, "--timeout", TIMEOUT], start_new_session=True)
    try:
        wait_for_lines(out / "results.jsonl", 2, batch)
        batch.send_signal(signal.SIGKILL)  # the parent only, mid-batch, like `kill -9`
        batch.wait()
        kept = (out / "results.jsonl").read_bytes()
        with (out / "results.jsonl").open("ab") as journal:
            journal.write(TORN)
        code, stdout, _ = run_cli(
            ["batch", str(directory), "--out", str(out), "--resume", "--timeout", TIMEOUT]
        )
    finally:
        with contextlib.suppress(ProcessLookupError):  # grading processes the kill orphaned, if any are left
            os.killpg(batch.pid, signal.SIGKILL)
    done_before = kept.count(b"\n")
    assert 2 <= done_before < len(MATRIX), "the kill came too late to interrupt anything"
    assert code == 0
    assert f"graded {len(MATRIX) - done_before} submissions" in stdout
    assert f"{done_before} already done" in stdout
    assert (out / "results.jsonl").read_bytes().startswith(kept)  # nothing lost, nothing rewritten
    assert keys(out) == {(f"student {i:02d}", "exercise11"): 1 for i in range(len(MATRIX))}
    assert len((out / "grades.csv").read_text().splitlines()) == 1 + len(MATRIX)


def test_resume_regrades_a_changed_file_and_the_latest_line_counts(tmp_path: Path) -> None:
    directory, out = tmp_path / "class", tmp_path / "out"
    add_student(directory, "ana", "correct")
    add_student(directory, "ben", "forgot_divide_by_n")
    assert run_cli(["batch", str(directory), "--out", str(out), "--timeout", TIMEOUT])[0] == 0
    first = rows(out)
    add_student(directory, "ben", "correct")
    code, stdout, _ = run_cli(["batch", str(directory), "--out", str(out), "--resume", "--timeout", TIMEOUT])
    assert code == 0 and "graded 1 submissions" in stdout and "1 already done" in stdout
    assert rows(out)[:2] == first and len(rows(out)) == 3
    assert by_student(out)["ben"]["sha256"] != first[[r["student"] for r in first].index("ben")]["sha256"]
    assert "ben,12,12,12," in (out / "grades.csv").read_text()
