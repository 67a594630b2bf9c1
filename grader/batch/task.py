"""Grading one submission of a batch, in whatever process an executor picks.

A `Task` is small, plain and pickle-safe (paths and options); what comes back is JSON
text, so the parent never unpickles anything a grading process built from student
output. The student's code itself runs in the sandbox `grade_submission` starts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.api import grade_submission
from grader.errors import UsageError
from grader.report.page import render, source_of
from grader.result import Result


@dataclass(frozen=True)
class Task:
    """One submission to grade and the options to grade it with."""

    student: str
    exercise: str
    path: str
    #: As the parent read it, for the row of a task that never reports back.
    sha256: str
    rubric: str | None = None
    course: str | None = None
    #: Grading settings from the command line (timeout, tolerances...), already validated.
    settings: dict[str, Any] = field(default_factory=dict)
    #: The GRADER_* environment variables of the parent.
    environ: dict[str, str] = field(default_factory=dict)

    def failure(self, problem: str) -> Graded:
        """The outcome when this task could not be graded."""
        return failure(self.student, self.exercise, Path(self.path).name, self.sha256, problem)


@dataclass(frozen=True)
class Graded:
    """What a batch records for one submission: the result JSON (SPEC §4) and its HTML report."""

    student: str
    result: dict[str, Any]
    #: The student's report; None when there is no file to report on.
    html: str | None

    @property
    def row(self) -> dict[str, Any]:
        """The results.jsonl line: the result JSON with the student's name."""
        return {"student": self.student, **self.result}

    @property
    def failed(self) -> bool:
        return bool(self.result["status"] == "error")

    def dumps(self) -> str:
        return json.dumps({"student": self.student, "result": self.result, "html": self.html})

    @classmethod
    def loads(cls, text: str) -> Graded:
        data = json.loads(text)
        return cls(data["student"], data["result"], data["html"])


def grade(task: Task) -> str:
    """Grade `task` and return `Graded.dumps()`; never raises, a failure is an error row."""
    path = Path(task.path)
    try:
        result = grade_submission(
            path, rubric=task.rubric, course_dir=task.course, overrides=task.settings, env=task.environ
        )
        html = render(result, source_of(path))
    except (UsageError, OSError) as exc:
        return task.failure(str(exc)).dumps()
    except Exception as exc:  # a grader bug must cost one row, not the batch
        return task.failure(f"the grader failed on this submission ({type(exc).__name__}: {exc})").dumps()
    return Graded(task.student, result.to_json(), html).dumps()


def failure(student: str, exercise: str, submission: str, sha256: str, problem: str) -> Graded:
    """The outcome of a submission that could not be graded: score 0, no checks, `problem` said."""
    result = Result(submission, sha256, exercise, checks=[], status="error", message=problem)
    return Graded(student, result.to_json(), render(result) if submission else None)
