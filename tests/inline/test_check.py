"""`grader.check()` and `%grade` in an IPython shell of this process: choosing the exercise and the
checks, the fragment shown inline, and a notebook being graded."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell

import grader
from grader.inline.display import ROOT, Feedback
from grader.notebook import kernel_boot

STUDENTS = Path(__file__).resolve().parents[1] / "students"


@pytest.fixture(scope="module")
def process_shell() -> Iterator[InteractiveShell]:
    """An IPython shell in this process, for this module only: it puts its own module in
    sys.modules["__main__"] (one without __spec__, which later `spawn` pools cannot start from)
    and its hooks in sys, so all of that is put back when the module's tests are done."""
    saved = sys.modules["__main__"], sys.displayhook, sys.excepthook
    ipython = InteractiveShell.instance()
    yield ipython
    InteractiveShell.clear_instance()
    sys.modules["__main__"], sys.displayhook, sys.excepthook = saved


@pytest.fixture
def shell(process_shell: InteractiveShell) -> Iterator[InteractiveShell]:
    """The module's IPython shell, emptied (`%reset`) before and after each test."""
    run(process_shell, "%reset -f")
    yield process_shell
    run(process_shell, "%reset -f")


def run(ipython: InteractiveShell, code: str) -> None:
    ipython.run_cell(code, store_history=True).raise_error()


def define(ipython: InteractiveShell, student: str) -> None:
    run(ipython, (STUDENTS / f"{student}.py").read_text())


def checked(ipython: InteractiveShell, call: str) -> Feedback:
    run(ipython, f"import grader\nfeedback = {call}")
    feedback: Feedback = ipython.user_ns["feedback"]
    return feedback


def test_a_failing_check_shows_its_mistake_heatmap_and_the_students_lines(shell: InteractiveShell) -> None:
    define(shell, "exercise11/forgot_divide_by_n")
    feedback = checked(shell, "grader.check(exercise=11)")
    assert feedback.verdicts["mlp_backward.gradcheck"] == "failed"
    assert feedback.verdicts["mlp_backward.reference"] == "skipped"  # hidden: on the course autograder
    html = feedback._repr_html_()
    assert "forgot-divide-by-n" in repr(feedback) and "score" in repr(feedback)
    assert "Recognised mistake: Forgot to divide by N" in html
    assert "yours ÷ expected" in html and 'class="grid"' in html, "the arrays are compared"
    assert "def mlp_backward" in html, "the student's own function is quoted"
    assert "runs on the course autograder" in html


def test_the_fragment_styles_only_itself_and_runs_nothing(shell: InteractiveShell) -> None:
    define(shell, "exercise13/forward_order")
    html = checked(shell, "grader.check(exercise=13)")._repr_html_()
    assert html.lstrip().startswith(f'<div class="{ROOT}">')
    for banned in ("<script", "javascript:", "http://", "https://", "@import", "url(http", " src="):
        assert banned not in html.lower()
    styles = re.findall(r"<style>(.*?)</style>", html, re.S)
    assert len(styles) == 1
    rules = re.findall(r"([^{}]+)\{[^{}]*\}", styles[0])
    assert rules
    for rule in rules:
        for selector in rule.split(","):
            assert selector.strip().startswith(f".{ROOT}"), f"unscoped selector {selector.strip()!r}"


def test_the_exercise_comes_from_the_notebook_name_else_from_the_names(shell: InteractiveShell) -> None:
    define(shell, "exercise11/correct")
    assert checked(shell, "grader.check()").result["exercise"] == "exercise11"
    run(shell, "__session__ = '/home/ada/work/exercise15.ipynb'")
    feedback = checked(shell, "grader.check()")
    assert feedback.result["exercise"] == "exercise15"
    assert feedback.result["submission"] == "exercise15.ipynb"
    assert feedback.verdicts["softmax_backward.gradcheck"] == "error"  # the notebook does not define it


def test_one_functions_checks(shell: InteractiveShell) -> None:
    define(shell, "exercise11/forgot_divide_by_n")
    feedback = checked(shell, "grader.check('mlp_backward')")
    assert feedback.verdicts == {"mlp_backward.gradcheck": "failed", "mlp_backward.reference": "skipped"}
    unknown = checked(shell, "grader.check('mlp_sideways')")
    assert unknown.result is None and "mlp_backward" in (unknown.problem or "")


def test_what_cannot_be_graded_is_said_not_raised(shell: InteractiveShell) -> None:
    nothing = checked(shell, "grader.check()")
    assert nothing.result is None and "exercise=11" in (nothing.problem or "")
    unknown = checked(shell, "grader.check(exercise=99)")
    assert unknown.result is None and "99" in repr(unknown)


def test_the_magic_grades_like_the_call(shell: InteractiveShell) -> None:
    define(shell, "exercise11/no_relu_mask")
    run(shell, "%load_ext grader")
    run(shell, "magic = %grade 11 mlp_backward")
    call = checked(shell, "grader.check('mlp_backward', exercise=11)")
    assert shell.user_ns["magic"].verdicts == call.verdicts
    assert call.verdicts["mlp_backward.gradcheck"] == "failed"


def test_a_notebook_being_graded_returns_none(
    shell: InteractiveShell, monkeypatch: pytest.MonkeyPatch
) -> None:
    define(shell, "exercise11/correct")
    monkeypatch.setitem(kernel_boot.channel, "request_fd", 3)
    assert grader.check() is None


def test_without_fork_the_checks_run_in_the_kernel_with_a_warning(
    shell: InteractiveShell, monkeypatch: pytest.MonkeyPatch
) -> None:
    define(shell, "exercise11/transposed_dw")
    forked = checked(shell, "grader.check(exercise=11)").verdicts
    monkeypatch.delattr("os.fork")
    with pytest.warns(RuntimeWarning, match="cannot fork"):
        assert grader.check(exercise=11).verdicts == forked  # type: ignore[union-attr]
