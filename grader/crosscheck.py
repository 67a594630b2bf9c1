"""Cross-check a rubric against what it names: its probes and its course's classic mistakes.

`grader.rubric` validates a rubric on its own; this module checks that what it refers to
exists and fits, so that a wrong rubric is a usage error before any student code runs,
never a check the grader fails to judge:

- every check's probe exists in `grader.probes.<exercise>` and is of the kind its check judges;
- every misconception a check lists can be recognised, by a wrong variant of the reference
  in `reference/mistakes/<exercise>.py` (every probing check compares the submission's output,
  or the exception it raised, with the variants the check lists), or by the check's probe
  itself (an exception it names in `raises`, a verdict of its judge);
- every variant is listed by some check, every misconception the rubric defines too:
  otherwise the author's hint can never be shown where the author meant it to be. These are
  `unused`, not problems: a rubric that grades part of an exercise (a TA's quiz) is valid,
  so grading goes on; `grade check-rubric` says them, and the course's own rubrics have none.

Without a course holding the reference (a rubric on its own, the student kit) the variants
are unknown: what depends on them is not checked, and `Crosscheck.unchecked` says so.
"""

from __future__ import annotations

import functools
import importlib
import types
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader import course as courses
from grader.errors import RubricError
from grader.probes.base import Probe, Verdict
from grader.rubric import Check, Rubric

#: The kind of probe each kind of check judges (static checks read the source and need none).
PROBE_KINDS = {"gradcheck": "gradcheck", "reference": "value", "property": "property", "resource": "resource"}
#: Where a probe's judge may name misconceptions from: the probe modules' own code.
PROBES_PACKAGE = "grader.probes"


@dataclass(frozen=True)
class Crosscheck:
    """The problems found (each naming its key path), the mistakes no check lists, and what could
    not be checked, and why."""

    problems: tuple[str, ...] = ()
    unused: tuple[str, ...] = ()
    unchecked: tuple[str, ...] = ()


def verified(rubric: Rubric, course: Path | None) -> Rubric:
    """`rubric`, once everything it names is there; a RubricError listing every problem otherwise."""
    problems = crosscheck(rubric, course).problems
    if problems:
        raise RubricError(rubric.path, list(problems))
    return rubric


def crosscheck(rubric: Rubric, course: Path | None) -> Crosscheck:
    """Cross-check `rubric` with its probes and, when `course` holds the reference, its variants."""
    probes = _probes(rubric.exercise)
    variants = _variants(rubric.exercise, course)
    problems: list[str] = []
    if probes is None:
        problems.append(
            f"exercise: got {rubric.exercise!r}, expected an exercise with probes "
            f"(there is no {PROBES_PACKAGE}.{rubric.exercise})"
        )
    unverified: list[str] = []
    for index, check in enumerate(rubric.checks):
        if check.kind in PROBE_KINDS and not check.withheld:  # a withheld check names no probe
            found, unknown = _links(f"checks[{index}]", check, probes, variants)
            problems += found
            unverified += [ident for ident in unknown if ident not in unverified]
    unused = tuple(_unlisted(rubric, variants))
    if variants.ids is not None:
        return Crosscheck(tuple(problems), unused)
    backed = f"whether they back {', '.join(unverified)}, and " if unverified else ""
    return Crosscheck(
        tuple(problems), unused, (f"mistake variants ({variants.unknown}): {backed}whether each is used",)
    )


def names_of(probe: Probe) -> set[str]:
    """The misconception ids `probe` can name itself: those of its `raises` verdicts, and every
    string its judge can reach (constants of its code, values of its closure or partial, module
    names it uses, and the same for the probe modules' functions it calls). A superset: an id
    the probe can name is never missed, as long as it is written as a string, not computed."""
    named = {verdict.misconception for verdict in probe.raises.values() if verdict.misconception}
    return named | (_strings(probe.judge) if probe.judge is not None else set())


def _probes(exercise: str) -> types.ModuleType | None:
    name = f"{PROBES_PACKAGE}.{exercise}"
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as exc:
        if exc.name != name:
            raise
        return None


