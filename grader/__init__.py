"""Autograder for the chapter 'Backpropagation and automatic differentiation'.

`grader.grade(path, rubric=None, **options)` grades one submission and returns the
result JSON (SPEC §4) as a dict. The package import stays light because the student
process imports `grader.sandbox` and `grader.probes` too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # typing itself is not imported at run time: the worker should not pay for it
    from typing import Any


def grade(path: Any, rubric: Any = None, **options: Any) -> dict[str, Any]:
    """Grade one submission; see `grader.api.grade`."""
    from grader.api import grade as _grade

    return _grade(path, rubric, **options)
