"""benchmarks/teaching_figures.py: what counts as a named mistake and as a message that explains itself."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _script() -> ModuleType:
    """The script as a module (benchmarks/ is no package); registered, as dataclasses need."""
    path = ROOT / "benchmarks" / "teaching_figures.py"
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


figures = _script()

#: Messages in the grader's formats, with the elements each lacks.
MESSAGES = {
    "an array off at an index, within a tolerance": (
        "dW2 is off: 15 of 15 entries differ; max relative error 5 at [3, 0] (expected 0.0209689, "
        "got 0.125814; tolerance rtol=1e-05, atol=1e-07) [2 of 2 cases failed: case 1, case 2]",
        [],
    ),
    "a wrong shape": (
        "db2 has shape (1, 3), expected (3,): an extra length-1 axis [2 of 2 cases failed: case 1, case 2]",
        ["tolerance"],
    ),
    "a NaN: the cases list is no expected value": (
        "dW2 is NaN at [0, 0] where a finite value was expected [2 of 2 cases failed: case 1, case 2]",
        ["expected", "tolerance"],
    ),
    "one number, which has no index": (
        "dL/dx is off: max relative error 0.25 (expected 8, got 6; tolerance rtol=1e-05, atol=1e-07)",
        ["where"],
    ),
    "a gradient still zero": (
        "a chain 10,000 nodes deep: x.grad is still 0 after backward(): the pass never reached x",
        ["expected", "where", "tolerance"],
    ),
    "a resource over its allowance": (
        "a row of 4096 classes: the call used 383.8 MiB of memory, more than the 13.0 MiB allowed",
        ["expected", "where"],
    ),
    "no value at all": (
        "no points yet: exercise14.py does not define unbroadcast or Tensor",
        list(figures.ELEMENTS),
    ),
}


@pytest.mark.parametrize("label", sorted(MESSAGES))
def test_the_elements_a_message_lacks(label: str) -> None:
    message, missing = MESSAGES[label]
    assert figures.missing_elements(message) == missing


def test_a_mistake_is_known_from_the_grading_matrix() -> None:
    students = figures.STUDENTS / "exercise12"
    known = figures.expected_mistakes([students / "power_missing_n.py", students / "correct.py"])
    assert known == {"exercise12/power_missing_n": {"power-rule-missing-n"}}


def test_a_mistake_is_known_from_a_file_named_after_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(figures, "_matrix_mistakes", lambda exercise: {})  # as if no matrix listed it
    students = figures.STUDENTS / "exercise11"
    known = figures.expected_mistakes([students / "forgot_divide_by_n.py", students / "raises.py"])
    assert known == {"exercise11/forgot_divide_by_n": {"forgot-divide-by-n"}}
