"""Submissions that try to copy the solution on the autograder image instead of fixing their own bug.

Each is the student who forgot to divide by N (tests/students/exercise11) with a theft appended:
if the theft finds the reference's `mlp_backward`, it replaces the student's own. Each prints its
uid and whether it stole, so a test sees who ran it and what it got.
"""

from __future__ import annotations

from pathlib import Path

BUGGY = Path(__file__).resolve().parents[1] / "students" / "exercise11" / "forgot_divide_by_n.py"

THEFT = '''
import os
import sys
from pathlib import Path

ROOT = Path(sys.executable).parents[2]  # the autograder's root: the grader runs ROOT/venv/bin/python


def _solution_in(path):
    """The mlp_backward the file at `path` defines, if it is a solution (not a starter's stub)."""
    text = Path(path).read_text()
    if "def mlp_backward(" not in text or "NotImplementedError" in text:
        raise LookupError(f"{path} holds no solution")
    namespace = {}
    exec(compile(text, str(path), "exec"), namespace)
    return namespace["mlp_backward"]


def _steal():
@HOW@


try:
    mlp_backward = _steal()
    print("uid", os.getuid(), "stole the solution")
except Exception as exc:
    print("uid", os.getuid(), "found no solution:", type(exc).__name__)
'''

#: How each one looks for the solution (the body of `_steal`).
THEFTS = {
    "open the course's file": """
    return _solution_in(ROOT / "course" / "reference" / "exercise11.py")
""",
    "walk the image for exercise11.py": """
    for folder, _, files in os.walk(ROOT):  # the image's files: the machine's others are not the image's
        if "exercise11.py" in files and "submission" not in Path(folder).parts:
            try:
                return _solution_in(Path(folder) / "exercise11.py")
            except (LookupError, OSError):
                pass
    raise LookupError(f"no solution under {ROOT}")
""",
    "import reference": """
    from reference.exercise11 import mlp_backward

    return mlp_backward
""",
    "load it from the venv past the import guard": """
    import importlib.machinery
    import sysconfig

    packages = sysconfig.get_path("purelib")
    spec = importlib.machinery.PathFinder.find_spec("reference", [*sys.path, packages])
    if spec is not None:
        return _solution_in(Path(spec.submodule_search_locations[0]) / "exercise11.py")
    for path in Path(packages).rglob("exercise11.py"):
        try:
            return _solution_in(path)
        except LookupError:
            pass
    raise LookupError(f"no solution in {packages}")
""",
}


def cheater(how: str) -> str:
    """The source of the buggy student who tries to steal the solution `how`."""
    return BUGGY.read_text() + THEFT.replace("@HOW@", THEFTS[how].strip("\n"))
