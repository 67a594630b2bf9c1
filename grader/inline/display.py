"""The feedback a check shows in the notebook: an HTML fragment, and plain text for other frontends.

The fragment is the report's content (`grader.report.view`, its array, graph and code macros)
laid out compactly: the score, each failing check with its message, named mistake, hint,
heatmap or graph and the student's own lines, then the passing checks in one line and the ones
that run on the course autograder. It is made to sit inside someone else's page: everything is
under one `.grader-check` element, every style rule starts with that class (a bare rule would
restyle JupyterLab itself), and there are no scripts and no external resources (untrusted
notebooks strip them). Element ids (the graph's arrow heads) are unique per fragment. The
templates and their stylesheet are the report's (`templates/inline.html`, `inline.css`).
"""

from __future__ import annotations

import functools
import itertools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import jinja2

from grader import terminal
from grader.report.page import STATUS_MARKS, environment
from grader.report.view import report_view
from grader.result import Result

#: The class of the fragment's root; every style rule starts with it.
ROOT = "grader-check"
_fragments = itertools.count(1)


@dataclass(frozen=True)
class Feedback:
    """What `grader.check()` returns: shown inline as HTML, as plain text elsewhere.

    `result` is the result JSON (SPEC §4) of the visible checks, or None when nothing could be
    graded; `problem` then says why.
    """

    result: dict[str, Any] | None
    html: str
    text: str
    problem: str | None = None

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return self.text

    @property
    def verdicts(self) -> dict[str, str]:
        """Each check's status by id (empty when nothing was graded)."""
        return {check["id"]: check["status"] for check in (self.result or {}).get("checks", [])}


def feedback(result: Result, cells: dict[str, str], about: str | None = None) -> Feedback:
    """The feedback of `result`; `cells` is the kernel's code by cell name, to quote the student's lines."""
    view = report_view(result, cells, datetime.now().astimezone())
    html = _template().render(report=view, marks=STATUS_MARKS, about=about, key=f"{ROOT}-{next(_fragments)}")
    return Feedback(result.to_json(), html, terminal.summary(result))


def problem(message: str) -> Feedback:
    """Feedback when nothing could be graded (which exercise is unknown, the grader failed)."""
    html = _template_problem().render(message=message)
    return Feedback(None, html, f"grader.check: {message}", message)


def prepare() -> None:
    """Compile the templates in the kernel, so that every forked check starts with them."""
    _template()
    _template_problem()


@functools.cache
def _template() -> jinja2.Template:
    return environment().get_template("inline.html")


@functools.cache
def _template_problem() -> jinja2.Template:
    return environment().get_template("inline-problem.html")
