"""OUT/summary.html: the class at a glance for the TA, on one self-contained page.

`ClassSummary` takes the journal's latest row per (student, exercise) one at a time and keeps
only what the page shows, never whole results: a line per student (a score per exercise),
per check the submissions that did not pass it (with the misconception recognised), the few
slowest, and short notes.

The page runs no script (its CSP allows none), so the student table sorts through copies
sorted in advance: each column's header links to the copy sorted by it, and CSS shows the
copy the address targets (`:target`), else the one by name, which comes last in the page so
that `.view:target ~ #by-name` hides it in any browser (no `:has()` needed). The other copies
are not rendered, so the browser's find searches the one shown. Each check's pass-rate bar is
the summary of a `<details>` that names who failed it, errored or timed out: one click.

A submission is *graded with warnings* when it was graded (it is not one that could not be)
and its output holds a line to read before trusting its score (`WARNING_LINE`): the grader's
note that a notebook cell raised, ran out of time or had shell commands skipped; a Python
warning (``exercise11.py:12: RuntimeWarning: overflow encountered in exp``); the output cap's
cut. They are read from what the submission printed, so a submission can print such a line
itself (it cannot remove the grader's): the list points at reports to read, it judges nothing.
A score a TA overrode (`grader.batch.overrides`) is the TA's, marked as such in the student
table; a stale override (the submission changed since) is not applied and is marked for the TA.
Integrity findings, submissions that could not be graded and the choice between a folder's
two files have sections of their own.

Student-provided text is escaped by jinja2's autoescaping and made inert by the pages'
environment, as in the students' own reports, and bounded here (`grader.text`): names, file
names, messages, warning lines and ignored entries each on one line of bounded length. Links
keep the exact student name (the folder on disk), quoted.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import jinja2

from grader.batch import overrides
from grader.batch.counts import Counts
from grader.batch.discover import Ignored
from grader.batch.files import row_stem
from grader.batch.standings import Cell, Mention, Standing, name_key, views
from grader.report import page
from grader.rubric import Rubric
from grader.text import LINE_CHARS, counted, message_line, name_line, one_line

NAME = "summary.html"
BINS = 10
SLOWEST = 10
#: Lines kept of a submission graded with warnings (its report has them all).
WARNINGS_SHOWN = 3
#: Geometry of the score histogram, in SVG user units.
CHART_WIDTH, CHART_HEIGHT, AXIS = 640, 220, 28
#: Room above the tallest bar for its count.
HEADROOM = 32
#: A check status as the tallies say it: (one, several).
OUTCOMES = {
    "failed": ("failed", "failed"),
    "error": ("error", "errors"),
    "timeout": ("timed out", "timed out"),
    "skipped": ("skipped", "skipped"),
}
#: The outcomes a check's drill-down lists, in this order.
DRILLED = ("failed", "error", "timeout")
#: A line of a graded submission's output that makes it "graded with warnings" (see above).
WARNING_LINE = re.compile(
    r"^(?:\[[^\]\n]*\.ipynb\] .*"  # the grader's note on a notebook cell
    r"|[^\s:][^\n]*?:\d+: [A-Z]\w*Warning: .*"  # a Python warning: file:line: Category: message
    r"|\[… truncated: .*)$",  # the output cap's cut
    re.MULTILINE,
)


@dataclass(frozen=True)
class Note:
    """Something about one submission a TA should read: an error or an integrity finding."""

    who: Mention
    message: str
    rule: str = ""


@dataclass(frozen=True)
class Warned:
    """A submission graded with warnings: the first lines to read, and how many more there are."""

    who: Mention
    lines: list[str]
    more: int


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    count: int
    label: str


@dataclass(frozen=True)
class Mistake:
    """A recognised misconception and the students who made it."""

    exercise: str
    id: str
    title: str
    students: list[Mention]


@dataclass(frozen=True)
class Outcome:
    """A submission's outcome on one check, and the misconception recognised in it."""

    who: Mention
    status: str
    misconception: str | None = None
    #: The misconception's title ("" for none).
    title: str = ""


