"""The student's code where it failed: traceback frames with the offending lines, in context.

The worker already trims tracebacks to the submission's own frames; this module only
parses that text and cuts excerpts from the submission's source. Both are the
student's text: only the last `TRACEBACK_CHARS` of a traceback are read, and every
quoted line, file and function name is one inert line of bounded length (`grader.text`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from grader.text import LINE_CHARS, TRACEBACK_CHARS, name_line, one_line

FRAME = re.compile(r'^\s*File "(?P<file>[^"]*)", line (?P<line>\d+), in (?P<function>.*)$')
#: Python 3.11+ marks the failing expression with a line of carets; the whole line is highlighted instead.
CARETS = re.compile(r"^\s*[~^]+\s*$")
#: "line 18" in a message such as "has a syntax error at line 18, column 30".
LINE_IN_MESSAGE = re.compile(r"\bline (\d+)\b")
CONTEXT = 2
MAX_FRAMES = 6


@dataclass(frozen=True)
class Line:
    number: int
    text: str
    offending: bool


@dataclass(frozen=True)
class Frame:
    file: str
    line: int
    function: str
    lines: list[Line]


def frames(traceback: str, filename: str, source: str | None) -> list[Frame]:
    """The last frames of a traceback, each with its lines of the submission around the failing one."""
    found: list[Frame] = []
    for text in traceback[-TRACEBACK_CHARS:].splitlines():
        header = FRAME.match(text)
        if header:
            number = int(header["line"])
            excerpt = excerpt_at(source, number) if source and header["file"] == filename else []
            found.append(Frame(name_line(header["file"]), number, name_line(header["function"]), excerpt))
        elif found and not found[-1].lines and text.strip() and not CARETS.match(text):
            last = found[-1]
            found[-1] = Frame(last.file, last.line, last.function, [_line(last.line, text.strip(), True)])
    return found[-MAX_FRAMES:]


def excerpt_at(source: str, number: int) -> list[Line]:
    """A few numbered lines around line `number` (1-based), that line marked offending."""
    lines = source.splitlines()
    if not 1 <= number <= len(lines):
        return []
    first, last = max(1, number - CONTEXT), min(len(lines), number + CONTEXT)
    return [_line(n, lines[n - 1], n == number) for n in range(first, last + 1)]


def line_in(message: str | None) -> int | None:
    """The line number a grader message points at, if it names one."""
    match = LINE_IN_MESSAGE.search(message or "")
    return int(match.group(1)) if match else None


def _line(number: int, text: str, offending: bool) -> Line:
    return Line(number, one_line(text, LINE_CHARS), offending)
