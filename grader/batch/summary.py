"""OUT/summary.html: what the class got wrong, on one self-contained page for the TA.

`ClassSummary` takes the journal's rows one at a time and keeps only tallies (counts,
student names, the few slowest), never whole results. Student-provided text is escaped
by jinja2's autoescaping and made inert by the pages' environment, as in the students'
own reports, and bounded here (`grader.text`): names, file names, messages and
ignored entries each on one line of bounded length. Links keep the exact student name
(the folder on disk), quoted.
"""

from __future__ import annotations

import functools
import heapq
import itertools
import statistics
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

import jinja2

from grader.batch.counts import Counts
from grader.batch.discover import Ignored
from grader.batch.files import row_stem
from grader.report import page
from grader.rubric import Rubric
from grader.text import counted, message_line, name_line

NAME = "summary.html"
BINS = 10
SLOWEST = 10
#: Geometry of the score histogram, in SVG user units.
CHART_WIDTH, CHART_HEIGHT, AXIS = 640, 220, 28
#: A check status as the tallies say it: (one, several).
OUTCOMES = {
    "failed": ("failed", "failed"),
    "error": ("error", "errors"),
    "timeout": ("timed out", "timed out"),
    "skipped": ("skipped", "skipped"),
}


@dataclass(frozen=True)
class Mention:
    """A student's submission, linked to its report."""

    student: str
    submission: str
    #: Of the submission's report in OUT/<student>/ (`grader.batch.files.row_stem`).
    stem: str = ""

    @property
    def name(self) -> str:
        """The student as the page shows them."""
        return name_line(self.student)

    @property
    def file(self) -> str:
        """The submission's file as the page shows it."""
        return name_line(self.submission)

    @property
    def href(self) -> str | None:
        return f"{quote(self.student)}/{quote(self.stem)}.html" if self.stem else None


@dataclass(frozen=True)
class Note:
    """Something about one submission a TA should read: an error or an integrity finding."""

    who: Mention
    message: str
    rule: str = ""


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


@dataclass
class CheckTally:
    title: str
    statuses: Counter[str] = field(default_factory=Counter)

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


class ClassSummary:
    """Tallies over the latest row of every submission of the batch."""

    def __init__(self, students: list[str], rubrics: Mapping[str, Rubric], ignored: list[Ignored]) -> None:
        self._rubrics = dict(sorted(rubrics.items()))
        self._ignored = ignored
        self._totals = dict.fromkeys(students, 0.0)
        self._scores: dict[str, list[float]] = defaultdict(list)
        self._checks = {
            (e, c.id): CheckTally(c.title) for e, rubric in self._rubrics.items() for c in rubric.checks
        }
        self._mistakes: dict[tuple[str, str], dict[str, Mention]] = defaultdict(dict)
        self._errors: list[Note] = []
        self._nothing: list[Note] = []
        self._choices: list[Note] = []
        self._integrity: list[Note] = []
        self._slowest: list[tuple[float, int, Mention]] = []  # a min-heap of the slowest few
        self._arrival = itertools.count()  # breaks ties in the heap

    def add(self, row: Mapping[str, Any]) -> None:
        who = Mention(row["student"], row["submission"], row_stem(row) if row["submission"] else "")
        self._totals[who.student] += row["score"]
        if row["exercise"] in self._rubrics:
            self._scores[row["exercise"]].append(row["score"])
        if row["status"] == "error":
            (self._errors if who.submission else self._nothing).append(
                Note(who, message_line(row["message"]))
            )
        if row.get("file_choice"):
            self._choices.append(Note(who, message_line(row["file_choice"])))
        for check in row["checks"]:
            tally = self._checks.get((row["exercise"], check["id"]))
            if tally is not None:
                tally.statuses[check["status"]] += 1
            if check["misconception"]:
                self._mistakes[(row["exercise"], check["misconception"])][who.student] = who
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
        fractions = [total / possible if possible else 0.0 for total in self._totals.values()]
        return _template().render(
            generated=(now or datetime.now().astimezone()).isoformat(timespec="seconds"),
            counts=counts,
            possible=possible,
            median=statistics.median(fractions) if fractions else 0.0,
            bars=histogram(fractions),
            exercises=[self._exercise(e, r) for e, r in self._rubrics.items()],
            mistakes=self._mistake_list(),
            errors=self._errors,
            nothing=self._nothing,
            choices=self._choices,
            counted=counted,
            integrity=self._integrity,
            slowest=[(seconds, who) for seconds, _, who in sorted(self._slowest, reverse=True)],
            ignored=[Ignored(name_line(item.path), message_line(item.reason)) for item in self._ignored],
            width=CHART_WIDTH,
            height=CHART_HEIGHT + AXIS,
        )

    def _exercise(self, exercise: str, rubric: Rubric) -> dict[str, Any]:
        scores = self._scores[exercise]
        return {
            "id": exercise,
            "title": rubric.title,
            "max": rubric.max_score,
            "submitted": len(scores),
            "mean": statistics.fmean(scores) if scores else 0.0,
            "checks": [(check.id, self._checks[(exercise, check.id)]) for check in rubric.checks],
        }

    def _mistake_list(self) -> list[Mistake]:
        """Recognised misconceptions, the most frequent first."""
        found = [
            Mistake(exercise, mistake, _title(self._rubrics.get(exercise), mistake), _by_name(who))
            for (exercise, mistake), who in self._mistakes.items()
        ]
        return sorted(found, key=lambda m: (-len(m.students), m.exercise, m.id))


def _by_name(by_student: Mapping[str, Mention]) -> list[Mention]:
    return [by_student[student] for student in sorted(by_student)]


def histogram(fractions: list[float]) -> list[Bar]:
    """Bars of students per tenth of the points (the last bar includes full marks)."""
    counts = Counter(min(int(f * BINS), BINS - 1) for f in fractions)
    tallest = max(counts.values(), default=0) or 1
    width = CHART_WIDTH / BINS
    bars = []
    for i in range(BINS):
        height = (CHART_HEIGHT - 20) * counts[i] / tallest
        label = f"{100 * i // BINS}–{100 * (i + 1) // BINS}%"
        bars.append(Bar(i * width + 2, CHART_HEIGHT - height, width - 4, height, counts[i], label))
    return bars


def _title(rubric: Rubric | None, mistake: str) -> str:
    known = rubric.misconceptions.get(mistake) if rubric else None
    return known.title if known else mistake


@functools.cache
def _template() -> jinja2.Template:
    base = page.environment()
    loader = jinja2.ChoiceLoader([jinja2.PackageLoader("grader.batch"), base.loader])  # type: ignore[list-item]
    return base.overlay(loader=loader).get_template(NAME)
