"""The TA's round trip: a Canvas export graded, overrides edited, regraded, grades and feedback out."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.batch.classes import TIMEOUT
from tests.batch.intake.exports import source, zipped
from tests.cli_helpers import run_cli

ROSTER = """Student,ID,SIS User ID,SIS Login ID,Section,exercise11 (4242)
    Points Possible,,,,,12
"Smith, John",1001,S1,jsmith,A,
"García, José",1002,S2,jgarcia,A,
"Lee, Ann",1003,S3,alee,A,
"""


def export(tmp_path: Path, ann: str) -> Path:
    return zipped(
        tmp_path / "submissions.zip",
        {
            "smithjohn_1001_5001_exercise11.py": source("correct"),
            "garcíajosé_LATE_1002_5002_Exercise11 (1).py": source("correct"),
            "leeann_1003_5003_exercise11.py": source(ann),
        },
    )


def canvas_scores(out: Path) -> dict[str, str]:
    lines = csv.DictReader(io.StringIO((out / "canvas.csv").read_text()))
    return {r["ID"]: r["exercise11 (4242)"] for r in lines if r["ID"]}  # not the Points Possible row


@pytest.mark.slow
def test_overrides_survive_a_regrade_reach_canvas_and_the_report_and_go_stale(tmp_path: Path) -> None:
    out = tmp_path / "out"
    (tmp_path / "roster.csv").write_text(ROSTER)
    argv = ["batch", str(export(tmp_path, "forgot_divide_by_n")), "--out", str(out), "--jobs", "2"]
    argv += ["--timeout", TIMEOUT, "--canvas", str(tmp_path / "roster.csv")]
    code, _, stderr = run_cli(argv)
    assert code == 0, stderr
    assert canvas_scores(out)["1003"] == "4"
    assert (out / "overrides.csv").read_text() == "student,exercise,check,points,comment,sha256\n"

    (out / "overrides.csv").write_text(
        "student,exercise,check,points,comment\n"
        "leeann_1003,exercise11,mlp_backward.gradcheck,3,Right idea: only the 1/N was missing\n"
        "smithjohn_1001,exercise11,total,10,Copied the docstring of another course\n"
    )
    code, stdout, stderr = run_cli([*argv, "--regrade"])
    assert code == 0, stderr
    assert "3 graded now" in stdout
    assert canvas_scores(out) == {"1001": "10", "1002": "12", "1003": "7"}
    report = (out / "leeann_1003" / "exercise11.html").read_text()
    assert "Changed by your TA" in report and "Right idea: only the 1/N was missing" in report
    rows = {r["student"]: r for r in map(json.loads, (out / "results.jsonl").read_text().splitlines())}
    assert rows["leeann_1003"]["override"]["score"] == 7.0 and not rows["leeann_1003"]["override"]["stale"]
    assert json.loads((out / "smithjohn_1001" / "exercise11.json").read_text())["override"]["score"] == 10.0
    assert (out / "feedback" / "leeann_1003_5003_exercise11.html").read_text() == report
    assert "changed by TA" in (out / "summary.html").read_text()
    recorded = list(csv.DictReader(io.StringIO((out / "overrides.csv").read_text())))
    assert all(len(line["sha256"]) == 64 for line in recorded)

    code, stdout, stderr = run_cli([*argv, "--resume"])  # nothing changed: the overrides still apply
    assert code == 0 and "0 graded now" in stdout, stderr
    assert canvas_scores(out) == {"1001": "10", "1002": "12", "1003": "7"}

    argv[1] = str(export(tmp_path, "correct"))  # Ann resubmits: her override is stale, not applied
    code, _, stderr = run_cli([*argv, "--resume"])
    assert code == 0, stderr
    assert canvas_scores(out)["1003"] == "12"
    grades = {r["student"]: r for r in csv.DictReader(io.StringIO((out / "grades.csv").read_text()))}
    assert "STALE" in grades["leeann_1003"]["notes"]
    assert "override STALE" in (out / "summary.html").read_text()
    assert "Changed by your TA" not in (out / "leeann_1003" / "exercise11.html").read_text()


def test_a_bad_override_is_refused_before_grading(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "overrides.csv").write_text(
        "student,exercise,check,points,comment\nnobody_9,exercise11,total,3,\n"
    )
    code, stdout, stderr = run_cli(["batch", str(export(tmp_path, "correct")), "--out", str(out)])
    assert (code, stdout) == (2, "")
    assert f"{out / 'overrides.csv'}:2: unknown student 'nobody_9'" in stderr
    assert not (out / "results.jsonl").exists()