@dataclass
class CheckTally:
    title: str
    statuses: Counter[str] = field(default_factory=Counter)
    #: The submissions that failed the check, errored or timed out, for its drill-down.
    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, outcome: Outcome) -> None:
        self.statuses[outcome.status] += 1
        if outcome.status in DRILLED:
            self.outcomes.append(outcome)

    @property
    def runs(self) -> int:
        return sum(self.statuses.values())

    @property
    def pass_rate(self) -> float:
        return self.statuses["passed"] / self.runs if self.runs else 0.0

    @property
    def others(self) -> str:
        """The outcomes other than passed, e.g. "2 failed, 1 error, 3 timed out"."""
        return ", ".join(
            counted(count, *OUTCOMES.get(status, (status, status)))
            for status, count in sorted(self.statuses.items())
            if status != "passed"
        )

    @property
    def drilled(self) -> list[Outcome]:
        """Who did not pass: those who failed, then errors, then timeouts, each by name."""
        return sorted(self.outcomes, key=lambda o: (DRILLED.index(o.status), name_key(o.who.student)))


class ClassSummary:
    """Tallies over the latest row of every submission of the batch, and every student's scores."""

    def __init__(self, students: list[str], rubrics: Mapping[str, Rubric], ignored: list[Ignored]) -> None:
        self._rubrics = dict(sorted(rubrics.items()))
        self._ignored = ignored
        self._standings = {student: Standing(student) for student in students}
        self._checks = {
            (e, c.id): CheckTally(c.title) for e, rubric in self._rubrics.items() for c in rubric.checks
        }
        self._mistakes: dict[tuple[str, str], dict[str, Mention]] = defaultdict(dict)
        self._errors: list[Note] = []
        self._nothing: list[Note] = []
        self._choices: list[Note] = []
        self._integrity: list[Note] = []
        self._warned: list[Warned] = []
        self._slowest: list[tuple[float, int, Mention]] = []  # a min-heap of the slowest few
        self._arrival = itertools.count()  # breaks ties in the heap
        #: The students whose submission an LMS's export flagged late (a marker in the student table).
        self._late: set[str] = set()
        #: (student, exercise) → "changed" (by the TA) or "stale" (an override not applied).
        self._overridden: dict[tuple[str, str], str] = {}

    def add(self, row: Mapping[str, Any]) -> None:
        who = Mention(row["student"], row["submission"], row_stem(row) if row["submission"] else "")
        standing = self._standings[who.student]
        score = overrides.counted(row)
        standing.total += score
        if row["exercise"] in self._rubrics:
            timeouts = sum(check["status"] == "timeout" for check in row["checks"])
            standing.cells[row["exercise"]] = Cell(who, score, row["status"] != "error", timeouts)
        if (state := overrides.state(row)) is not None:
            self._overridden[(who.student, row["exercise"])] = state
        if row["status"] == "error":
            (self._errors if who.submission else self._nothing).append(
                Note(who, message_line(row["message"]))
            )
        elif (warned := _warned(who, row.get("stdout") or "")) is not None:
            self._warned.append(warned)
        if (row.get("lms") or {}).get("late"):
            self._late.add(who.student)
        if row.get("file_choice"):
            self._choices.append(Note(who, message_line(row["file_choice"])))
        self._count_checks(who, row["exercise"], row["checks"])
        self._integrity += [
            Note(who, message_line(f["message"]), name_line(f["rule"])) for f in row["integrity"]
        ]
        if who.submission:
            heapq.heappush(self._slowest, (row["duration_s"], next(self._arrival), who))
            if len(self._slowest) > SLOWEST:
                heapq.heappop(self._slowest)

    def render(self, counts: Counts, now: datetime | None = None) -> str:
        """The page; `counts` are the batch's figures, as the command's closing line says them."""
        possible = sum(r.max_score for r in self._rubrics.values())
        by_name = sorted(self._standings.values(), key=lambda s: name_key(s.student))
        fractions = [s.total / possible if possible else 0.0 for s in by_name]
        return _template().render(
            generated=readable(now or datetime.now().astimezone()),
            counts=counts,
            possible=possible,
            median=statistics.median(fractions) if fractions else 0.0,
            bars=histogram(fractions),
            exercises=[self._exercise(e, r) for e, r in self._rubrics.items()],
            views=views(by_name, list(self._rubrics)),
            late=self._late,
            overridden=self._overridden,
            mistakes=self._mistake_list(),
            timeouts=self._timeouts(),
            warned=sorted(self._warned, key=lambda w: name_key(w.who.student)),
            errors=self._errors,
            nothing=self._nothing,
            choices=self._choices,
            counted=counted,
            outcomes=OUTCOMES,
            marks=page.STATUS_MARKS,
            integrity=self._integrity,
            slowest=[(seconds, who) for seconds, _, who in sorted(self._slowest, reverse=True)],
            ignored=[Ignored(name_line(item.path), message_line(item.reason)) for item in self._ignored],
            width=CHART_WIDTH,
            height=CHART_HEIGHT + AXIS,
        )

    def _count_checks(self, who: Mention, exercise: str, checks: list[dict[str, Any]]) -> None:
        rubric = self._rubrics.get(exercise)
        for check in checks:
            mistake = check["misconception"]
            title = _title(rubric, mistake) if mistake else ""
            tally = self._checks.get((exercise, check["id"]))
            if tally is not None:
                tally.count(Outcome(who, check["status"], mistake, title))
            if mistake:
                self._mistakes[(exercise, mistake)][who.student] = who

    def _exercise(self, exercise: str, rubric: Rubric) -> dict[str, Any]:
        scores = [s.cells[exercise].score for s in self._standings.values() if exercise in s.cells]
        return {
            "id": exercise,
            "title": rubric.title,
            "max": rubric.max_score,
            "submitted": len(scores),
            "mean": statistics.fmean(scores) if scores else 0.0,
            "checks": [(check.id, self._checks[(exercise, check.id)]) for check in rubric.checks],
        }

    def _timeouts(self) -> list[tuple[Mention, str, str, str]]:
        """(student, exercise, check id, check title) of every check that timed out, by student."""
        stalls = [
            (outcome.who, exercise, check, tally.title)
            for (exercise, check), tally in self._checks.items()
            for outcome in tally.outcomes
            if outcome.status == "timeout"
        ]
        return sorted(stalls, key=lambda stall: name_key(stall[0].student))

    def _mistake_list(self) -> list[Mistake]:
        """Recognised misconceptions, the most frequent first."""
        found = [
            Mistake(exercise, mistake, _title(self._rubrics.get(exercise), mistake), _by_name(who))
            for (exercise, mistake), who in self._mistakes.items()
        ]
        return sorted(found, key=lambda m: (-len(m.students), m.exercise, m.id))