def _links(
    where: str, check: Check, probes: types.ModuleType | None, variants: _Variants
) -> tuple[list[str], list[str]]:
    """The problems of one check's probe and misconceptions, and the misconceptions only a variant
    could back where the variants are unknown."""
    probe, problems = _probe(where, check, probes) if probes is not None else (None, [])
    named = names_of(probe) if probe is not None else set()
    unbacked = [ident for ident in check.misconceptions if ident not in named]
    if variants.ids is None:
        return problems, unbacked
    problems += [
        f"{where}.misconceptions (check {check.id}): {ident!r} is recognised by nothing: "
        f"{variants.file} has no variant {ident!r} and probe {check.probe!r} never names it"
        for ident in unbacked
        if ident not in variants.ids
    ]
    return problems, []


def _probe(where: str, check: Check, probes: types.ModuleType) -> tuple[Probe | None, list[str]]:
    """The check's probe and its problems; a wrong kind still lets its misconceptions be checked."""
    probe = getattr(probes, check.probe or "", None)
    if not isinstance(probe, Probe):
        known = ", ".join(sorted(name for name, value in vars(probes).items() if isinstance(value, Probe)))
        return None, [
            f"{where}.probe (check {check.id}): got {check.probe!r}, "
            f"expected a probe of {probes.__name__}: {known}"
        ]
    if probe.kind == PROBE_KINDS[check.kind]:
        return probe, []
    right = next(kind for kind, judged in PROBE_KINDS.items() if judged == probe.kind)
    return probe, [
        f"{where}.kind (check {check.id}): got {check.kind!r}, expected {right!r}: "
        f"probe {check.probe!r} is a {probe.kind} probe"
    ]


@dataclass(frozen=True)
class _Variants:
    """An exercise's variants as grading builds them: their file and ids, or None and why not."""

    file: Path | None = None
    ids: frozenset[str] | None = None
    unknown: str = ""


def _variants(exercise: str, course: Path | None) -> _Variants:
    if course is None:
        return _Variants(unknown="no course directory")
    reference = courses.load_reference(course, exercise)
    if reference is None:
        return _Variants(unknown=f"{course} has no reference/{exercise}.py")
    file = course / "reference" / "mistakes" / f"{exercise}.py"
    return _Variants(file, frozenset(courses.Variants(course, exercise, reference)))


def _unlisted(rubric: Rubric, variants: _Variants) -> list[str]:
    """Misconceptions defined, and variants written, that no check lists."""
    listed = {ident for check in rubric.checks for ident in check.misconceptions}
    problems = [
        f"misconceptions[{index}].id: {ident!r} is listed by no check "
        "(list it under the checks that recognise it, or remove it)"
        for index, ident in enumerate(rubric.misconceptions)
        if ident not in listed
    ]
    problems += [
        f"{variants.file}: variant {ident!r} is listed by no check of the rubric, so it can never name "
        "a mistake (list it under the checks whose probes it gets wrong, or remove it)"
        for ident in sorted(variants.ids or ())
        if ident not in listed
    ]
    return problems


def _strings(function: Any) -> set[str]:
    """Every string reachable from `function` through its own code and that of the probe modules
    (see `names_of`); other libraries' code is not followed."""
    found: set[str] = set()
    seen: set[int] = set()
    todo: list[Any] = [function]
    while todo:
        item = todo.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, str):
            found.add(item)
        elif isinstance(item, Verdict):
            todo.append(item.misconception)
        elif isinstance(item, types.CodeType):
            todo += item.co_consts
        elif isinstance(item, types.FunctionType) and (item is function or _in_probes(item)):
            todo += _referred(item)
        elif isinstance(item, types.MethodType):
            todo.append(item.__func__)
        elif isinstance(item, functools.partial):
            todo += [item.func, *item.args, *item.keywords.values()]
        elif isinstance(item, Mapping):
            todo += item.values()
        elif isinstance(item, list | tuple | set | frozenset):
            todo += item
    return found


def _in_probes(function: types.FunctionType) -> bool:
    return (function.__module__ or "").startswith(PROBES_PACKAGE)


def _referred(function: types.FunctionType) -> list[Any]:
    """What a function's code refers to: its code, its closure's values, the module names it uses
    (in nested functions and comprehensions too, which share its globals)."""
    referred: list[Any] = [function.__code__, *(function.__defaults__ or ())]
    for cell in function.__closure__ or ():
        try:
            referred.append(cell.cell_contents)
        except ValueError:  # a cell not filled yet
            continue
    codes = [function.__code__]
    while codes:
        code = codes.pop()
        codes += [const for const in code.co_consts if isinstance(const, types.CodeType)]
        referred += [function.__globals__[name] for name in code.co_names if name in function.__globals__]
    return referred
