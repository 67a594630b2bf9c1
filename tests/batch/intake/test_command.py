"""`grade batch EXPORT.zip`: the table before grading, --dry-run, and a Canvas export graded end to end."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.batch.classes import TIMEOUT
from tests.batch.intake.exports import source, zipped
from tests.cli_helpers import run_cli


def canvas_class(tmp_path: Path) -> Path:
    return zipped(
        tmp_path / "submissions.zip",
        {
            "smithjohn_1001_5001_exercise11.py": source("forgot_divide_by_n"),
            "smithjohn_1001_5001_exercise11-1.py": source("correct"),
            "garcíajosé_LATE_1002_5002_Exercise11 (1).py": source("correct"),
            "leeann_1003_5003_exercise11.py": source("forgot_divide_by_n"),
        },
    )


def test_a_dry_run_shows_the_table_and_grades_nothing(tmp_path: Path) -> None:
    code, stdout, stderr = run_cli(
        ["batch", str(canvas_class(tmp_path)), "--out", str(tmp_path / "out"), "--dry-run"]
    )
    assert (code, stderr) == (0, "")
    assert stdout.startswith("layout: canvas (detected)\n3 students, 4 files: 3 to grade, 1 left out\n")
    assert (
        "  smithjohn_1001_5001_exercise11-1.py  -> exercise11.py  (resubmission 1, the latest of 2)\n"
        in stdout
    )
    assert not (tmp_path / "out").exists()


def test_a_plain_folder_shows_its_table_on_a_dry_run(tmp_path: Path) -> None:
    (tmp_path / "class" / "ann").mkdir(parents=True)
    (tmp_path / "class" / "ann" / "exercise11.py").write_text(source("correct"))
    (tmp_path / "class" / "ann" / "notes.txt").write_text("x")
    code, stdout, _ = run_cli(["batch", str(tmp_path / "class"), "--out", str(tmp_path / "out"), "--dry-run"])
    assert code == 0
    assert stdout == (
        "layout: folders (detected)\n1 student, 2 files: 1 to grade, 1 left out\n"
        "ann\n  exercise11.py  -> exercise11.py\n  notes.txt  --  (not an exerciseNN.py or .ipynb file)\n"
    )


def test_an_export_refused_is_exit_two(tmp_path: Path) -> None:
    export = zipped(tmp_path / "submissions.zip", {"a_1_2_exercise11.py": "x", "../evil.py": "x"})
    code, stdout, stderr = run_cli(["batch", str(export), "--out", str(tmp_path / "out")])
    assert (code, stdout) == (2, "")
    assert stderr.startswith(
        "grade: the export is refused: submissions.zip: the entry ../evil.py points outside"
    )


@pytest.mark.slow
def test_a_canvas_export_is_graded_under_the_lms_identities_with_the_late_flag(tmp_path: Path) -> None:
    out = tmp_path / "out"
    argv = ["batch", str(canvas_class(tmp_path)), "--out", str(out), "--jobs", "2", "--timeout", TIMEOUT]
    code, stdout, stderr = run_cli(argv)
    assert code == 0, stderr
    assert stdout.startswith("layout: canvas (detected)\n")
    grades = {r["student"]: r for r in csv.DictReader(io.StringIO((out / "grades.csv").read_text()))}
    assert {s: (r["exercise11"], r["late"]) for s, r in grades.items()} == {
        "garciajose_1002": ("12", "late"),
        "leeann_1003": ("4", ""),
        "smithjohn_1001": ("12", ""),
    }
    rows = {r["student"]: r for r in map(json.loads, (out / "results.jsonl").read_text().splitlines())}
    assert rows["smithjohn_1001"]["lms"] == {
        "layout": "canvas",
        "name": "smithjohn",
        "user_id": "1001",
        "submission_id": "5001",
        "late": False,
        "files": {"exercise11.py": "smithjohn_1001_5001_exercise11-1.py"},
    }
    assert (out / "garciajose_1002" / "exercise11.html").is_file()
    assert 'garciajose_1002 <span class="late"' in (out / "summary.html").read_text()
    assert not list(out.glob(".intake-*"))
    code, stdout, _ = run_cli([*argv, "--resume"])
    assert code == 0 and "0 graded now, 3 already graded" in stdout
