"""The terminal summary: score, then every check that did not pass, with message and hint.

Every line is the grader's: student text (the file name, messages, findings, why a
check was skipped) only ever appears inside one, made inert and bounded by
`grader.text`, so it cannot start a line, move the cursor or colour the
screen. Colour is the grader's own, and only when writing to a terminal.
"""

from __future__ import annotations

from collections.abc import Callable

from grader.result import CheckResult, Result
from grader.text import PRINTED_CHARS, clip, counted, fenced, message_line, name_line
from grader.visibility import (
    misconception_title,
    other_failures,
    pending_note,
    pending_points,
    shown_score,
    withheld,
)

#: Lines of the submission's own output the summary shows.
PRINTED_LINES = 5
#: A check whose result is not released yet.
PENDING_MARK = "◌"
MARKS = {"passed": "✓", "failed": "✗", "error": "!", "timeout": "⏱", "skipped": "-"}
COLOURS = {"passed": "32", "failed": "31", "error": "31", "timeout": "33", "skipped": "90"}


def summary(result: Result, colour: bool = False, printed: int = PRINTED_LINES) -> str:
    """Human-readable summary of one graded submission, headed by the exercise's title; then up
    to `printed` lines of what the submission printed (the report has it all)."""

    paint = _painter(colour)
    lines = [paint(name_line(result.submission), "1") + (f" — {result.title}" if result.title else "")]
    if result.file_choice:
        lines.append(f"  {message_line(result.file_choice)}")
    if result.status == "error":
        lines.append(paint(f"  could not be graded: {message_line(result.message)}", "31"))
    lines.append(f"  score {_num(shown_score(result))} / {_num(result.max_score)}  ({_tally(result)})")
    for check in result.checks:
        if result.status == "error" or (check.status == "passed" and not withheld(result, check)):
            continue
        lines.extend(_check_lines(result, check, paint))
    for finding in result.integrity:
        lines.append(paint(f"  integrity: {message_line(finding.message)}", "33"))
    if printed and result.stdout:
        lines.extend(_printed(result.stdout, printed))
    return "\n".join(lines) + "\n"


def _printed(stdout: str, limit: int) -> list[str]:
    """The first lines the submission printed, fenced so that none can pass for the grader's."""
    shown = stdout.splitlines()
    amount = f"the first {limit} of {len(shown)} lines" if len(shown) > limit else counted(len(shown), "line")
    return [f"  what your code printed ({amount}):", fenced("\n".join(shown[:limit]), PRINTED_CHARS)]


def _check_lines(result: Result, check: CheckResult, paint: Callable[[str, str], str]) -> list[str]:
    if withheld(result, check):
        head = f"  {PENDING_MARK} {check.title}  –/{_num(check.max_points)}"
        return [paint(head, COLOURS["skipped"]), f"      {pending_note(check)}"]
    head = f"  {MARKS[check.status]} {check.title}  {_num(check.points)}/{_num(check.max_points)}"
    lines = [paint(head, COLOURS[check.status])]
    if check.message:
        lines.append(f"      {message_line(check.message)}")
    lines.extend(f"      {line}" for line in other_failures(check))
    if check.misconception:
        lines.append(f"      mistake: {check.misconception}")
    if check.hint:
        lines.append(paint(f"      hint: {check.hint}", "36"))
    return lines


def _tally(result: Result) -> str:
    """How the checks went, counting only those shown; then the points still to be released."""
    shown = [check for check in result.checks if not withheld(result, check)]
    pending = pending_points(result)
    counts: dict[str, int] = {}
    for check in shown:
        counts[check.status] = counts.get(check.status, 0) + 1
    if result.status == "graded" and counts.get("passed", 0) == len(result.checks):
        return "all checks passed"
    parts = [f"{counts.get('passed', 0)} of {counted(len(shown), 'check')} passed"]
    for status, noun in (("failed", "failed"), ("error", "error"), ("timeout", "timed out")):
        if counts.get(status):
            parts.append(counted(counts[status], noun, noun if status != "error" else None))
    if counts.get("skipped"):
        reasons = sorted(
            {message_line(c.message) for c in result.checks if c.status == "skipped" and c.message}
        )
        parts.append(f"{counts['skipped']} skipped: {'; '.join(reasons)}")
    if pending:
        parts.append(f"{_num(pending)} {'point' if pending == 1 else 'points'} still to be released")
    return ", ".join(parts)


def _painter(colour: bool) -> Callable[[str, str], str]:
    """Colour text with an ANSI code, or leave it plain (not a terminal, or NO_COLOR)."""

    def paint(text: str, code: str) -> str:
        return f"\033[{code}m{text}\033[0m" if colour else text

    return paint


def _num(x: float) -> str:
    return f"{x:g}" if x == round(x, 2) else f"{x:.2f}"


#: How much of a check's message the compact view shows (the report and `grade` show it all).
COMPACT_CHARS = 160


def compact(result: Result, colour: bool = False) -> str:
    """The view `grade --watch` redraws on every save: the score, then each check that did not pass
    with its message on one line and the mistake it names."""

    paint = _painter(colour)
    lines = [
        f"{paint(name_line(result.submission), '1')}  score {_num(shown_score(result))} / "
        f"{_num(result.max_score)}  ({_tally(result)})"
    ]
    if result.status == "error":
        return (
            "\n".join([*lines, paint(f"  could not be graded: {message_line(result.message)}", "31")]) + "\n"
        )
    for check in result.checks:
        if check.status in ("passed", "skipped") or withheld(result, check):
            continue
        head = f"  {MARKS[check.status]} {check.title}  {_num(check.points)}/{_num(check.max_points)}"
        lines.append(paint(head, COLOURS[check.status]))
        if check.message:
            lines.append(f"      {clip(message_line(check.message), COMPACT_CHARS)}")
        mistake = misconception_title(check, result.misconception_titles)
        if mistake:
            lines.append(f"      mistake: {message_line(mistake)}")
    return "\n".join(lines) + "\n"


def changes(before: Result, after: Result) -> str:
    """What changed between two runs of the same exercise: the score, each check newly passing or
    newly failing by title, the rest counted. Checks withheld in either run are left out: their
    outcome must not show through a change."""
    was, now = _judged(before), _judged(after)
    common = [check for check in after.checks if check.id in was and check.id in now]
    gained = [c.title for c in common if now[c.id] and not was[c.id]]
    lost = [c.title for c in common if was[c.id] and not now[c.id]]
    kept = [c for c in common if was[c.id] == now[c.id]]
    before_score, after_score = _num(shown_score(before)), _num(shown_score(after))
    score = f"score {before_score} → {after_score}" if before_score != after_score else "same score"
    lines = [f"  since the last run: {score}"]
    lines.extend(f"    newly passing: {title}" for title in gained)
    lines.extend(f"    newly failing: {title}" for title in lost)
    passing = sum(now[c.id] for c in kept)
    unchanged = f"{passing} passing, {len(kept) - passing} failing" if kept else "none"
    lines.append(f"    unchanged: {unchanged}")
    return "\n".join(lines) + "\n"


def _judged(result: Result) -> dict[str, bool]:
    """Whether each check a student may see the outcome of passed (skipped ones are judged nowhere)."""
    return {
        check.id: check.status == "passed"
        for check in result.checks
        if check.status != "skipped" and not withheld(result, check)
    }
