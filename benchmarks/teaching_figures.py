"""The teaching figures of issue 12: does the feedback name the mistake, and say what was wrong where?

Every hand-written student file under tests/students/<exercise>/ is graded in this process
(`grader.api.grade_submission`, the course at the repository's root, no GRADER_* variables),
each copied under its exercise's name into a temporary directory. Two figures follow:

(a) Classic mistakes named: of the students whose mistake is known, how many are told its
    name (a check, or one of its distinct failures, carries the misconception id).
    A student's mistake is known from two sources, and both count:
    - the grading matrices (`MATRIX` in tests/grading/test_exerciseNN.py): every
      `Expect(...)` entry `(status, misconception id)` of the student's file. They cover
      the most students (`power_missing_n` expects `power-rule-missing-n`);
    - the file name, when it is a rubric misconception id with '_' for '-'
      (`forgot_divide_by_n.py`). A matrix records what the grader says today, so a file
      whose matrix expects no name would never count as missed; its name is a witness
      written independently of the grader's output.

(b) Failing checks that explain themselves: of the checks whose status is `failed`, how
    many messages give each of ELEMENTS (the expected value, the value got, where, the
    tolerance), found by the patterns below on the message text, and which miss any.
    Static checks are left out: they judge the source and have no value to compare. A
    message about a single number (a scalar engine's gradient) has no index to give and
    counts as lacking "where" unless it names a shape: the list says which those are.

    python benchmarks/teaching_figures.py

Ratios and counts only; the run takes about two minutes, mostly the three `hangs.py`
files waiting for their time limits.
"""

from __future__ import annotations

import importlib
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from grader.api import grade_submission
from grader.result import Result
from grader.rubric import Rubric, load

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the grading matrices are modules of the `tests` package
STUDENTS = ROOT / "tests" / "students"
SUFFIXES = (".py", ".ipynb")

#: What a failing check's message should give, each found by any of its patterns (case-insensitive).
#: A value as messages write one: a number, inf or NaN, a shape "(5, 3)", an array "[1.5, -2]".
VALUE = r"(?:[-+]?(?:\d|inf\b|nan\b)|\(|\[[-+\d.e, ]*\])"
ELEMENTS: dict[str, tuple[str, ...]] = {
    # "expected 0.0209689", "expected (5, 3)", "should be 4"; not "was expected [2 of 3 cases failed: ...]"
    "expected": (rf"\b(?:expected|should be):?\s*{VALUE}",),
    "got": (
        rf"\bgot:?\s*{VALUE}",  # "got 0.125814"
        r"\bhas shape \(",  # "db2 has shape (1, 3)"
        r"\b(?:is|are|was|were)\s+(?:still\s+|exactly\s+)?[-+]?(?:\d|inf\b|nan\b)",  # "is 5001", "is NaN"
        r"\bcontains (?:inf|nan)\b",  # "p contains inf or NaN"
        r"\b\d+ times\b",  # "evaluated f 4 times", "listed 2 times"
        r"\b(?:used|took|ran) \d",  # "used 19.9 MiB", "took 46.8 ms", "ran 40 block forwards"
        r"\bsizes \d",  # "segments of sizes 1, 3, 3, 3"
    ),
    # an index ("at [2, 1]", "J[1]") or a shape ("shape (1, 3)")
    "where": (r"\[\d+(?:, \d+)*\]", r"\bshape \("),
    # "tolerance rtol=1e-05, atol=1e-07", "(allowed: 3×)", "the 14.8 MiB allowed"
    "tolerance": (r"\btolerance\b", r"\b[ar]tol=", r"\ballowed\b"),
}
PATTERNS = {name: [re.compile(p, re.IGNORECASE) for p in patterns] for name, patterns in ELEMENTS.items()}
#: How long a listed message may be in the output.
SHOWN = 160


def missing_elements(message: str | None) -> list[str]:
    """The ELEMENTS that `message` does not give, in their order."""
    text = message or ""
    return [name for name, patterns in PATTERNS.items() if not any(p.search(text) for p in patterns)]


def student_files(folder: Path = STUDENTS) -> list[Path]:
    """Every student file: tests/students/<exercise>/<name>.py|.ipynb."""
    return sorted(p for p in folder.glob("exercise*/*") if p.suffix in SUFFIXES)


def label(path: Path) -> str:
    """`exercise11/forgot_divide_by_n`: a student file without its suffix, as the matrices key it."""
    return f"{path.parent.name}/{path.stem}"


