"""Render a result as one self-contained HTML page (inline CSS and SVG, no scripts, no network).

Jinja2 autoescaping is on for everything, so student-provided text (prints, exception
messages, names) is always shown as text, never interpreted as markup; and every value
a template prints passes through `grader.text.inert`, so no control character reaches
the page (or a terminal that shows its source) whatever a template forgets. Lengths are
bounded where the views are built (`grader.report.view`, `grader.batch.summary`).
Messages and hints mark code with backticks; the `inline` filter shows it as code.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import jinja2
import markupsafe

from grader.report.source import sources_of
from grader.report.view import report_view
from grader.result import Result
from grader.text import inert

#: A span between backticks, as messages and hints mark code: `dz2 / N`.
CODE_SPAN = re.compile(r"`([^`\n]+)`")

STATUS_MARKS = {"passed": "✓", "failed": "✗", "error": "!", "timeout": "◷", "skipped": "–", "hidden": "◌"}


def render(result: Result, sources: Mapping[str, str] | None = None, now: datetime | None = None) -> str:
    """The report for `result`; `sources` (the submission's code by file name, `sources_of`) adds
    the student's own lines to failures."""
    view = report_view(result, sources or {}, now or datetime.now().astimezone())
    return _template().render(report=view, marks=STATUS_MARKS)


def write(result: Result, path: Path, submission: Path | None = None) -> Path:
    """The report of `result` at `path`, quoting the code of `submission` when given."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(result, sources_of(submission) if submission else None), encoding="utf-8")
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
    environment.filters["inline"] = inline
    return environment


@functools.cache
def _template() -> jinja2.Template:
    """Compiled once per process: a batch renders many reports with it."""
    return environment().get_template("report.html")


def _inert(value: object) -> object:
    """Every printed value: plain text made inert; markup (a macro's output) is the templates' own."""
    return inert(value) if isinstance(value, str) and not isinstance(value, markupsafe.Markup) else value


def inline(text: str) -> markupsafe.Markup:
    """`text` escaped and made inert, its backtick spans shown as code."""
    parts = CODE_SPAN.split(inert(text))  # code spans at the odd places
    shown = (
        markupsafe.Markup("<code>{}</code>").format(p) if k % 2 else markupsafe.escape(p)
        for k, p in enumerate(parts)
    )
    return markupsafe.Markup("").join(shown)


def _points(x: float) -> str:
    return f"{x:g}" if x == round(x, 2) else f"{x:.2f}"
