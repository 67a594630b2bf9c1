"""Autograder for the chapter 'Backpropagation and automatic differentiation'.

`grader.grade(path, *, course=None, rubric=None, atol=None, ...)` grades one submission
and returns the result JSON (SPEC §4) as a dict; see `grader.api.grade`. In a notebook,
`grader.check()` (or `grader.check("mlp_backward")`) grades what the kernel defines now and shows
the feedback inline, and `%load_ext grader` adds the `%grade` magic; see `grader.inline`. They are
loaded on first use: the package import stays light because the student process imports
`grader.sandbox` and `grader.probes` too (and a graded notebook's `import grader` costs nothing).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # typing itself is not imported at run time: the worker should not pay for it
    from typing import Any

    from grader.api import grade
    from grader.inline.check import check
    from grader.inline.magic import load_ipython_extension

__all__ = ["check", "grade", "load_ipython_extension"]


def __getattr__(name: str) -> Any:
    """`grader.grade`, `grader.check` and `grader.load_ipython_extension`, imported when first asked for."""
    if name == "grade":
        from grader.api import grade

        return grade
    if name == "check":
        from grader.inline.check import check

        return check
    if name == "load_ipython_extension":
        from grader.inline.magic import load_ipython_extension

        return load_ipython_extension
    raise AttributeError(f"module 'grader' has no attribute {name!r}")
