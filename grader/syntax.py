"""Whether Python source compiles, said for a student: the first syntax error with line and column."""

from __future__ import annotations


def syntax_problem(source: str, filename: str) -> str | None:
    """A student-facing description of the first syntax error, with line and column."""
    try:
        compile(source, filename, "exec", dont_inherit=True)
    except SyntaxError as exc:
        where = f"line {exc.lineno}" + (f", column {exc.offset}" if exc.offset else "")
        text = f": {exc.text.strip()}" if exc.text and exc.text.strip() else ""
        return f"{filename} has a syntax error at {where}: {exc.msg}{text}"
    except ValueError as exc:  # e.g. null bytes in the source
        return f"{filename} cannot be compiled: {exc}"
    return None