def readable(moment: datetime) -> str:
    """E.g. "5 December 2026, 21:30 (UTC+01:00)": the date as people write it, with the offset of the
    clock that told it (none for a naive time)."""
    offset = moment.strftime("%z")  # "+0100"
    zone = f" (UTC{offset[:3]}:{offset[3:5]})" if offset else ""
    return f"{moment.day} {moment:%B %Y, %H:%M}{zone}"


def histogram(fractions: list[float]) -> list[Bar]:
    """Bars of students per tenth of the points (the last bar includes full marks)."""
    counts = Counter(min(int(f * BINS), BINS - 1) for f in fractions)
    tallest = max(counts.values(), default=0) or 1
    width = CHART_WIDTH / BINS
    bars = []
    for i in range(BINS):
        height = (CHART_HEIGHT - HEADROOM) * counts[i] / tallest
        label = f"{100 * i // BINS}–{100 * (i + 1) // BINS}%"
        bars.append(Bar(i * width + 2, CHART_HEIGHT - height, width - 4, height, counts[i], label))
    return bars


def _warned(who: Mention, printed: str) -> Warned | None:
    """The submission as graded with warnings, if what it printed holds a `WARNING_LINE`."""
    lines = WARNING_LINE.finditer(printed)
    first = [one_line(match.group(), LINE_CHARS) for match in itertools.islice(lines, WARNINGS_SHOWN)]
    return Warned(who, first, sum(1 for _ in lines)) if first else None


def _by_name(by_student: Mapping[str, Mention]) -> list[Mention]:
    return [by_student[student] for student in sorted(by_student, key=name_key)]


def _title(rubric: Rubric | None, mistake: str) -> str:
    known = rubric.misconceptions.get(mistake) if rubric else None
    return known.title if known else mistake


@functools.cache
def _template() -> jinja2.Template:
    base = page.environment()
    loader = jinja2.ChoiceLoader([jinja2.PackageLoader("grader.batch"), base.loader])  # type: ignore[list-item]
    return base.overlay(loader=loader).get_template(NAME)
