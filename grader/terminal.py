"""The terminal summary: score, then every check that did not pass, with message and hint.

Every line is the grader's: student text (the file name, messages, findings, why a
check was skipped) only ever appears inside one, made inert and bounded by
`grader.text`, so it cannot start a line, move the cursor or colour the
screen. Colour is the grader's own, and only when writing to a terminal.
"""

from __future__ import annotations

from collections.abc import Callable

from grader.result import CheckResult, Result
from grader.text import counted, message_line, name_line
from grader.visibility import HIDDEN_MESSAGE, secret

MARKS = {"passed": "✓", "failed": "✗", "error": "!", "timeout": "⏱", "skipped": "-"}
COLOURS = {"passed": "32", "failed": "31", "error": "31", "timeout": "33", "skipped": "90"}


def summary(result: Result, colour: bool = False) -> str:
    """Human-readable summary of one graded submission, headed by the exercise's title."""

    def paint(text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if colour else text

    lines = [paint(name_line(result.submission), "1") + (f" — {result.title}" if result.title else "")]
    if result.file_choice:
        lines.append(f"  {message_line(result.file_choice)}")
    if result.status == "error":
        lines.append(paint(f"  could not be graded: {message_line(result.message)}", "31"))
    lines.append(f"  score {_num(result.score)} / {_num(result.max_score)}  ({_tally(result)})")
    for check in result.checks:
        if check.status == "passed" or result.status == "error":
            continue
        lines.extend(_check_lines(check, paint))
    for finding in result.integrity:
        lines.append(paint(f"  integrity: {message_line(finding.message)}", "33"))
    return "\n".join(lines) + "\n"


def _check_lines(check: CheckResult, paint: Callable[[str, str], str]) -> list[str]:
    head = f"  {MARKS[check.status]} {check.title}  {_num(check.points)}/{_num(check.max_points)}"
    lines = [paint(head, COLOURS[check.status])]
    if secret(check):
        return lines + [f"      {HIDDEN_MESSAGE}"]
    if check.message:
        lines.append(f"      {message_line(check.message)}")
    if check.misconception:
        lines.append(f"      mistake: {check.misconception}")
    if check.hint:
        lines.append(paint(f"      hint: {check.hint}", "36"))
    return lines


def _tally(result: Result) -> str:
    counts: dict[str, int] = {}
    for check in result.checks:
        counts[check.status] = counts.get(check.status, 0) + 1
    if result.status == "graded" and counts.get("passed", 0) == len(result.checks):
        return "all checks passed"
    parts = [f"{counts.get('passed', 0)} of {counted(len(result.checks), 'check')} passed"]
    for status, noun in (("failed", "failed"), ("error", "error"), ("timeout", "timed out")):
        if counts.get(status):
            parts.append(counted(counts[status], noun, noun if status != "error" else None))
    if counts.get("skipped"):
        reasons = sorted(
            {message_line(c.message) for c in result.checks if c.status == "skipped" and c.message}
        )
        parts.append(f"{counts['skipped']} skipped: {'; '.join(reasons)}")
    return ", ".join(parts)


def _num(x: float) -> str:
    return f"{x:g}" if x == round(x, 2) else f"{x:.2f}"
