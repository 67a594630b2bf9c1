"""A check's failing cases are grouped by cause: each distinct failure is explained once."""

from grader.checks.base import CaseFailure, distinct
from grader.probes.base import Case


def case(label: str) -> Case:
    return Case(label, {})


def test_cases_that_differ_only_in_numbers_are_one_failure() -> None:
    failures = [
        (case("case 1"), CaseFailure("failed", "dW2 is off: max error 5 at [0, 2] (expected 0.1)")),
        (case("case 2"), CaseFailure("failed", "dW2 is off: max error 4.5 at [1, 0] (expected -2e-5)")),
    ]
    assert [(f.cases, f.message) for f in distinct(failures)] == [
        (["case 1", "case 2"], failures[0][1].message)
    ]


def test_a_named_case_is_grouped_without_its_name_and_names_are_not_numbers() -> None:
    failures = [
        (case("tanh"), CaseFailure("error", "tanh: TypeError (line 12): None is not a Value")),
        (case("exp"), CaseFailure("error", "exp: TypeError (line 30): None is not a Value")),
        (case("log"), CaseFailure("failed", "log: dL/db1 is off")),
        (case("relu"), CaseFailure("failed", "relu: dL/db2 is off")),
    ]
    assert [f.cases for f in distinct(failures)] == [["tanh", "exp"], ["log"], ["relu"]]


def test_the_same_misconception_is_one_failure_and_a_different_status_another() -> None:
    failures = [
        (case("case 1"), CaseFailure("failed", "dW2 is off", "forgot-divide-by-n")),
        (case("case 2"), CaseFailure("failed", "db2 is off", "forgot-divide-by-n")),
        (case("case 3"), CaseFailure("timeout", "did not finish within 10 s (an infinite loop?)")),
    ]
    grouped = distinct(failures)
    assert [(f.cases, f.misconception) for f in grouped] == [
        (["case 1", "case 2"], "forgot-divide-by-n"),
        (["case 3"], None),
    ]
    assert grouped[0].message == "dW2 is off"
