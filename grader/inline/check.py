"""`check(name=None, *, exercise=None)`: grade what the running kernel defines now, and show it."""

from __future__ import annotations

import os
from typing import Any

from grader.api import SUBMISSION_TIMEOUTS
from grader.errors import UsageError
from grader.inline import display, fork, judge, kernel, select
from grader.inline.display import Feedback
from grader.settings import resolve

OUTSIDE = "grader.check() grades a running notebook (a Jupyter or IPython kernel); elsewhere run `grade FILE`"
FAILED = "the grader failed on these checks (please tell your TA)"


def check(name: str | None = None, *, exercise: int | str | None = None) -> Feedback | None:
    """Grade the kernel's definitions with the student kit's visible checks and return the feedback
    (shown inline when it is a cell's last expression).

    `name` limits the checks to those about one function ("mlp_backward"); `exercise` (11,
    "exercise11") is else the notebook's, from its file name or the functions it defines. Returns
    None in a notebook the grader is running (`grade x.ipynb`, Gradescope): the starters' last cell
    calls this. Never raises for what the student's code does: that is feedback.
    """
    if kernel.being_graded():
        return None
    ipython = kernel.shell()
    if ipython is None:
        return display.problem(OUTSIDE)
    try:
        state = kernel.state(ipython)
        whole = select.rubric(select.exercise_for(exercise, state.notebook, state.names))
        rubric = select.about(whole, name)
        settings = resolve(cli=None, env=os.environ, rubric=whole.defaults)
    except UsageError as exc:
        return display.problem(str(exc))
    display.prepare()

    def work(settled: Any, announce: judge.Announce) -> dict[str, Any]:
        shown = display.feedback(judge.grade(state, rubric, settings, settled, announce), state.cells, name)
        return {"result": shown.result, "html": shown.html, "text": shown.text}

    try:
        return Feedback(**fork.run(work, SUBMISSION_TIMEOUTS * settings.timeout))
    except fork.ChecksFailed as exc:
        return display.problem(f"{FAILED}: {exc}")
