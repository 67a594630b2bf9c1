"""Grade what the running kernel defines now and build the feedback (see `grader.inline.check`)."""

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


def feedback(name: str | None, exercise: int | str | None) -> Feedback:
    """The feedback of the student kit's checks on the kernel's definitions (about `name` only, when
    given), or why there is none; nothing the student's code does raises here."""
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
        return Feedback(**fork.run(work, SUBMISSION_TIMEOUTS * settings.timeout, state.sources))
    except fork.ChecksFailed as exc:
        return display.problem(f"{FAILED}: {exc}")
