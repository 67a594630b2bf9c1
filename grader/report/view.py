"""What the report shows, decided in Python; the template only lays it out.

Hidden checks are reduced here to title, status and points, so no template change can
leak their messages, inputs or expected values. Student text is bounded here too, as
every output bounds it (`grader.text`): the file name and messages on one line, what
the submission printed up to `PRINTED_CHARS`, quoted source lines in `grader.report.source`.

A mistake recognised by several checks is explained once, in the first check's section;
the others point there. So is the student's own function: quoted in full beside the first
failing check about it, and referred to after that.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from grader import visibility
from grader.report import source as source_lines
from grader.report.arrays import DEFAULT, ArrayView, array_view
from grader.report.graph import GraphView, graph_view
from grader.result import CheckResult, Finding, Result
from grader.settings import Settings
from grader.text import PRINTED_CHARS, bounded, message_line, name_line

#: Score fractions from which the gauge turns amber, then green.
FAIR, GOOD = 0.5, 0.9
#: Hex digits of the file's sha256 shown (the full hash is in the JSON and the element's title).
SHORT_HASH = 12


@dataclass(frozen=True)
class Reference:
    """An earlier section of the report that already shows something: its anchor and title."""

    anchor: str
    title: str


@dataclass(frozen=True)
class CheckView:
    anchor: str
    title: str
    status: str
    points: float
    max_points: float
    #: Withheld before release: only the title, the maximum points and `pending` show.
    withheld: bool
    #: When a withheld check's result is released, or why a hidden check was skipped.
    pending: str | None = None
    message: str | None = None
    #: Each distinct failure after the first, one line each.
    others: list[str] = field(default_factory=list)
    misconception: str | None = None
    hint: str | None = None
    case: str | None = None
    array: ArrayView | None = None
    graph: GraphView | None = None
    frames: list[source_lines.Frame] = field(default_factory=list)
    #: The student's function this check is about, quoted when no traceback shows their code.
    code: source_lines.Function | None = None
    #: The earlier section that explains the same mistake, or quotes the same function, if any.
    mistake_in: Reference | None = None
    code_in: Reference | None = None

    @property
    def state(self) -> str:
        """The status to show: a withheld check shows only as hidden."""
        return "hidden" if self.withheld else self.status

    @property
    def explained(self) -> bool:
        """Whether the check gets a section of its own below the overview (skips say why in one line)."""
        return self.status not in ("passed", "skipped") and not self.withheld


@dataclass(frozen=True)
class ReportView:
    submission: str
    exercise: str
    title: str
    sha256: str
    graded_at: str
    duration_s: float
    #: The points shown (a withheld check's are not), and those still to be released.
    score: float
    max_score: float
    pending_points: float
    #: Which file of the folder was graded and why, when the folder held both forms.
    file_choice: str | None
    #: Why nothing could be run (syntax error, ...), with the offending lines when known.
    problem: str | None
    problem_lines: list[source_lines.Line]
    checks: list[CheckView]
    counts: dict[str, int]
    stdout: str
    #: Whether hidden checks ran, so that only what was printed before them is kept.
    stdout_cut: bool
    integrity: list[Finding]
    defences: list[str]

    @property
    def sections(self) -> list[CheckView]:
        """Checks explained below the overview; none when nothing ran (the problem says why)."""
        return [] if self.problem else [check for check in self.checks if check.explained]

    @property
    def short_hash(self) -> str:
        return self.sha256[:SHORT_HASH]

    @property
    def fraction(self) -> float:
        return self.score / self.max_score if self.max_score else 0.0

    @property
    def tone(self) -> str:
        return "good" if self.fraction >= GOOD else "fair" if self.fraction >= FAIR else "poor"


@dataclass(frozen=True)
class ChangedCheck:
    """A check whose points a TA changed: the grader's points, the TA's, and the TA's comment."""

    title: str
    graded: float
    points: float
    max_points: float
    comment: str | None


@dataclass(frozen=True)
class OverrideView:
    """What a TA changed in a graded report (`grader.batch.overrides`), shown as the TA's."""

    #: The score that counts (the TA's), and the one the checks gave.
    score: float
    graded: float
    max_score: float
    #: The TA's comment on the whole exercise.
    comment: str | None
    checks: list[ChangedCheck]


