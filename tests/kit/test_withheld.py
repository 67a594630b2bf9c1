"""A student kit's non-visible check is withheld: listed by title and points, skipped when grading."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from grader.errors import RubricError
from grader.rubric import load
from tests.cli_helpers import run_cli

COURSE = Path(__file__).resolve().parents[2]
KIT = COURSE / "grader" / "kit"

RUBRIC = """\
exercise: exercise13
title: Order
checks:
  - id: order.valid
    title: Valid
    kind: property
    probe: topological_order
    points: 2
  - id: order.random
    title: Valid on random graphs
    kind: property
    points: 1
    visibility: hidden
  - id: imports.static
    title: By hand
    kind: static
    points: 1
    visibility: after_published
"""


def test_a_course_rubric_may_not_leave_out_a_hidden_checks_probe(tmp_path: Path) -> None:
    path = tmp_path / "exercise13.yaml"
    path.write_text(RUBRIC)
    with pytest.raises(RubricError) as caught:
        load(path)
    assert caught.value.problems == [
        "checks[1].probe: missing, expected a probe name",
        "checks[2].forbid_imports: missing, expected a list of module names",
    ]


def test_a_kit_rubric_lists_its_hidden_checks_as_withheld(tmp_path: Path) -> None:
    path = tmp_path / "exercise13.yaml"
    path.write_text(RUBRIC.replace("checks:\n", "student_kit: true\nchecks:\n", 1))
    rubric = load(path)
    assert [(check.id, check.withheld) for check in rubric.checks] == [
        ("order.valid", False),
        ("order.random", True),
        ("imports.static", True),
    ]
    assert rubric.max_score == 4


def test_a_kit_rubric_still_needs_the_probe_of_a_visible_check(tmp_path: Path) -> None:
    path = tmp_path / "exercise13.yaml"
    kit = RUBRIC.replace("checks:\n", "student_kit: true\nchecks:\n", 1)
    path.write_text(kit.replace("    probe: topological_order\n", ""))
    with pytest.raises(RubricError) as caught:
        load(path)
    assert caught.value.problems == ["checks[0].probe: missing, expected a probe name"]


def test_the_kit_flag_is_true_or_false(tmp_path: Path) -> None:
    path = tmp_path / "exercise13.yaml"
    path.write_text(RUBRIC.replace("checks:\n", "student_kit: yes please\nchecks:\n", 1))
    with pytest.raises(RubricError) as caught:
        load(path)
    assert caught.value.problems[0] == "student_kit: got 'yes please', expected true or false"


@pytest.mark.slow
def test_withheld_checks_are_skipped_even_where_the_reference_is(tmp_path: Path) -> None:
    """The property check that would run without the reference (exercise 13's random graphs) is
    skipped like the others: the kit has no inputs for it."""
    target = tmp_path / "exercise13.py"
    shutil.copy(COURSE / "tests" / "students" / "exercise13" / "correct.py", target)
    code, out, _ = run_cli([str(target), "--rubric", str(KIT / "rubrics" / "exercise13.yaml"),
                            "--no-html", "--json", "-"])  # fmt: skip
    result = json.loads(out)
    statuses = {check["id"]: check["status"] for check in result["checks"]}
    assert statuses.pop("topological_order.random") == "skipped"
    assert set(statuses.values()) == {"passed"}
    assert (code, result["score"], result["max_score"]) == (0, 9.0, 10.0)
