"""Rubric validation: every problem named with file, key path, value and expectation."""

from pathlib import Path

import pytest

from grader.errors import RubricError
from grader.rubric import load
from tests.cli_helpers import run_cli

COURSE = Path(__file__).resolve().parent.parent

VALID = """\
exercise: exercise11
title: MLP
checks:
  - id: a.gradcheck
    title: A
    kind: gradcheck
    probe: mlp_backward
    points: 2
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "exercise11.yaml"
    path.write_text(text)
    return path


def problems(tmp_path: Path, text: str) -> list[str]:
    with pytest.raises(RubricError) as caught:
        load(write(tmp_path, text))
    return caught.value.problems


@pytest.mark.parametrize("path", sorted((COURSE / "rubrics").glob("*.yaml")), ids=lambda p: p.stem)
def test_course_rubrics_are_valid(path: Path) -> None:
    rubric = load(path)
    assert rubric.exercise == path.stem
    assert rubric.max_score > 0


def test_valid_rubric_loads(tmp_path: Path) -> None:
    rubric = load(write(tmp_path, VALID))
    assert [c.id for c in rubric.checks] == ["a.gradcheck"]
    assert rubric.checks[0].cases == 1 and rubric.checks[0].visibility == "visible"


def test_unknown_key_is_an_error_naming_the_path(tmp_path: Path) -> None:
    found = problems(tmp_path, VALID + "    pionts: 3\n")
    assert found == [
        "checks[0].pionts: unknown key (allowed: cases, hint, id, kind, misconceptions, points, "
        "probe, seed, timeout, title, tolerances, visibility)"
    ]


def test_bad_values_are_all_reported(tmp_path: Path) -> None:
    text = VALID.replace("points: 2", "points: -1").replace("kind: gradcheck", "kind: gradchek")
    text += "tolerances: {rtol: abc}\n"
    found = problems(tmp_path, text)
    assert "checks[0].points: got -1, expected a number >= 0" in found
    assert any(p.startswith("checks[0].kind: got 'gradchek', expected one of gradcheck") for p in found)
    assert "tolerances.rtol: got 'abc', expected a positive number" in found


def test_missing_keys_and_undeclared_misconception(tmp_path: Path) -> None:
    text = VALID.replace("    probe: mlp_backward\n", "    misconceptions: [nope]\n")
    found = problems(tmp_path, text)
    assert "checks[0].probe: missing, expected a probe name" in found
    assert "checks[0].misconceptions: got 'nope', expected an id listed under misconceptions" in found


def test_duplicate_ids_and_kind_specific_keys(tmp_path: Path) -> None:
    check = VALID.split("checks:\n")[1]
    text = VALID + check + "    forbid_imports: [torch]\n"
    found = problems(tmp_path, text)
    assert "checks[1].id: got 'a.gradcheck', expected an id not used by another check" in found
    assert any(p.startswith("checks[1].forbid_imports: unknown key") for p in found)


def test_yaml_syntax_error_names_line(tmp_path: Path) -> None:
    found = problems(tmp_path, "exercise: [unclosed\n")
    assert found[0].startswith("line 2, column 1: not valid YAML")


def test_check_rubric_command(tmp_path: Path) -> None:
    good = write(tmp_path, VALID)
    code, out, err = run_cli(["check-rubric", str(good)])
    assert (code, err) == (0, "")
    assert out == (
        f"{good}: ok (1 check, 2 points)\n"
        "  not checked: mistake variants (no course directory): whether each is used\n"
    )
    bad = tmp_path / "bad.yaml"
    bad.write_text(VALID.replace("points: 2", "points: lots"))
    code, out, err = run_cli(["check-rubric", str(bad)])
    assert code == 2
    assert err == f"invalid rubric {bad}: checks[0].points: got 'lots', expected a number >= 0\n"
