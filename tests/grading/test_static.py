"""The static check: no forbidden import, and points only for work of the student's own.

The fast tests judge sources with the real rubrics and probes (no worker: a static check
never runs the submission); the slow ones grade whole files as `grade` does.
"""

from __future__ import annotations

import importlib
import shutil
import textwrap
from pathlib import Path

import pytest

from grader import checks
from grader.api import grade_submission
from grader.checks.base import Context
from grader.checks.static import BY_HAND, NO_POINTS
from grader.result import CheckResult
from grader.rubric import load
from grader.settings import Settings
from grader.submission import read
from tests.grading.student_matrix import STUDENTS

COURSE = Path(__file__).resolve().parents[2]
EXERCISES = [f"exercise{n}" for n in range(11, 19)]
STATIC = "by-hand.static"


def judge_static(exercise: str, source: str) -> tuple[CheckResult, Context]:
    """The static check of `exercise`'s rubric on `source`, with the context grading builds."""
    rubric = load(COURSE / "rubrics" / f"{exercise}.yaml")
    ctx = Context(
        rubric=rubric,
        settings=Settings(),
        filename=f"{exercise}.py",
        probes=importlib.import_module(f"grader.probes.{exercise}"),
        worker=None,  # type: ignore[arg-type]  # a static check never asks the worker
        names=frozenset(),
        source=source,
    )
    (check,) = [c for c in rubric.checks if c.kind == "static"]
    return checks.run(check, ctx), ctx


@pytest.mark.parametrize("suffix", [".py", ".ipynb"])
@pytest.mark.parametrize("exercise", EXERCISES)
def test_an_untouched_starter_earns_no_static_point(exercise: str, suffix: str) -> None:
    source = read(COURSE / "exercises" / f"{exercise}{suffix}").source
    result, _ = judge_static(exercise, source)
    assert (result.status, result.points) == ("failed", 0.0)
    assert result.message is not None
    assert result.message.startswith(f"{NO_POINTS}: ")
    assert result.message.endswith(("is still the starter's stub", "are still the starter's stubs"))


@pytest.mark.parametrize("exercise", EXERCISES)
def test_an_empty_file_earns_no_static_point_and_is_told_what_is_missing(exercise: str) -> None:
    result, _ = judge_static(exercise, "")
    assert (result.status, result.points) == ("failed", 0.0)
    assert (result.message or "").startswith(f"{NO_POINTS}: {exercise}.py does not define ")


@pytest.mark.parametrize("exercise", EXERCISES)
def test_the_reference_earns_the_static_point(exercise: str) -> None:
    result, _ = judge_static(exercise, (COURSE / "reference" / f"{exercise}.py").read_text())
    assert (result.status, result.points) == ("passed", result.max_points)


def test_the_starters_stubs_are_named_in_the_rubrics_order() -> None:
    result, _ = judge_static("exercise11", (COURSE / "exercises" / "exercise11.py").read_text())
    assert result.message == f"{NO_POINTS}: mlp_forward and mlp_backward are still the starter's stubs"


def test_a_file_that_defines_everything_but_imports_torch_fails_for_the_import() -> None:
    result, ctx = judge_static("exercise11", (STUDENTS / "exercise11" / "uses_torch.py").read_text())
    assert (result.status, result.points) == ("failed", 0.0)
    assert result.message == f"exercise11.py imports torch (line 3): {BY_HAND}"
    assert [finding.rule for finding in ctx.integrity] == ["forbidden-import"]


def test_a_stub_that_imports_torch_is_told_about_the_import_first() -> None:
    starter = (COURSE / "exercises" / "exercise15.py").read_text()
    result, _ = judge_static("exercise15", "import torch\n" + starter)
    assert result.message == f"exercise15.py imports torch (line 1): {BY_HAND}"


