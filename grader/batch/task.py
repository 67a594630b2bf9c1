"""Grading one student's exercise in a batch, in whatever process an executor picks.

A `Task` is small, plain and pickle-safe (paths, options, the parsed rubric); what comes back is JSON
text, so the parent never unpickles anything a grading process built from student
output. The student's code itself runs in the sandbox `grade_submission` starts.

A task grades one file, or both forms of the exercise when the student edited both
(`grader.choice`): then both are reported and the higher score is the one recorded.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.api import grade_submission
from grader.batch.discover import File
from grader.batch.files import report_stem
from grader.choice import Choice, settle
from grader.errors import UsageError
from grader.report.page import render
from grader.report.source import sources_of
from grader.result import Result
from grader.rubric import Rubric


@dataclass(frozen=True)
class Task:
    """One student's exercise to grade and the options to grade it with."""

    student: str
    exercise: str
    #: As the parent found them: the file, or both forms of the exercise (`File.graded` says which to grade).
    files: tuple[File, ...]
    #: Why these files are graded, when the folder held both forms.
    reason: str | None = None
    #: The exercise's rubric, as the parent loaded and cross-checked it (parsed once per batch).
    rubric: Rubric | None = None
    course: str | None = None
    #: Grading settings from the command line (timeout, tolerances...), already validated.
    settings: dict[str, Any] = field(default_factory=dict)
    #: The GRADER_* environment variables of the parent.
    environ: dict[str, str] = field(default_factory=dict)
    #: Whether the students' reports show every check's result (`grader.visibility`).
    released: bool = False

    def failure(self, problem: str) -> Graded:
        """The outcome when this task could not be graded."""
        return failure(self.student, self.exercise, self.files, problem, self.reason)


@dataclass(frozen=True)
class Report:
    """A graded file's result JSON and HTML report, written as OUT/<student>/<stem>.json and .html."""

    stem: str
    result: dict[str, Any]
    html: str


@dataclass(frozen=True)
class Graded:
    """What a batch records for one student's exercise: the result JSON that counts (SPEC §4),
    the report of each file graded, and, when the folder held both forms, each file's hash and score."""

    student: str
    result: dict[str, Any]
    #: None when there is no file to report on.
    reports: tuple[Report, ...] = ()
    files: dict[str, dict[str, Any]] | None = None

    @property
    def row(self) -> dict[str, Any]:
        """The results.jsonl line: the result JSON with the student's name (and "files" for both forms)."""
        return {"student": self.student, **self.result, **({"files": self.files} if self.files else {})}

    @property
    def failed(self) -> bool:
        return bool(self.result["status"] == "error")

    def dumps(self) -> str:
        reports = [[r.stem, r.result, r.html] for r in self.reports]
        return json.dumps(
            {"student": self.student, "result": self.result, "reports": reports, "files": self.files}
        )

    @classmethod
    def loads(cls, text: str) -> Graded:
        data = json.loads(text)
        reports = tuple(Report(*report) for report in data["reports"])
        return cls(data["student"], data["result"], reports, data["files"])


def grade(task: Task) -> str:
    """Grade `task` and return `Graded.dumps()`; never raises, a failure is an error row."""
    graded = [file for file in task.files if file.graded]
    try:
        results = [_grade_file(task, file.path) for file in graded]
        counted = settle(Choice(task.exercise, tuple(f.path for f in graded), task.reason), results)
        both = len(graded) > 1
        reports = tuple(_report(r, file.path, both) for file, r in zip(graded, results, strict=True))
    except (UsageError, OSError) as exc:
        return task.failure(str(exc)).dumps()
    except Exception as exc:  # a grader bug must cost one row, not the batch
        return task.failure(f"the grader failed on this submission ({type(exc).__name__}: {exc})").dumps()
    scores = {file.path.name: result.score for file, result in zip(graded, results, strict=True)}
    return Graded(task.student, counted.to_json(), reports, _files(task.files, scores)).dumps()


def _grade_file(task: Task, path: Path) -> Result:
    result = grade_submission(
        path, rubric=task.rubric, course_dir=task.course, overrides=task.settings, env=task.environ
    )
    result.released = task.released
    return result


def _report(result: Result, path: Path, both: bool) -> Report:
    stem = report_stem(path.name, result.exercise, both)
    return Report(stem, result.to_json(), render(result, sources_of(path)))


def failure(
    student: str, exercise: str, files: tuple[File, ...], problem: str, reason: str | None = None
) -> Graded:
    """The outcome of a submission that could not be graded: score 0, no checks, `problem` said."""
    first = next((file for file in files if file.graded), None)
    submission = first.path.name if first else ""
    sha256 = first.sha256 if first else ""
    result = Result(submission, sha256, exercise, [], status="error", message=problem, file_choice=reason)
    reports = (Report(report_stem(submission, exercise), result.to_json(), render(result)),) if first else ()
    return Graded(student, result.to_json(), reports, _files(files, {}))


def _files(files: tuple[File, ...], scores: dict[str, float]) -> dict[str, dict[str, Any]] | None:
    """For both forms of an exercise: each file's sha256 (what --resume compares) and score (None:
    not graded)."""
    if len(files) < 2:
        return None
    return {
        f.path.name: {
            "sha256": f.sha256,
            "score": round(scores[f.path.name], 6) if f.path.name in scores else None,
        }
        for f in files
    }
