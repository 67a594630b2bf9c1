"""Render a result as one self-contained HTML page (inline CSS and SVG, no scripts, no network).

Jinja2 autoescaping is on for everything, so student-provided text (prints, exception
messages, names) is always shown as text, never interpreted as markup; and every value
a template prints passes through `grader.text.inert`, so no control character reaches
the page (or a terminal that shows its source) whatever a template forgets. Lengths are
bounded where the views are built (`grader.report.view`, `grader.batch.summary`).
"""

from __future__ import annotations

import functools
from datetime import datetime
from pathlib import Path

import jinja2
import markupsafe

from grader.report.heatmap import legend
from grader.report.view import report_view
from grader.result import Result
from grader.text import inert

STATUS_MARKS = {"passed": "✓", "failed": "✗", "error": "!", "timeout": "◷", "skipped": "–", "hidden": "◌"}


def render(result: Result, source: str | None = None, now: datetime | None = None) -> str:
    """The report for `result`; `source` (the submission's text) adds code excerpts to errors."""
    view = report_view(result, source, now or datetime.now().astimezone())
    return _template().render(report=view, legend=legend(), marks=STATUS_MARKS)


def source_of(submission: Path) -> str | None:
    """The text a report quotes in tracebacks: a module's source (a notebook's cells are not quoted)."""
    return submission.read_text(encoding="utf-8", errors="replace") if submission.suffix == ".py" else None


def write(result: Result, path: Path, source: str | None = None) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(result, source), encoding="utf-8")
    return path


@functools.cache
def environment() -> jinja2.Environment:
    """The jinja2 environment of the grader's pages (the batch summary reuses it): autoescaping on."""
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("grader.report"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        finalize=_inert,
    )
    environment.filters["points"] = _points
    return environment


@functools.cache
def _template() -> jinja2.Template:
    """Compiled once per process: a batch renders many reports with it."""
    return environment().get_template("report.html")


def _inert(value: object) -> object:
    """Every printed value: plain text made inert; markup (a macro's output) is the templates' own."""
    return inert(value) if isinstance(value, str) and not isinstance(value, markupsafe.Markup) else value


def _points(x: float) -> str:
    return f"{x:g}" if x == round(x, 2) else f"{x:.2f}"
