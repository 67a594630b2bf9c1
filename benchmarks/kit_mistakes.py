"""Issue 13's figure: how many classic-mistake students get their mistake named by the kit alone.

Every student file under tests/students/<exercise>/ (but the `hangs` ones, whose verdicts wait
for time limits) is graded in this process twice, each copied under its exercise's name:
with the full course (the repository: reference/ and its wrong variants) and with the student
kit, which has no reference: the folder `grade assign` generates (grader/kit/), or --kit DIR.

A classic-mistake student is one whose file is named after a misconception of the exercise's
rubric (`forgot_divide_by_n.py`), or whom the full course tells a misconception. Their mistakes
are those ids; a run names the mistake when it tells the student one of them (a check, or one of
its distinct failures, carries it). For each mistake the kit does not name, the script says why:
which checks of the course named it, and why the kit cannot run them. Then the time of grading
exercise 11 in this process with each (a whole `grade` process is timed by bench_grade.py).

    python benchmarks/kit_mistakes.py [--kit DIR] [--reps 15]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from grader import relations
from grader.api import grade_submission
from grader.result import Result
from grader.rubric import Rubric, load
from grader.studentkit import kit_folder

ROOT = Path(__file__).resolve().parent.parent
STUDENTS = ROOT / "tests" / "students"
#: Timed: a correct submission, and one whose failing check names a mistake.
TIMED = ("correct", "forgot_divide_by_n")


@dataclass(frozen=True)
class Graded:
    """One student graded by the course and by the kit."""

    student: str
    rubric: Rubric
    course: Result
    kit: Result


def named(result: Result) -> set[str]:
    """Every misconception id the result tells the student, its checks' distinct failures included."""
    ids = {c.misconception for c in result.checks} | {
        f.misconception for c in result.checks for f in c.failures
    }
    return {i for i in ids if i}


def mistakes(path: Path, rubric: Rubric, course: Result) -> set[str]:
    """The student's classic mistakes: the file's name if it is a misconception id, and the course's names."""
    from_name = path.stem.replace("_", "-")
    return named(course) | ({from_name} if from_name in rubric.misconceptions else set())


def copied(path: Path, folder: Path) -> Path:
    target = folder / path.parent.name / path.stem / f"{path.parent.name}.py"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(path, target)
    return target