def expected_mistakes(files: Iterable[Path]) -> dict[str, set[str]]:
    """The misconception ids each classic-mistake student must be told: the matrix's and the file name's."""
    known: dict[str, set[str]] = {}
    for path in files:
        exercise = path.parent.name
        ids = _matrix_mistakes(exercise).get(path.stem, set())
        from_name = path.stem.replace("_", "-")
        if from_name in rubric(exercise).misconceptions:
            ids = ids | {from_name}
        if ids:
            known[label(path)] = ids
    return known


@cache
def _matrix_mistakes(exercise: str) -> dict[str, set[str]]:
    """Each student of the exercise's grading matrix with the misconception ids its entry expects."""
    try:
        matrix = importlib.import_module(f"tests.grading.test_{exercise}").MATRIX
    except (ImportError, AttributeError):
        return {}
    return {
        name: {want[1] for want in expect.checks.values() if isinstance(want, tuple) and want[1]}
        for name, expect in matrix.items()
    }


@cache
def rubric(exercise: str) -> Rubric:
    return load(ROOT / "rubrics" / f"{exercise}.yaml")


def grade_all(files: list[Path]) -> dict[str, Result]:
    """Each file graded under its exercise's name, one temporary directory each."""
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for i, path in enumerate(files):
            target = Path(tmp) / str(i) / f"{path.parent.name}{path.suffix}"
            target.parent.mkdir()
            shutil.copy(path, target)
            results[label(path)] = grade_submission(target, course_dir=ROOT, env={})
            print(".", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return results


def named(result: Result) -> set[str]:
    """Every misconception id the result tells the student, its checks' distinct failures included."""
    ids = {c.misconception for c in result.checks} | {
        f.misconception for c in result.checks for f in c.failures
    }
    return {i for i in ids if i}


@dataclass(frozen=True)
class Failing:
    """A failing check's message and the ELEMENTS it lacks."""

    student: str
    check: str
    message: str
    missing: list[str]
    kind: str


def failing_checks(results: Mapping[str, Result]) -> list[Failing]:
    """Every check with status failed, static ones too (see `report_messages`)."""
    return [
        Failing(student, c.id, c.message or "", missing_elements(c.message), _kind(result.exercise, c.id))
        for student, result in results.items()
        for c in result.checks
        if c.status == "failed"
    ]


def _kind(exercise: str, check_id: str) -> str:
    return next(c.kind for c in rubric(exercise).checks if c.id == check_id)


def share(part: int, whole: int) -> str:
    return f"{part}/{whole} ({part / whole:.0%})" if whole else "0/0"


def report_named(results: Mapping[str, Result], known: Mapping[str, set[str]]) -> list[str]:
    missed = {s: ids for s, ids in known.items() if not named(results[s]) & ids}
    lines = [f"(a) classic mistakes named: {share(len(known) - len(missed), len(known))} students"]
    for student, ids in sorted(missed.items()):
        told = ", ".join(sorted(named(results[student]))) or "nothing"
        lines.append(f"      not named: {student}: expected {', '.join(sorted(ids))}; told {told}")
    return lines


def report_messages(every: list[Failing]) -> list[str]:
    """The shares among failing checks that compare values: a static check judges the source
    (a forbidden import, nothing written yet) and has no value, place or tolerance to give."""
    failing = [f for f in every if f.kind != "static"]
    static = len(every) - len(failing)
    lines = [f"(b) failing checks (status failed): {len(failing)}, static ones ({static}) left out"]
    for element in ELEMENTS:
        has = sum(element not in f.missing for f in failing)
        lines.append(f"      with the {element + ':':<11} {share(has, len(failing))}")
    complete = sum(not f.missing for f in failing)
    lines.append(f"      with all four:       {share(complete, len(failing))}")
    lines.append("    missing any (what is missing: the message):")
    for f in failing:
        if f.missing:
            text = f.message if len(f.message) <= SHOWN else f.message[: SHOWN - 1] + "…"
            lines.append(f"      {f.student} {f.check}: no {', '.join(f.missing)}: {text}")
    return lines


def main() -> int:
    started = time.perf_counter()
    files = student_files()
    known = expected_mistakes(files)
    results = grade_all(files)
    seconds = time.perf_counter() - started
    print(f"{len(files)} student files under tests/students/, graded in {seconds:.0f} s")
    print("\n".join(report_named(results, known)))
    print("\n".join(report_messages(failing_checks(results))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