def override_view(result: Mapping[str, Any], override: Mapping[str, Any]) -> OverrideView:
    """The TA's override of `result` (a result JSON), for the student's report; the TA's comments
    are bounded as any message is."""
    points, comments = override["points"], override.get("comment") or {}
    changed = [
        ChangedCheck(
            check["title"],
            float(check["points"]),
            float(points[check["id"]]),
            float(check["max_points"]),
            message_line(comments[check["id"]]) if comments.get(check["id"]) else None,
        )
        for check in result.get("checks") or []
        if check["id"] in points
    ]
    total = comments.get("total")
    return OverrideView(
        score=float(override["score"]),
        graded=float(result["score"]),
        max_score=float(result["max_score"]),
        comment=message_line(total) if total else None,
        checks=changed,
    )


def report_view(result: Result, sources: source_lines.Sources, now: datetime) -> ReportView:
    """Everything the template needs; `sources` is the submission's code, for excerpts."""
    checks = _referenced([check_view(result, check, sources) for check in result.checks])
    counts: dict[str, int] = {}
    for check in checks:
        counts[check.state] = counts.get(check.state, 0) + 1
    return ReportView(
        submission=name_line(result.submission),
        exercise=result.exercise,
        title=result.title,
        sha256=result.sha256,
        graded_at=now.strftime("%Y-%m-%d %H:%M"),
        duration_s=result.duration_s,
        score=visibility.shown_score(result),
        max_score=result.max_score,
        pending_points=visibility.pending_points(result),
        file_choice=message_line(result.file_choice) if result.file_choice else None,
        problem=message_line(result.message) if result.status == "error" else None,
        problem_lines=source_lines.problem_excerpt(result.message, result.submission, sources)
        if result.status == "error"
        else [],
        checks=checks,
        counts=counts,
        stdout=bounded(result.stdout, PRINTED_CHARS),
        stdout_cut=visibility.hidden_ran(result),
        integrity=[Finding(name_line(f.rule), message_line(f.message)) for f in result.integrity],
        defences=[name_line(defence) for defence in result.defences],
    )


def check_view(result: Result, check: CheckResult, sources: source_lines.Sources) -> CheckView:
    view = CheckView(
        anchor=f"check-{check.id}",
        title=check.title,
        status=check.status,
        points=check.points,
        max_points=check.max_points,
        withheld=visibility.withheld(result, check),
    )
    if view.withheld:
        return replace(view, pending=visibility.pending_note(check))
    if check.hidden and check.status == "skipped":  # the reason is never secret
        return replace(view, message=message_line(check.message))
    details = check.details
    frames = _frames(details.get("traceback"), sources)
    tolerance = details.get("tolerance")
    return replace(
        view,
        message=message_line(check.message),
        others=visibility.other_failures(check),
        misconception=visibility.misconception_title(check, result.misconception_titles),
        hint=check.hint,
        case=_label(details.get("case")),
        array=array_view(
            name_line(str(details.get("name", "the result"))),
            details.get("expected"),
            details.get("got"),
            tolerance if isinstance(tolerance, Settings) else DEFAULT,
        ),
        graph=graph_view(details["graph"], details.get("first_wrong")) if "graph" in details else None,
        frames=frames,
        code=None if any(f.lines for f in frames) else _code(details.get("about"), sources),
    )


def _referenced(checks: list[CheckView]) -> list[CheckView]:
    """Each section after the first to explain a mistake or quote a function refers back to it."""
    mistakes: dict[str, Reference] = {}
    functions: dict[tuple[str, str], Reference] = {}
    referenced = []
    for check in checks:
        here = Reference(check.anchor, check.title)
        if check.explained and check.misconception:
            first = mistakes.setdefault(check.misconception, here)
            check = replace(check, mistake_in=first if first != here else None)
        if check.explained and check.code:
            first = functions.setdefault((check.code.file, check.code.name), here)
            check = replace(check, code_in=first if first != here else None)
        referenced.append(check)
    return referenced


def _label(case: object) -> str | None:
    """A case's label: the grader's own, bounded all the same (it may name what the student returned)."""
    return name_line(str(case)) if case is not None else None


def _frames(traceback: object, sources: source_lines.Sources) -> list[source_lines.Frame]:
    return source_lines.frames(traceback, sources) if isinstance(traceback, str) else []


def _code(about: object, sources: source_lines.Sources) -> source_lines.Function | None:
    if not isinstance(about, list) or not all(isinstance(name, str) for name in about):
        return None
    return source_lines.function(about, sources)
