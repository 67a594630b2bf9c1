"""Killed at any moment, `--resume` regrades nothing already done and loses nothing."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.batch.classes import ROOT, TIMEOUT, add_student, by_student, keys, rows
from tests.cli_helpers import run_cli

pytestmark = pytest.mark.slow

MATRIX = ["correct", "forgot_divide_by_n", "no_relu_mask", "transposed_dw", "db_by_mean", "raises"]
#: The journal line whose writing the kill interrupts: the lines before it are whole.
KILLED_AT = 3


def small_class(directory: Path) -> Path:
    for i, matrix in enumerate(MATRIX):
        add_student(directory, f"student {i:02d}", matrix)
    return directory


def test_sigkill_then_resume_grades_each_submission_exactly_once(tmp_path: Path) -> None:
    directory, out = small_class(tmp_path / "class"), tmp_path / "out"
    argv = ["batch", str(directory), "--out", str(out), "--jobs", "1", "--timeout", TIMEOUT]
    killer = [sys.executable, "-m", "tests.batch.workers", str(KILLED_AT), *argv]
    batch = subprocess.Popen(killer, cwd=ROOT, start_new_session=True)
    try:
        assert batch.wait(timeout=120) == -signal.SIGKILL
    finally:
        with contextlib.suppress(ProcessLookupError):  # grading processes the kill orphaned, if any are left
            os.killpg(batch.pid, signal.SIGKILL)
    journal = (out / "results.jsonl").read_bytes()
    whole, torn = journal.rsplit(b"\n", 1)
    kept = [json.loads(line) for line in whole.splitlines()]
    assert len(kept) == KILLED_AT - 1 and torn.startswith(b'{"student": "student 02"')

    code, stdout, _ = run_cli([*argv[:-2], "--resume", "--timeout", TIMEOUT])
    assert code == 0
    assert stdout.startswith(
        f"6 students, 6 submissions: {len(MATRIX) - len(kept)} graded now, {len(kept)} already graded, "
    )
    assert all(row in rows(out) for row in kept)  # nothing lost, nothing regraded
    assert keys(out) == {(f"student {i:02d}", "exercise11"): 1 for i in range(len(MATRIX))}  # compacted
    assert len((out / "grades.csv").read_text().splitlines()) == 1 + len(MATRIX)


def test_resume_regrades_a_changed_file_and_the_latest_line_counts(tmp_path: Path) -> None:
    directory, out = tmp_path / "class", tmp_path / "out"
    add_student(directory, "ana", "correct")
    add_student(directory, "ben", "forgot_divide_by_n")
    assert run_cli(["batch", str(directory), "--out", str(out), "--timeout", TIMEOUT])[0] == 0
    first = by_student(out)
    add_student(directory, "ben", "correct")
    code, stdout, _ = run_cli(["batch", str(directory), "--out", str(out), "--resume", "--timeout", TIMEOUT])
    assert code == 0 and stdout.startswith(
        "2 students, 2 submissions: 1 graded now, 1 already graded, 0 could not be graded;"
    )
    assert keys(out) == {("ana", "exercise11"): 1, ("ben", "exercise11"): 1}  # compacted
    assert by_student(out)["ana"] == first["ana"]
    assert by_student(out)["ben"]["sha256"] != first["ben"]["sha256"]
    assert "ben,12,12,12," in (out / "grades.csv").read_text()
