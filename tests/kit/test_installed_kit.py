"""The wheel installed in a fresh virtual environment, used from a student's folder as a student would."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from grader.checks.base import NOT_AVAILABLE
from tests.cli_helpers import run_cli
from tests.kit.conftest import COURSE, Venv

pytestmark = pytest.mark.slow

STUDENTS = COURSE / "tests" / "students"
#: Kinds of check that compare with the reference itself (or its measured cost): course-only today.
NEEDS_REFERENCE = ("reference", "resource")


def test_the_installed_kit_is_its_own_course_and_has_no_reference(kit_venv: Venv, tmp_path: Path) -> None:
    code = "import grader.course as c; print(c.__file__); print(c.find_course())"
    where = kit_venv.run("python", "-c", code, cwd=tmp_path)
    module, course = where.stdout.splitlines()
    assert Path(module).is_relative_to(kit_venv.root)
    assert Path(course) == Path(module).parent / "kit"
    imported = kit_venv.run("python", "-c", "import reference", cwd=tmp_path)
    assert imported.returncode == 1 and "ModuleNotFoundError: No module named 'reference'" in imported.stderr


@pytest.mark.parametrize("suffix", [".py", ".ipynb"])
def test_an_untouched_starter_scores_nothing_and_its_hidden_checks_wait_for_the_course(
    kit_venv: Venv, tmp_path: Path, suffix: str
) -> None:
    written = kit_venv.run("grade", "starters", cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    assert len(list(tmp_path.glob("exercise*"))) == 16
    graded = kit_venv.run("grade", f"exercise11{suffix}", "--json", "-", cwd=tmp_path)
    assert graded.returncode == 1, graded.stderr
    result = json.loads(graded.stdout)
    assert (result["status"], result["score"], result["max_score"]) == ("graded", 0.0, 12.0)
    hidden = [check for check in result["checks"] if check["visibility"] != "visible"]
    assert hidden and all((c["status"], c["message"]) == ("skipped", NOT_AVAILABLE) for c in hidden)
    visible = [check for check in result["checks"] if check["visibility"] == "visible"]
    assert all(
        c["status"] in ("failed", "error") or (c["status"], c["message"]) == ("skipped", NOT_AVAILABLE)
        for c in visible
    )
    assert (tmp_path / "grade-reports" / "exercise11.html").is_file()


def class_of(folder: Path) -> list[Path]:
    """Every student of tests/students/ as `<exercise>-<student>/<exercise>.py` under `folder`, but the
    ones that hang (a timeout is judged alike everywhere, and waiting for it takes a minute)."""
    made = []
    for student in sorted(STUDENTS.glob("exercise*/*.py")):
        if student.stem == "hangs":
            continue
        exercise = student.parent.name
        target = folder / f"{exercise}-{student.stem}" / f"{exercise}.py"
        target.parent.mkdir(parents=True)
        shutil.copy(student, target)
        made.append(target.relative_to(folder))
    return made


def kinds() -> dict[tuple[str, str], str]:
    """(exercise, check id) -> the kind of the course's check."""
    return {
        (path.stem, check["id"]): check["kind"]
        for path in (COURSE / "rubrics").glob("exercise*.yaml")
        for check in yaml.safe_load(path.read_text())["checks"]
    }


def test_the_kit_gives_the_courses_verdict_on_every_public_check_that_needs_no_reference(
    kit_venv: Venv, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    paths = [str(path) for path in class_of(tmp_path)]
    assert len(paths) > 70
    kit = kit_venv.run("grade", *paths, "--no-html", "--json", "kit.jsonl", cwd=tmp_path)
    assert kit.returncode == 1, kit.stderr[-2000:]
    monkeypatch.chdir(tmp_path)
    assert run_cli([*paths, "--no-html", "--json", "course.jsonl"])[0] == 1
    read = [[json.loads(line) for line in (tmp_path / name).read_text().splitlines()]
            for name in ("kit.jsonl", "course.jsonl")]  # fmt: skip
    kind, compared, differ = kinds(), 0, []
    for path, ours, theirs in zip(paths, *read, strict=True):
        assert ours["sha256"] == theirs["sha256"]
        for check, course_check in zip(ours["checks"], theirs["checks"], strict=True):
            skipped = (check["status"], check["message"]) == ("skipped", NOT_AVAILABLE)
            if check["visibility"] != "visible" and ours["status"] != "error":  # an error: nothing ran
                assert skipped, f"{path}: {check['id']} is hidden"
                continue
            if skipped:
                assert kind[ours["exercise"], check["id"]] in NEEDS_REFERENCE, f"{path}: {check['id']}"
                continue
            compared += 1
            if (check["status"], check["points"]) != (course_check["status"], course_check["points"]):
                differ.append((path, check["id"], check["status"], course_check["status"]))
    assert differ == []
    assert compared > 300
