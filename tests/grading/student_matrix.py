"""Grade the hand-written student submissions under tests/students/ and check the verdicts."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from grader.api import grade_submission
from grader.result import Result

STUDENTS = Path(__file__).resolve().parent.parent / "students"
#: Expected verdicts by check id: a status, or (status, misconception id or None).
Checks = dict[str, str | tuple[str, str | None]]


@dataclass(frozen=True)
class Expect:
    """What grading one student file must produce.

    `checks` maps a check id to its expected status, or to `(status, misconception)`;
    `message` maps a check id to a substring its message must contain. Checks not
    listed must pass, unless `others` says otherwise.
    """

    checks: Checks = field(default_factory=dict)
    message: dict[str, str] = field(default_factory=dict)
    status: str = "graded"
    others: str = "passed"


def grade_student(exercise: str, name: str, tmp_path: Path, **options: object) -> Result:
    """Grade tests/students/<exercise>/<name>.py under its exercise's file name."""
    target = tmp_path / f"{exercise}.py"
    shutil.copy(STUDENTS / exercise / f"{name}.py", target)
    return grade_submission(target, overrides=options, env={})


def assert_verdicts(result: Result, expect: Expect) -> None:
    assert result.status == expect.status, result.message
    by_id = {c.id: c for c in result.checks}
    for check in result.checks:
        want = expect.checks.get(check.id, expect.others)
        status, misconception = want if isinstance(want, tuple) else (want, "any")
        assert check.status == status, f"{check.id}: {check.status} ({check.message})"
        if misconception != "any":
            assert check.misconception == misconception, f"{check.id}: {check.message}"
        if status == "passed":
            assert check.points == check.max_points
    for check_id, fragment in expect.message.items():
        assert fragment in (by_id[check_id].message or ""), by_id[check_id].message
    if all(c.status == "passed" for c in result.checks) and result.status == "graded":
        assert result.score == result.max_score


#: A timeout's message naming what was running: the loop's line varies with when time ran out.
RUNNING = re.compile(r"did not finish within 1 s \(it was running line (\d+): `[^`]+`\)$")


def hung_at(message: str | None) -> int:
    """The line of the submission a check that timed out says was running."""
    match = RUNNING.search(message or "")
    assert match, message
    return int(match.group(1))