#: Exercise 13 grades topological_order and backward: each source with what the check says of it.
SHAPES = {
    "bodies that only pass, hold ... or a docstring are stubs": (
        '''
        def topological_order(root):
            """Nodes in order."""

        def backward(root):
            ...
            pass
        ''',
        "topological_order and backward are still the starter's stubs",
    ),
    "a bare NotImplementedError is a stub too": (
        """
        def topological_order(root):
            raise NotImplementedError

        def backward(root):
            raise NotImplementedError("later")
        """,
        "topological_order and backward are still the starter's stubs",
    ),
    "one function of the student's own is enough": (
        """
        def topological_order(root):
            return [root]

        def backward(root):
            raise NotImplementedError
        """,
        None,
    ),
    "a name bound by assignment or import is taken as the student's": (
        """
        from functools import partial as topological_order

        backward = lambda root: None
        """,
        None,
    ),
    "a later definition wins, as a later notebook cell does": (
        """
        def topological_order(root):
            return [root]

        def backward(root):
            return None

        def topological_order(root):
            raise NotImplementedError

        def backward(root):
            pass
        """,
        "topological_order and backward are still the starter's stubs",
    ),
    "definitions under if and try count": (
        """
        try:
            def topological_order(root):
                return [root]
        except Exception:
            pass
        if True:
            def backward(root):
                pass
        """,
        None,
    ),
    "a function defined inside another is not at the top level": (
        """
        def topological_order(root):
            def backward(root):
                return None
            return [root]
        """,
        "exercise13.py does not define backward",
    ),
}


@pytest.mark.parametrize("label", sorted(SHAPES))
def test_what_counts_as_a_stub(label: str) -> None:
    source, why = SHAPES[label]
    result, _ = judge_static("exercise13", textwrap.dedent(source))
    if why is None:
        assert result.status == "passed", result.message
    else:
        assert (result.status, result.message) == ("failed", f"{NO_POINTS}: {why}")


#: Exercise 12 grades the class Value: what makes a class the student's work.
CLASSES = {
    "only the constructor, __repr__ and private helpers: a stub": (
        """
        class Value:
            def __init__(self, data):
                self.data = data
            def __repr__(self):
                return "Value"
            def _coerce(self, other):
                return other
            def __add__(self, other):
                raise NotImplementedError
        """,
        False,
    ),
    "an empty class: a stub": ("class Value:\n    pass\n", False),
    "one operator of its own: the student's work": (
        """
        class Value:
            def __init__(self, data):
                self.data = data
            def __add__(self, other):
                return Value(self.data + other.data)
            def __mul__(self, other):
                raise NotImplementedError
        """,
        True,
    ),
    "a class that inherits its methods: the student's work": (
        """
        class Engine:
            def __add__(self, other):
                return self
        class Value(Engine):
            pass
        """,
        True,
    ),
}


@pytest.mark.parametrize("label", sorted(CLASSES))
def test_what_makes_a_class_the_students_work(label: str) -> None:
    source, started = CLASSES[label]
    result, _ = judge_static("exercise12", textwrap.dedent(source))
    assert result.status == ("passed" if started else "failed"), result.message
    if not started:
        assert result.message == f"{NO_POINTS}: Value is still the starter's stub"


@pytest.mark.slow
def test_an_empty_exercise14_scores_nothing(tmp_path: Path) -> None:
    target = tmp_path / "exercise14.py"
    shutil.copy(STUDENTS / "exercise14" / "empty.py", target)
    result = grade_submission(target, course_dir=COURSE, env={})
    assert result.score == 0, [(c.id, c.points) for c in result.checks]
    (static,) = [c for c in result.checks if c.id == STATIC]
    assert static.message == f"{NO_POINTS}: exercise14.py does not define unbroadcast or Tensor"


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".py", ".ipynb"])
def test_an_untouched_starter_scores_nothing(suffix: str, tmp_path: Path) -> None:
    target = tmp_path / f"exercise14{suffix}"
    shutil.copy(COURSE / "exercises" / target.name, target)
    result = grade_submission(target, course_dir=COURSE, env={})
    assert result.status == "graded"
    assert result.score == 0, [(c.id, c.points) for c in result.checks]


@pytest.mark.slow
def test_the_graded_reference_keeps_its_static_point(tmp_path: Path) -> None:
    target = tmp_path / "exercise14.py"
    shutil.copy(COURSE / "reference" / "exercise14.py", target)
    result = grade_submission(target, course_dir=COURSE, env={})
    (static,) = [c for c in result.checks if c.id == STATIC]
    assert (static.status, static.points) == ("passed", static.max_points)
