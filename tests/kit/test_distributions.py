"""The sdist and the wheel are the student kit: the grader and grader/kit/, nothing of the solutions."""

from __future__ import annotations

import json
import tarfile
import zipfile

import pytest
import yaml

from tests.kit.conftest import COURSE, Built

pytestmark = pytest.mark.slow

KIT = COURSE / "grader" / "kit"
#: What a distribution may hold at its top level besides the grader package.
WHEEL_TOP = {"grader", "backprop_grader-0.1.0.dist-info"}
SDIST_TOP = {"grader", "backprop_grader.egg-info", "pyproject.toml", "README.md", "MANIFEST.in", "PKG-INFO",
             "setup.cfg"}  # fmt: skip
#: Folders of the course that no distribution may hold, at any depth.
COURSE_ONLY = {"reference", "mistakes", "tests", "benchmarks", "examples"}
BEGIN, END = "# BEGIN SOLUTION", "# END SOLUTION"


def wheel_files(built: Built) -> dict[str, bytes]:
    with zipfile.ZipFile(built.wheel) as archive:
        return {name: archive.read(name) for name in archive.namelist() if not name.endswith("/")}


def sdist_files(built: Built) -> dict[str, bytes]:
    with tarfile.open(built.sdist) as archive:
        members = [member for member in archive.getmembers() if member.isfile()]
        return {
            member.name.split("/", 1)[1]: archive.extractfile(member).read()  # type: ignore[union-attr]
            for member in members
        }


def hidden_checks() -> set[tuple[str, str]]:
    """(exercise, id) of each of the course's non-visible checks."""
    found: set[tuple[str, str]] = set()
    for path in (COURSE / "rubrics").glob("exercise*.yaml"):
        checks = yaml.safe_load(path.read_text())["checks"]
        found |= {(path.stem, c["id"]) for c in checks if c.get("visibility", "visible") != "visible"}
    return found


def solution_lines() -> set[str]:
    """Each line of a reference solution region that a student does not already have: not a signature
    (the API is public) and not in a starter; long enough not to be common code."""
    given = "".join(path.read_text() for path in (COURSE / "exercises").glob("*.py"))
    found: set[str] = set()
    for path in (COURSE / "reference").glob("exercise*.py"):
        inside = False
        for line in path.read_text().splitlines():
            text = line.strip()
            inside = (inside or text == BEGIN) and text != END
            if inside and len(text) >= 20 and not text.startswith(("#", "def ", BEGIN)) and text not in given:
                found.add(text)
    return found


@pytest.mark.parametrize(("read", "top"), [(wheel_files, WHEEL_TOP), (sdist_files, SDIST_TOP)],
                         ids=["wheel", "sdist"])  # fmt: skip
def test_a_distribution_holds_the_grader_and_its_kit_and_nothing_of_the_course(
    built: Built, read: object, top: set[str]
) -> None:
    files: dict[str, bytes] = read(built)  # type: ignore[operator]
    assert {name.split("/")[0] for name in files} <= top
    assert [name for name in files if COURSE_ONLY & set(name.split("/")[:-1])] == []
    assert [name for name in files if name.endswith("correct.py")] == []
    kit = {
        f"grader/kit/{p.relative_to(KIT).as_posix()}": p.read_bytes() for p in KIT.rglob("*") if p.is_file()
    }
    shipped = {name: data for name, data in files.items() if name.startswith("grader/kit/")}
    assert shipped == kit and len(kit) == 32
    assert "grader/cli/starters.py" in files and "grader/probes/exercise11.py" in files


@pytest.mark.parametrize("read", [wheel_files, sdist_files], ids=["wheel", "sdist"])
def test_no_shipped_rubric_or_truth_file_says_anything_of_a_hidden_check(built: Built, read: object) -> None:
    files: dict[str, bytes] = read(built)  # type: ignore[operator]
    hidden = hidden_checks()
    rubrics = [yaml.safe_load(data) for name, data in files.items() if name.endswith(".yaml")]
    assert len(rubrics) == 8 and all(rubric["student_kit"] for rubric in rubrics)
    listed = {(r["exercise"], check["id"]): check for r in rubrics for check in r["checks"]}
    assert hidden <= listed.keys()
    assert [key for key in hidden if set(listed[key]) - {"id", "title", "kind", "points", "visibility"}] == []
    truths = [json.loads(data) for name, data in files.items() if name.endswith(".truth.json")]
    assert len(truths) == 8
    said = [(t["exercise"], ident) for t in truths for exercise, ident in hidden
            if exercise == t["exercise"] and f'"{ident}"' in json.dumps(t)]  # fmt: skip
    assert said == []


@pytest.mark.parametrize("read", [wheel_files, sdist_files], ids=["wheel", "sdist"])
def test_no_line_of_a_solution_is_shipped(built: Built, read: object) -> None:
    files: dict[str, bytes] = read(built)  # type: ignore[operator]
    lines = solution_lines()
    assert len(lines) > 50, "the reference's solution regions were read"
    texts = {
        name: data.decode("utf-8", "replace") for name, data in files.items() if not name.endswith(".so")
    }
    leaked = sorted((line, name) for name, text in texts.items() for line in lines if line in text)
    assert leaked == []
