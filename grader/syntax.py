"""Whether Python source compiles, said for a student: the first syntax error with line and column."""

from __future__ import annotations

import re
import warnings

from grader.text import LINE_CHARS, one_line

#: What ends a line for Python's compiler and importer (``str.splitlines`` breaks on more, e.g. form feeds).
LINE_END = re.compile(r"\r\n|\r|\n")
#: The file name compiled under. Python reads a SyntaxError's line from the file of that name, if one
#: exists in the current directory (perhaps another student's), and from the source only if none
#: does: no file can be called "".
NO_FILE = ""


def syntax_problem(source: str, filename: str) -> str | None:
    """A student-facing description of the first syntax error, with line and column, quoting ``source``."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # a student's SyntaxWarning is no news on the grader's stderr
            compile(source, NO_FILE, "exec", dont_inherit=True)
    except SyntaxError as exc:
        line = _line(source, exc.lineno or 0)
        column = _column(exc, line)
        where = f"line {exc.lineno}" + (f", column {column}" if column else "")
        text = quoted(line)
        return f"{filename} has a syntax error at {where}: {exc.msg}" + (f": {text}" if text else "")
    except ValueError as exc:  # e.g. null bytes in the source
        return f"{filename} cannot be compiled: {exc}"
    return None


def source_line(source: str, number: int) -> str:
    """Line ``number`` (1-based, as Python counts) of ``source``, quoted; "" if there is none."""
    return quoted(_line(source, number))


def lines_of(source: str) -> list[str]:
    """The lines of ``source`` as Python numbers them (the first is ``lines_of(source)[0]``)."""
    return LINE_END.split(source)


def quoted(line: str) -> str:
    """A line of source as feedback quotes it: stripped, inert, on one line, bounded."""
    return one_line(line.strip(), LINE_CHARS)


def _line(source: str, number: int) -> str:
    lines = LINE_END.split(source, maxsplit=number)
    return lines[number - 1] if 1 <= number <= len(lines) else ""


def _column(exc: SyntaxError, line: str) -> int | None:
    """The error's 1-based column in characters: where Python had no line to count in, it counted bytes."""
    if not exc.offset:
        return None
    if exc.text is not None:
        return exc.offset
    return len(line.encode()[: exc.offset - 1].decode("utf-8", errors="ignore")) + 1
