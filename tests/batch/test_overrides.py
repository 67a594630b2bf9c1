"""OUT/overrides.csv: validated line by line, applied to a row, stale once the submission changes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from grader.batch.overrides import Overrides, counted, state
from grader.errors import UsageError
from grader.rubric import load
from tests.batch.classes import ROOT

RUBRICS = {"exercise11": load(ROOT / "rubrics" / "exercise11.yaml")}
HEADER = "student,exercise,check,points,comment\n"
#: What the class handed in: ann and bob exercise 11, cy nothing (a row saying so, with no exercise).
HANDED_IN = {("ann", "exercise11"), ("bob", "exercise11"), ("cy", "")}


def read(tmp_path: Path, body: str, header: str = HEADER) -> Overrides:
    (tmp_path / "overrides.csv").write_text(header + body)
    return Overrides.read(tmp_path / "overrides.csv", HANDED_IN, RUBRICS)


def row(sha256: str = "a" * 64) -> dict[str, Any]:
    checks = [
        {"id": "mlp_forward.reference", "points": 2.0},
        {"id": "mlp_backward.gradcheck", "points": 0.0},
        {"id": "mlp_backward.reference", "points": 0.0},
    ]
    return {"student": "ann", "exercise": "exercise11", "sha256": sha256, "score": 2.0, "checks": checks}


def test_each_bad_line_is_one_line_of_the_error_with_its_number(tmp_path: Path) -> None:
    body = (
        "ann,exercise11,total,10,fine\n"
        "zed,exercise11,total,1,\n"
        "ann,exercise99,total,1,\n"
        "ann,exercise11,no.such.check,1,\n"
        "ann,exercise11,mlp_backward.gradcheck,four,\n"
        "ann,exercise11,mlp_backward.gradcheck,5,\n"
        "bob,exercise11,total,-1,\n"
        "\n"
        "ann,exercise11,total,nan,\n"
        "ann,exercise11,total,3,twice\n"
        "cy,exercise11,total,3,handed in by email\n"
    )
    with pytest.raises(UsageError) as error:
        read(tmp_path, body)
    lines = str(error.value).splitlines()
    where = str(tmp_path / "overrides.csv")
    assert [line.split(": ", 1)[0] for line in lines] == [
        f"{where}:{n}" for n in (3, 4, 5, 6, 7, 8, 10, 11, 12)
    ]
    assert "unknown student 'zed'" in lines[0]
    assert "unknown exercise 'exercise99' (this batch grades: exercise11)" in lines[1]
    assert "unknown check 'no.such.check' of exercise11" in lines[2]
    assert "points 'four' is not a number" in lines[3]
    assert "points 5 is outside [0, 4]" in lines[4]
    assert "points -1 is outside [0, 12]" in lines[5]
    assert "outside" in lines[6]
    assert "already overridden on line 2" in lines[7]
    assert "'cy' handed in no exercise11: there is no grade to override" in lines[8]


def test_a_file_without_the_columns_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match=r"overrides.csv:1: missing column\(s\) check, points"):
        read(tmp_path, "ann,exercise11\n", header="student,exercise\n")


def test_no_file_is_no_override(tmp_path: Path) -> None:
    overrides = Overrides.read(tmp_path / "overrides.csv", {("ann", "exercise11")}, RUBRICS)
    assert overrides.applied(row()) == row()


def test_a_check_override_replaces_that_checks_points(tmp_path: Path) -> None:
    overrides = read(tmp_path, "ann,exercise11,mlp_backward.gradcheck,3,divides by N in the end\n")
    applied = overrides.applied(row())
    assert applied["override"] == {
        "points": {"mlp_backward.gradcheck": 3.0},
        "comment": {"mlp_backward.gradcheck": "divides by N in the end"},
        "stale": False,
        "sha256": "a" * 64,
        "score": 5.0,
    }
    assert (applied["score"], counted(applied), state(applied)) == (2.0, 5.0, "changed")


def test_a_total_override_replaces_the_score(tmp_path: Path) -> None:
    body = "ann,exercise11,mlp_backward.gradcheck,3,\nann,exercise11,total,11.5,well done\n"
    overrides = read(tmp_path, body)
    assert counted(overrides.applied(row())) == 11.5


def test_the_fingerprint_is_recorded_and_a_changed_submission_makes_it_stale(tmp_path: Path) -> None:
    overrides = read(tmp_path, "ann,exercise11,total,9,ok\n")
    overrides.applied(row("a" * 64))
    overrides.save()
    assert (tmp_path / "overrides.csv").read_text() == (
        "student,exercise,check,points,comment,sha256\nann,exercise11,total,9,ok," + "a" * 64 + "\n"
    )
    again = Overrides.read(tmp_path / "overrides.csv", {("ann", "exercise11")}, RUBRICS)
    assert counted(again.applied(row("a" * 64))) == 9.0
    changed = again.applied(row("b" * 64))
    assert changed["override"]["stale"] and changed["override"]["sha256"] == "a" * 64
    assert (counted(changed), state(changed)) == (2.0, "stale")


def test_a_line_removed_removes_the_override(tmp_path: Path) -> None:
    overridden = read(tmp_path, "ann,exercise11,total,9,\n").applied(row())
    assert "override" not in read(tmp_path, "").applied(overridden)
