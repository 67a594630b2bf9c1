"""Copies a solution instead of writing one: by import, by path, with the grader's own loader, from tests.

Graded alone: when every theft fails, mlp_forward and mlp_backward are missing.
"""

import importlib
from pathlib import Path

import grader
from grader import course

COURSE = Path(grader.__file__).resolve().parents[1]


def _run(path):
    namespace = {}
    exec(path.read_text(), namespace)
    return namespace


THEFTS = {
    "import": lambda: vars(importlib.import_module("reference.exercise11")),
    "path": lambda: _run(COURSE / "reference" / "exercise11.py"),
    "loader": lambda: vars(course.load_reference(COURSE, "exercise11")),
    "tests": lambda: _run(COURSE / "tests" / "students" / "exercise11" / "correct.py"),
    "hidden seeds": lambda: {"rubric": (COURSE / "rubrics" / "exercise11.yaml").read_text()},
}
for how, theft in THEFTS.items():
    try:
        globals().update(theft())
        print("stole by", how)
    except Exception as exc:
        print("could not steal by", how, type(exc).__name__)
