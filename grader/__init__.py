"""Autograder for the chapter 'Backpropagation and automatic differentiation'.

`grader.grade(path, *, course=None, rubric=None, atol=None, ...)` grades one submission
and returns the result JSON (SPEC §4) as a dict; see `grader.api.grade`. It is loaded on
first use: the package import stays light because the student process imports
`grader.sandbox` and `grader.probes` too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # typing itself is not imported at run time: the worker should not pay for it
    from typing import Any

    from grader.api import grade

__all__ = ["grade"]


def __getattr__(name: str) -> Any:
    """`grader.grade`, imported when first asked for."""
    if name == "grade":
        from grader.api import grade

        return grade
    raise AttributeError(f"module 'grader' has no attribute {name!r}")
