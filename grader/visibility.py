"""What a student may see of a result: the one policy every student-facing output follows.

Gradescope's visibilities (`visible`, `hidden`, `after_due_date`, `after_published`).
Before release a non-visible check that ran shows its title and its maximum points only:
no pass or fail, no points, no message; the score counts the points shown and says how
many are still to be released. After release (`Result.released`: `grade --release` or
`GRADER_RELEASE=1`, since the grader cannot know the due date) everything shows. A
skipped check may always say why it was skipped, which is never secret. The terminal,
the report, JUnit and PrairieLearn follow this; Gradescope enforces each test's
visibility itself; the result JSON is the grader's whole record, for TAs and LMS glue.

What the submission printed is always the part printed before the first hidden check
(`grader.api` keeps no more), so it may be shown.

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

#: Set to "1" to release every check's result (the command line's `--release`).
RELEASE_ENV = "GRADER_RELEASE"
#: What a student reads of a withheld check, by its visibility.
PENDING = {
    "hidden": "result hidden until the course releases it",
    "after_due_date": "result released after the due date",
    "after_published": "result released when grades are published",
}


def release_asked(flag: bool, environ: Mapping[str, str]) -> bool:
    """Whether every check's result is released: `--release`, or GRADER_RELEASE=1."""
    return flag or environ.get(RELEASE_ENV) == "1"


def _ran_hidden(check: CheckResult) -> bool:
    """A non-visible check that ran (a skipped one may always say why it was skipped)."""
    return check.hidden and check.status != "skipped"


def withheld(result: Result, check: CheckResult) -> bool:
    """True when only the check's title and maximum points may be shown (a submission that could
    not be run ran no check: nothing of it is secret, and nothing waits to be released)."""
    return not result.released and result.status == "graded" and _ran_hidden(check)


def pending_note(check: CheckResult) -> str:
    """Why a withheld check shows nothing yet, in true words for its visibility."""
    return PENDING.get(check.visibility, PENDING["hidden"])


def shown_score(result: Result) -> float:
    """The points a student may see: those of the checks not withheld."""
    if result.status == "error":
        return 0.0
    return sum(c.points for c in result.checks if not withheld(result, c))


def pending_points(result: Result) -> float:
    """The points still to be released (the withheld checks' maximum)."""
    return sum(c.max_points for c in result.checks if withheld(result, c))


def hidden_ran(result: Result) -> bool:
    """Whether a hidden check ran: then only what was printed before it was kept."""
    return result.status == "graded" and any(_ran_hidden(c) for c in result.checks)


def stdout_shown(result: Result) -> bool:
    """Whether there is captured output to show (only what came before any hidden check is kept)."""
    return bool(result.stdout)


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


def other_failures(check: CheckResult) -> list[str]:
    """Each distinct failure after the first (the message's), one bounded line each, naming its cases."""
    return [
        f"also, {name_line(', '.join(failure.cases))}: {message_line(failure.message)}"
        for failure in check.failures[1:]
    ]


def describe(check: CheckResult, titles: Mapping[str, str]) -> str:
    """Message, other failures, mistake and hint in full (for platforms that enforce visibility
    themselves)."""
    parts = [message_line(check.message), *other_failures(check), advice(check, titles)]
    return "\n".join(p for p in parts if p)


def message(result: Result, check: CheckResult) -> str:
    """What a student may read of a check's message."""
    return pending_note(check) if withheld(result, check) else message_line(check.message)


def feedback(result: Result, check: CheckResult) -> str:
    """What a student may read of a check: `describe`, or only when it will be released."""
    return pending_note(check) if withheld(result, check) else describe(check, result.misconception_titles)
