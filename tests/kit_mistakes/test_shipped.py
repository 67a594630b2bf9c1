"""What the truth files ship to name mistakes: data about public cases of visible checks, nothing else.

Each file is read as the kit reads it. Its checks are visible checks of the rubric, its cases are
their public cases (by their inputs' fingerprint), and a case's mistakes are outcomes (arrays, or
an exception's type and message) of mistakes its check lists and for which no relation is declared.
No hidden check's id, case fingerprint or seed appears anywhere in the file.
"""

from __future__ import annotations

import importlib
from typing import Any

import pytest

from grader import course, relations
from grader.probes.base import Case
from grader.rubric import Check, Rubric, load
from grader.truth import MISTAKES, Raised, data_path, digest, outcome_of, read
from tests.kit_mistakes.conftest import COURSE

EXERCISES = [path.stem for path in sorted((COURSE / "rubrics").glob("exercise*.yaml"))]


def rubric_of(exercise: str) -> Rubric:
    return load(COURSE / "rubrics" / f"{exercise}.yaml")


def cases(exercise: str, check: Check) -> list[Case]:
    probe = getattr(importlib.import_module(f"grader.probes.{exercise}"), check.probe or "")
    return probe.cases(check.seed, check.cases)


def arrays_only(value: Any) -> bool:
    """Plain numbers all the way down: no text that could carry code."""
    if isinstance(value, dict):
        return all(arrays_only(item) for item in value.values())
    if isinstance(value, list):
        return all(arrays_only(item) for item in value)
    return value is None or isinstance(value, bool | int | float) or type(value).__name__ == "ndarray"


@pytest.mark.parametrize("exercise", EXERCISES)
def test_the_truth_file_holds_public_cases_of_visible_checks_only(exercise: str) -> None:
    rubric = rubric_of(exercise)
    shipped = read(data_path(rubric.path))["checks"]
    by_id = {check.id: check for check in rubric.checks}
    for check_id, entries in shipped.items():
        check = by_id[check_id]
        assert check.visibility == "visible", check_id
        public = {case.label: digest(case.inputs) for case in cases(exercise, check)}
        assert {label: entry["inputs"] for label, entry in entries.items()} == public


@pytest.mark.parametrize("exercise", EXERCISES)
def test_nothing_of_a_hidden_check_appears_in_the_truth_file(exercise: str) -> None:
    text = data_path(rubric_of(exercise).path).read_text(encoding="utf-8")
    hidden = [check for check in rubric_of(exercise).checks if check.visibility != "visible"]
    for check in hidden:
        assert f'"{check.id}"' not in text
        for case in cases(exercise, check) if check.probe else []:
            assert digest(case.inputs) not in text, f"{check.id}, {case.label}"
    assert "seed" not in text


@pytest.mark.parametrize("exercise", EXERCISES)
def test_a_cases_mistakes_are_outcomes_of_the_mistakes_its_check_lists_that_no_relation_gives(
    exercise: str,
) -> None:
    rubric = rubric_of(exercise)
    shipped = read(data_path(rubric.path))["checks"]
    for check in rubric.checks:
        for label, entry in shipped.get(check.id, {}).items():
            if check.kind != "gradcheck":
                assert MISTAKES not in entry, f"{check.id}, {label}"
                continue
            related = {m for m in check.misconceptions if relations.declared(exercise, check.probe, m)}
            assert set(entry[MISTAKES]) == set(check.misconceptions) - related, f"{check.id}, {label}"
            for ident, known in entry[MISTAKES].items():
                if "raises" in known:
                    assert set(known) == {"raises"} and set(known["raises"]) == {"type", "message"}
                else:
                    assert set(known) == {"returns"} and arrays_only(known["returns"]), f"{ident}, {label}"


@pytest.mark.parametrize("exercise", EXERCISES)
def test_gradient_checks_are_the_only_visible_checks_the_kit_judges_whose_variants_can_name_a_mistake(
    exercise: str,
) -> None:
    """Elsewhere a variant names a mistake only by raising what the submission raised (a property, a
    resource without the reference, names what it observes): no variant raises on a public case of
    one, so shipping the gradient checks' mistakes misses nothing the course would name."""
    reference = course.load_reference(COURSE, exercise)
    assert reference is not None
    variants = course.Variants(COURSE, exercise, reference)
    probes = importlib.import_module(f"grader.probes.{exercise}")
    for check in rubric_of(exercise).checks:
        if check.visibility != "visible" or check.kind not in ("property", "resource"):
            continue
        probe = getattr(probes, check.probe or "")
        for case in probe.cases(check.seed, check.cases):
            for ident in check.misconceptions:
                if ident in variants:
                    found = outcome_of(variants[ident], probe, case.inputs)
                    assert not isinstance(found, Raised), f"{check.id}, {case.label}, {ident}: {found}"
