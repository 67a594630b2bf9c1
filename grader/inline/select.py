"""Which exercise a check in a notebook is about, and which of its rubric's checks to run.

The rubrics are the student kit's (`grader.course.KIT`) whatever is installed: the reference is
never loaded into a student's kernel, so the verdicts are the kit's (visible checks; the others
run on the course autograder).
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from grader import course
from grader.crosscheck import verified
from grader.errors import UsageError
from grader.rubric import Check, Rubric, load

NUMBER = re.compile(r"(?:exercise)?(\d\d)")


def exercise_for(exercise: int | str | None, notebook: str | None, names: Iterable[str]) -> str:
    """The exercise given (11, "11", "exercise11"), else the notebook's, else the one whose graded
    names the kernel defines; a UsageError saying what to pass when none can be told."""
    if exercise is not None:
        match = NUMBER.fullmatch(str(exercise).strip())
        if match is None or match.group(1) not in _numbers():
            raise UsageError(f"unknown exercise {exercise!r}: one of {', '.join(_numbers())}")
        return f"exercise{match.group(1)}"
    named = course.exercise_of(Path(notebook)) if notebook else None
    if named is not None and named[len("exercise") :] in _numbers():
        return named
    return _by_names(frozenset(names))


def rubric(exercise: str) -> Rubric:
    """The student kit's rubric of `exercise`, loaded and cross-checked once per kernel."""
    return _kit_rubric(exercise)


def about(chosen: Rubric, name: str | None) -> Rubric:
    """`chosen` limited to the checks about the function `name` (their id starts with it, or their
    probe requires it); the whole rubric for None. A name no check is about is a UsageError."""
    if name is None:
        return chosen
    picked = tuple(check for check in chosen.checks if name in _about(chosen.exercise, check))
    if not picked:
        graded = sorted({n for check in chosen.checks for n in _about(chosen.exercise, check)})
        raise UsageError(f"no check of {chosen.exercise} is about {name!r}: try one of {', '.join(graded)}")
    return replace(chosen, checks=picked)


def _about(exercise: str, check: Check) -> set[str]:
    """The names a check is about: the one its id starts with, and those its probe requires (a
    withheld check of the kit names no probe)."""
    requires = _requires(exercise, check.probe) if check.probe else set()
    return requires | {check.id.partition(".")[0]}


def _requires(exercise: str, probe: str) -> set[str]:
    return set(getattr(importlib.import_module(f"grader.probes.{exercise}"), probe).requires)


def _by_names(names: frozenset[str]) -> str:
    """The exercise most of whose graded names are defined (all of them ahead of most of them)."""
    share = {f"exercise{n}": _share(f"exercise{n}", names) for n in _numbers()}
    best = max(share.values())
    found = [exercise for exercise, value in share.items() if value == best]
    if best == 0 or len(found) > 1:
        raise UsageError(
            "cannot tell which exercise this notebook is: name it, e.g. grader.check(exercise=11)"
        )
    return found[0]


def _share(exercise: str, names: frozenset[str]) -> float:
    graded = _callable_names(exercise)
    return len(graded & names) / len(graded) if graded else 0.0


def _callable_names(exercise: str) -> set[str]:
    """The names probes require (a check id's first part may be a topic such as `by-hand`)."""
    return {
        name for check in rubric(exercise).checks if check.probe for name in _requires(exercise, check.probe)
    }


@functools.cache
def _numbers() -> tuple[str, ...]:
    return tuple(
        sorted(path.stem[len("exercise") :] for path in (course.KIT / "rubrics").glob("exercise*.yaml"))
    )


@functools.cache
def _kit_rubric(exercise: str) -> Rubric:
    return verified(load(course.rubric_path(course.KIT, exercise)), None)
