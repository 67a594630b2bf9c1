"""What a student may see of a result: the one policy every output and the report follow.

A hidden check (visibility other than `visible`) shows its title and points only; a
skipped one may still say why it was skipped, which is never secret. The student's
own prints are withheld when a hidden check ran, because code that prints its
arguments would reveal the hidden inputs.

It is also where the machine outputs make student text inert (`grader.text`): a
check's message is one line of bounded text, so that in a platform's plain-text
box no student fragment starts a line that could pass for the grader's (the
mistake and hint lines that follow come from the rubric); what the submission
printed is fenced and bounded under a line saying whose output it is.
"""

from __future__ import annotations

from collections.abc import Mapping

from grader.result import CheckResult, Result
from grader.text import PRINTED_CHARS, fenced, message_line, name_line

#: All a student reads of a hidden check's message, in every output.
HIDDEN_MESSAGE = "hidden check: details are shown after grading"


def secret(check: CheckResult) -> bool:
    """True when nothing beyond title, status and points may be shown."""
    return check.hidden and check.status != "skipped"


def stdout_withheld(result: Result) -> bool:
    """Whether a hidden check ran (a submission that could not be run ran none)."""
    return result.status == "graded" and any(secret(check) for check in result.checks)


def stdout_shown(result: Result) -> bool:
    """Whether the student's captured output may be shown with the result."""
    return bool(result.stdout) and not stdout_withheld(result)


def printed(result: Result) -> str:
    """The student's output, fenced under a line of the grader's that says whose it is."""
    return f"What {name_line(result.submission)} printed:\n{fenced(result.stdout, PRINTED_CHARS)}"


def misconception_title(check: CheckResult, titles: Mapping[str, str]) -> str | None:
    """The recognised mistake by its rubric title (its id when the title is unknown)."""
    return titles.get(check.misconception, check.misconception) if check.misconception else None


def advice(check: CheckResult, titles: Mapping[str, str]) -> str:
    """The recognised mistake and the hint, as plain text."""
    mistake = misconception_title(check, titles)
    parts = (mistake and f"Mistake: {mistake}", check.hint and f"Hint: {check.hint}")
    return "\n".join(p for p in parts if p)


def describe(check: CheckResult, titles: Mapping[str, str]) -> str:
    """Message, mistake and hint in full (for platforms that enforce visibility themselves)."""
    return "\n".join(p for p in (message_line(check.message), advice(check, titles)) if p)


def message(check: CheckResult) -> str:
    """What a student may read of a check's message."""
    return HIDDEN_MESSAGE if secret(check) else message_line(check.message)


def feedback(check: CheckResult, titles: Mapping[str, str]) -> str:
    """What a student may read of a check: `describe`, or only that it is hidden."""
    return HIDDEN_MESSAGE if secret(check) else describe(check, titles)
