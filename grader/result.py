"""The result of grading one submission: SPEC §4, as data.

The data holds what the grader received; `to_json` is an output like any other, so
every student-controlled string in it is inert and bounded (`grader.text`): the file
name, messages and findings on one line each, what the submission printed with its
lines (bounded by the output cap it was captured under).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from grader.text import inert, message_line, name_line

SCHEMA = "grader.result/1"

CheckStatus = Literal["passed", "failed", "error", "timeout", "skipped"]


@dataclass
class Failure:
    """One distinct way a check's cases failed: the cases it covers and what was wrong."""

    cases: list[str]
    message: str
    misconception: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "cases": [name_line(case) for case in self.cases],
            "message": message_line(self.message),
            "misconception": self.misconception,
        }


@dataclass
class CheckResult:
    id: str
    title: str
    status: CheckStatus
    points: float
    max_points: float
    visibility: str = "visible"
    message: str | None = None
    hint: str | None = None
    misconception: str | None = None
    duration_s: float = 0.0
    #: Expected-versus-got detail for reports (never serialised for hidden checks).
    details: dict[str, Any] = field(default_factory=dict)
    #: Each distinct failure of the check's cases, grouped by cause; `message` is the first's.
    #: Serialised (SPEC §4 `failures`) only when there is more than one.
    failures: list[Failure] = field(default_factory=list)

    @property
    def hidden(self) -> bool:
        """Students see only the title and points of a check that is not `visible`."""
        return self.visibility != "visible"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("details")
        failures = data.pop("failures")
        if len(failures) > 1:
            data["failures"] = [failure.to_json() for failure in self.failures]
        data["message"] = _shown(self.message)
        data["points"] = round(self.points, 6)
        data["duration_s"] = round(self.duration_s, 4)
        return data


@dataclass
class Finding:
    rule: str
    message: str


@dataclass
class Result:
    submission: str
    sha256: str
    exercise: str
    checks: list[CheckResult]
    status: Literal["graded", "error"] = "graded"
    message: str | None = None
    duration_s: float = 0.0
    integrity: list[Finding] = field(default_factory=list)
    stdout: str = ""
    #: Defences that were active while the submission ran (reports say which).
    defences: list[str] = field(default_factory=list)
    #: Why this file was graded when its folder held both forms of the exercise (`grader.choice`).
    file_choice: str | None = None
    #: Whether students may see every check's result (`grader.visibility`; not serialised).
    released: bool = False
    #: The rubric's title and its misconceptions' titles by id, for reports (not serialised).
    title: str = ""
    misconception_titles: dict[str, str] = field(default_factory=dict)

    @property
    def score(self) -> float:
        return 0.0 if self.status == "error" else sum(c.points for c in self.checks)

    @property
    def max_score(self) -> float:
        return sum(c.max_points for c in self.checks)

    @property
    def passed(self) -> bool:
        """Every check that ran passed (skipped checks, e.g. hidden ones run elsewhere, do not count)."""
        return self.status == "graded" and all(c.status in ("passed", "skipped") for c in self.checks)

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "submission": name_line(self.submission),
            "sha256": self.sha256,
            "exercise": self.exercise,
            "score": round(self.score, 6),
            "max_score": round(self.max_score, 6),
            "status": self.status,
            "duration_s": round(self.duration_s, 3),
            "message": _shown(self.message),
            **({"file_choice": message_line(self.file_choice)} if self.file_choice else {}),
            "checks": [c.to_json() for c in self.checks],
            "integrity": [
                {"rule": name_line(f.rule), "message": message_line(f.message)} for f in self.integrity
            ],
            "stdout": inert(self.stdout),
        }


def _shown(message: str | None) -> str | None:
    return None if message is None else message_line(message)