def grade_all(kit: Path, work: Path) -> list[Graded]:
    graded = []
    for path in sorted(STUDENTS.glob("exercise*/*.py")):
        if path.stem == "hangs":
            continue
        target = copied(path, work)
        rubric = load(ROOT / "rubrics" / f"{path.parent.name}.yaml")
        course = grade_submission(target, course_dir=ROOT, env={})
        graded.append(
            Graded(
                f"{path.parent.name}/{path.stem}",
                rubric,
                course,
                grade_submission(target, course_dir=kit, env={}),
            )
        )
        print(".", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    return graded


def why_missed(one: Graded, ident: str) -> str:
    """Why the kit does not name `ident`: where the course named it, and what the kit did there."""
    kinds = {check.id: check for check in one.rubric.checks}
    kit = {check.id: check for check in one.kit.checks}
    where = [
        c for c in one.course.checks if ident in {c.misconception} | {f.misconception for f in c.failures}
    ]
    if not where:
        return "the course does not name it either"
    reasons = []
    for check in where:
        theirs, ours = kinds[check.id], kit[check.id]
        if theirs.visibility != "visible":
            reasons.append(f"{check.id} is {theirs.visibility}: it runs on the course autograder only")
        elif ours.status == "skipped":
            reasons.append(f"{check.id} ({theirs.kind}) needs the reference: skipped in the kit")
        else:
            reasons.append(
                f"{check.id} ({theirs.kind}) is judged in the kit ({ours.status}) but names nothing"
            )
    return "; ".join(reasons)


def how_named(one: Graded, ident: str) -> str:
    """'relation' or 'shipped outcome': how the kit knew `ident` where a gradient check named it, else the
    check's kind (a property names what it observes)."""
    for check in one.rubric.checks:
        result = next(c for c in one.kit.checks if c.id == check.id)
        if ident in {result.misconception} | {f.misconception for f in result.failures}:
            if check.kind != "gradcheck":
                return f"{check.kind} verdict"
            return (
                "relation"
                if relations.declared(one.rubric.exercise, check.probe, ident)
                else "shipped outcome"
            )
    return "?"


def report(graded: list[Graded]) -> list[str]:
    """Per exercise, the classic-mistake students and how many of them the course and the kit tell
    their mistake; then the same over (student, mistake) pairs, how the kit knew each it names, and
    why it misses each it does not."""
    classic = [one for one in graded if mistakes(_file(one), one.rubric, one.course)]
    lines = ["students told their mistake:", f"  {'exercise':<12}{'students':>9}{'course':>8}{'kit':>6}"]
    for exercise in [*sorted({one.rubric.exercise for one in classic}), "all"]:
        ones = [one for one in classic if exercise in ("all", one.rubric.exercise)]
        by_course = sum(
            bool(named(one.course) & mistakes(_file(one), one.rubric, one.course)) for one in ones
        )
        by_kit = sum(bool(named(one.kit) & mistakes(_file(one), one.rubric, one.course)) for one in ones)
        lines.append(f"  {exercise:<12}{len(ones):>9}{by_course:>8}{by_kit:>6}")
    pairs = [
        (one, ident) for one in classic for ident in sorted(mistakes(_file(one), one.rubric, one.course))
    ]
    ways: dict[str, int] = {}
    missed = []
    for one, ident in pairs:
        if ident in named(one.kit):
            ways[how_named(one, ident)] = ways.get(how_named(one, ident), 0) + 1
        else:
            missed.append(f"  {one.student}: {ident}: {why_missed(one, ident)}")
    by_course = sum(ident in named(one.course) for one, ident in pairs)
    lines.append(
        f"mistakes (student, id): {len(pairs)}; the course names {by_course}, the kit {sum(ways.values())}"
    )
    lines.append("  the kit knows them by: " + _counts(ways))
    lines.append("mistakes the kit does not name (student: mistake: why):")
    return lines + (missed or ["  none"])


def _file(one: Graded) -> Path:
    return STUDENTS / f"{one.student}.py"


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{way} {n}" for way, n in sorted(counts.items(), key=lambda item: -item[1]))


def timings(kit: Path, work: Path, reps: int) -> list[str]:
    """Grading exercise 11 in this process with the course and with the kit, `reps` runs each taken in
    turns (the machine's load then weighs on both alike): the median and the fastest."""
    lines = [f"grade exercise11.py in process, {reps} runs each in turns: median (fastest)"]
    for name in TIMED:
        target = copied(STUDENTS / "exercise11" / f"{name}.py", work / "timed")
        runs: dict[str, list[float]] = {"course": [], "kit": []}
        for course in (ROOT, kit):
            grade_submission(target, course_dir=course, env={})  # warm: imports and loaded modules
        for _ in range(reps):
            for label, course in (("course", ROOT), ("kit", kit)):
                started = time.perf_counter()
                grade_submission(target, course_dir=course, env={})
                runs[label].append(time.perf_counter() - started)
        shown = {
            label: f"{statistics.median(v) * 1000:4.0f} ms ({min(v) * 1000:3.0f})"
            for label, v in runs.items()
        }
        ratio = statistics.median(runs["kit"]) / statistics.median(runs["course"])
        lines.append(
            f"  {name + '.py':<24} course {shown['course']}   kit {shown['kit']}   kit/course {ratio:.2f}"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kit", type=Path, default=kit_folder(ROOT), help="the kit (default: grader/kit)")
    parser.add_argument("--reps", type=int, default=15)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        print("\n".join(report(grade_all(args.kit, Path(tmp)))))
        print("\n".join(timings(args.kit, Path(tmp), args.reps)))


if __name__ == "__main__":
    main()
