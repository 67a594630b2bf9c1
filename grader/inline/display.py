"""The feedback a check shows in the notebook: an HTML fragment, and plain text for other frontends.

The fragment is the report's content (`grader.report.view`, its array, graph and code macros)
laid out compactly: the score, each failing check with its message, named mistake, hint,
heatmap or graph and the student's own lines, then the passing checks in one line and the ones
that run on the course autograder. It is made to sit inside someone else's page: everything is
under one `.grader-check` element, every style rule starts with that class (a bare rule would
restyle JupyterLab itself), and there are no scripts and no external resources (untrusted
notebooks strip them). Element ids (the graph's arrow heads) are unique per fragment.
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

CSS = """
.grader-check { --passed: #1a7f37; --failed: #cf222e; --skipped: #6e7781; --line: #d0d7de;
  --paper: #f6f8fa; --mistake: #8250df; --mono: ui-monospace, SFMono-Regular, Menlo, monospace;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1f2328; background: #fff;
  border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; max-width: 980px; }
.grader-check p, .grader-check li, .grader-check div { font-size: 14px; }
.grader-check .gc-head { display: flex; gap: 12px; align-items: baseline; flex-wrap: wrap; }
.grader-check .gc-score { font-size: 20px; font-weight: 700; }
.grader-check .gc-score.tone-good { color: var(--passed); }
.grader-check .gc-score.tone-fair { color: #9a6700; }
.grader-check .gc-score.tone-poor { color: var(--failed); }
.grader-check .gc-muted, .grader-check .gc-note { color: var(--skipped); font-size: 13px; }
.grader-check .gc-check { border-top: 1px solid var(--line); margin-top: 8px; padding-top: 6px; }
.grader-check .gc-check h4 { margin: 0; font-size: 14px; }
.grader-check .gc-mark { display: inline-block; width: 1.4em; font-weight: 700; }
.grader-check .s-failed .gc-mark, .grader-check .s-error .gc-mark { color: var(--failed); }
.grader-check .s-timeout .gc-mark { color: #9a6700; }
.grader-check .gc-pts { float: right; color: var(--skipped); font-variant-numeric: tabular-nums; }
.grader-check .gc-message { margin: 4px 0; }
.grader-check .gc-advice { border-left: 3px solid var(--line); padding: 2px 8px; margin: 4px 0; }
.grader-check .gc-advice.gc-mistake { border-left-color: var(--mistake); }
.grader-check .gc-label { font-weight: 600; margin-right: 6px; }
.grader-check ul { margin: 4px 0; padding-left: 20px; }
.grader-check code { font-family: var(--mono); font-size: 12.5px; background: var(--paper); padding: 0 3px;
  border-radius: 4px; }
.grader-check h3 { font-size: 13px; margin: 8px 0 4px; }
.grader-check .evidence { display: flex; flex-wrap: wrap; gap: 10px 24px; align-items: flex-start; }
.grader-check figure { margin: 0; }
.grader-check figcaption { font-size: 12px; color: var(--skipped); }
.grader-check .scroll { overflow-x: auto; max-width: 100%; }
.grader-check .grid { border-collapse: collapse; font-family: var(--mono); font-size: 12px; }
.grader-check .grid td, .grader-check .grid th { border: 1px solid var(--line); padding: 1px 5px;
  text-align: right; }
.grader-check .grid th { color: var(--skipped); font-weight: 400; background: var(--paper); }
.grader-check .grid td.off { background: #ffebe9; color: var(--failed); font-weight: 700; }
.grader-check .legend { display: flex; flex-wrap: wrap; gap: 2px 10px; font-size: 11px; color: var(--skipped);
  margin: 4px 0 0; padding: 0; list-style: none; max-width: 340px; }
.grader-check .legend li::before { content: ""; display: inline-block; width: 10px; height: 10px;
  margin-right: 4px; vertical-align: -1px; background: var(--c); }
.grader-check .heat { max-width: 100%; height: auto; }
.grader-check .heat text { font-size: 10px; fill: var(--skipped); }
.grader-check .heat .axis { font-size: 11px; font-weight: 600; }
.grader-check .heat rect { stroke: #fff; stroke-width: 1; }
.grader-check .graph-key .key { margin-right: 10px; font-size: 12px; }
.grader-check .graph-box { overflow-x: auto; }
.grader-check .graph-box.tall { display: none; }
.grader-check .graph text { font-family: var(--mono); font-size: 11px; fill: #1f2328; }
.grader-check .graph .label { font-weight: 700; }
.grader-check .graph .got { fill: var(--failed); }
.grader-check .graph .edge { fill: none; stroke: #8c959f; stroke-width: 1.5; }
.grader-check .graph .edge.reused { stroke: var(--mistake); stroke-width: 2; }
.grader-check .graph .node rect { fill: #fff; stroke: var(--passed); stroke-width: 1.5; }
.grader-check .graph .node.first rect { fill: #ffebe9; stroke: var(--failed); stroke-width: 3.5; }
.grader-check .graph .node.knock-on { opacity: .55; }
.grader-check .graph .node.knock-on rect { stroke: var(--failed); stroke-dasharray: 5 4; }
.grader-check .graph .node.missing rect { stroke: var(--skipped); stroke-dasharray: 2 3; }
.grader-check .code { background: var(--paper); border: 1px solid var(--line); border-radius: 6px;
  margin: 4px 0 8px; overflow-x: auto; }
.grader-check .code .where { font-size: 12px; padding: 2px 8px; border-bottom: 1px solid var(--line);
  color: var(--skipped); }
.grader-check .code ol { list-style: none; margin: 0; padding: 2px 0; }
.grader-check .code li { font-family: var(--mono); font-size: 12.5px; white-space: pre; padding: 0 8px; }
.grader-check .code li .n { display: inline-block; min-width: 3ch; text-align: right; color: var(--skipped);
  margin-right: 10px; }
.grader-check .code li.offending { background: #ffebe9; box-shadow: inset 3px 0 0 var(--failed); }
.grader-check pre { font-family: var(--mono); font-size: 12px; background: var(--paper); padding: 4px 8px;
  margin: 4px 0; white-space: pre-wrap; }
"""

TEMPLATE = """{% import "parts.html" as parts with context %}
<div class="grader-check">
<style>{{ css }}</style>
<div class="gc-head">
  <span class="gc-score tone-{{ report.tone }}">
    {{- report.score | points }} / {{ report.max_score | points -}}
  </span>
  <strong>{{ report.title or report.exercise }}</strong>
  <span class="gc-muted">{{ report.submission }}
    {%- if about %} · the checks about <code>{{ about }}</code>{% endif %}
    {% for status, count in report.counts.items() %} · {{ marks[status] }} {{ count }} {{ status }}
    {%- endfor %}
  </span>
</div>
{% for check in report.sections %}
<div class="gc-check s-{{ check.status }}">
  <h4><span class="gc-mark">{{ marks[check.status] }}</span>{{ check.title }}
    <span class="gc-pts">{{ check.points | points }} / {{ check.max_points | points }}</span></h4>
  {% if check.message %}<p class="gc-message">{{ check.message | inline }}</p>{% endif %}
  {% if check.others %}
  <ul>{% for other in check.others %}<li>{{ other | inline }}</li>{% endfor %}</ul>
  {% endif %}
  {% if check.misconception %}
  <div class="gc-advice gc-mistake">
    <span class="gc-label">Recognised mistake: {{ check.misconception }}</span>
    {% if check.hint and not check.mistake_in %}{{ check.hint | inline }}{% endif %}
  </div>
  {% elif check.hint %}
  <div class="gc-advice"><span class="gc-label">Hint</span>{{ check.hint | inline }}</div>
  {% endif %}
  {% if check.array %}{{ parts.array(check.array, check.case) }}{% endif %}
  {% if check.graph %}{{ parts.graph(check.graph, key ~ "-" ~ loop.index) }}{% endif %}
  {% for frame in check.frames %}
  {{ parts.code(frame.lines, frame.file ~ ", line " ~ frame.line ~ ", in " ~ frame.function) }}
  {% endfor %}
  {% if check.code and not check.code_in and not check.frames %}
  {{ parts.code(check.code.lines, check.code.file, check.code.more) }}
  {% endif %}
</div>
{% endfor %}
{% for status, label in (("passed", "passed"), ("skipped", "runs on the course autograder")) %}
{% set listed = report.checks | selectattr("status", "equalto", status) | map(attribute="title") | list %}
{% if listed %}<p class="gc-note">{{ marks[status] }} {{ label }}: {{ listed | join(" · ") }}</p>{% endif %}
{% endfor %}
{% if report.stdout %}
<p class="gc-note">What your code printed during the checks:</p><pre>{{ report.stdout }}</pre>
{% endif %}
</div>
"""


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
    html = _template().render(
        report=view, marks=STATUS_MARKS, css=CSS, about=about, key=f"{ROOT}-{next(_fragments)}"
    )
    return Feedback(result.to_json(), html, terminal.summary(result))


def problem(message: str) -> Feedback:
    """Feedback when nothing could be graded (which exercise is unknown, the grader failed)."""
    html = _template_problem().render(css=CSS, message=message)
    return Feedback(None, html, f"grader.check: {message}", message)


def prepare() -> None:
    """Compile the templates in the kernel, so that every forked check starts with them."""
    _template()
    _template_problem()


@functools.cache
def _template() -> jinja2.Template:
    return environment().from_string(TEMPLATE)


@functools.cache
def _template_problem() -> jinja2.Template:
    return environment().from_string(
        '<div class="grader-check"><style>{{ css }}</style><p>{{ message | inline }}</p></div>'
    )
