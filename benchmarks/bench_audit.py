"""What the worker's audit hook costs: per audit event, and on exercise 13's deepest check.

CPython calls every audit hook for every event, and submissions raise hot events the
hook ignores: exercise 13's reference raises 300,000 `builtins.id` on its 100,000-node
check. Three variants, each in fresh interpreters since a hook cannot be removed:
no hook (the floor, measured in the same run), the C dispatch (grader/sandbox/_audit.c:
only the events the hook handles reach Python) and the plain Python hook (the fallback
where the extension was not built).

    python benchmarks/bench_audit.py [--reps 5]

Goal: the C dispatch within 1.2x of the floor on the deep-chain check.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FLOOR, C_DISPATCH, PYTHON_HOOK = "no hook", "C dispatch", "Python hook"
VARIANTS = (FLOOR, C_DISPATCH, PYTHON_HOOK)
GOAL = 1.2
#: Events per timed loop: an ignored one (id) and a handled one (listing the worker's directory).
IGNORED_EVENTS, HANDLED_EVENTS = 1_000_000, 20_000
#: Exercise 13's check on a 100,000-node chain (rubrics/exercise13.yaml).
DEEP_CHECK = "depth.property"


def configure(variant: str) -> None:
    """Make the next ``audit.install`` in this process add the hook ``variant`` names."""
    if variant != C_DISPATCH:
        sys.modules["grader.sandbox._audit"] = None  # type: ignore[assignment]  # as if never built
    if variant == FLOOR:
        sys.addaudithook = lambda hook: None


def time_events(variant: str, workdir: Path, reps: int) -> dict[str, float]:
    """Nanoseconds per ignored and per handled event, in this process with ``variant`` installed."""
    from grader.sandbox import audit
    from grader.sandbox.policy import sandbox_paths

    configure(variant)
    audit.install(sandbox_paths(workdir, ROOT), lambda rule, message: None, str(workdir / "student.py"))
    thing = object()

    def ignored() -> None:
        for _ in range(IGNORED_EVENTS):
            id(thing)

    def handled() -> None:
        for _ in range(HANDLED_EVENTS):
            os.listdir(workdir)

    return {
        "ignored": _best(ignored, reps) / IGNORED_EVENTS * 1e9,
        "handled": _best(handled, reps) / HANDLED_EVENTS * 1e9,
    }


def _best(loop: Callable[[], None], reps: int) -> float:
    times = []
    for _ in range(reps):
        started = time.perf_counter()
        loop()
        times.append(time.perf_counter() - started)
    return min(times)


def events_in_child(variant: str, workdir: Path, reps: int) -> dict[str, float]:
    command = [sys.executable, __file__, "--events", variant, "--workdir", str(workdir), "--reps", str(reps)]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True)
    result: dict[str, float] = json.loads(done.stdout)
    return result


def grade_deep_chain(variant: str, submission: Path) -> tuple[float, float]:
    """Seconds of the deep-chain check and of the whole grading, in a worker with ``variant``."""
    from grader import api
    from grader.sandbox import process

    original = process.BOOTSTRAP
    here = str(Path(__file__).parent)
    process.BOOTSTRAP = (
        f"import sys; sys.path.insert(0, {here!r}); import bench_audit; "
        f"bench_audit.configure({variant!r}); del sys.path[0]; " + original
    )
    try:
        result = api.grade_submission(submission, course_dir=ROOT)
    finally:
        process.BOOTSTRAP = original
    check = next(c for c in result.checks if c.id == DEEP_CHECK)
    assert check.status == "passed", check
    return check.duration_s, result.duration_s


def report_events(reps: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        costs = {variant: events_in_child(variant, Path(tmp), reps) for variant in VARIANTS}
    floor = costs[FLOOR]
    print(f"{'per audit event':34} {'ignored (id)':>18} {'handled (listdir)':>22}")
    for variant, cost in costs.items():
        cells = [f"{cost[kind]:8.0f} ns {cost[kind] / floor[kind]:6.2f}x" for kind in ("ignored", "handled")]
        print(f"{variant:34} {cells[0]:>18} {cells[1]:>22}")


def report_exercise13(reps: int) -> None:
    times: dict[str, list[tuple[float, float]]] = {variant: [] for variant in VARIANTS}
    with tempfile.TemporaryDirectory() as tmp:
        submission = Path(tmp) / "exercise13.py"
        shutil.copy(ROOT / "reference" / "exercise13.py", submission)
        for _ in range(reps + 1):  # interleaved, so drift hits every variant alike
            for variant in VARIANTS:
                times[variant].append(grade_deep_chain(variant, submission))
    medians = {v: [statistics.median(run[i] for run in t[1:]) for i in (0, 1)] for v, t in times.items()}
    check_floor, grade_floor = medians[FLOOR]
    print(f"\n{'exercise 13 (reference), median':34} {'deep-chain check':>18} {'whole grading':>22}")
    for variant, (check, whole) in medians.items():
        verdict = "" if variant != C_DISPATCH or check / check_floor <= GOAL else f"  (goal {GOAL}x not met)"
        cells = [f"{check * 1000:6.0f} ms {check / check_floor:6.2f}x", f"{whole * 1000:6.0f} ms"]
        print(f"{variant:34} {cells[0]:>18} {cells[1] + f' {whole / grade_floor:6.2f}x':>22}{verdict}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--events", choices=VARIANTS, help=argparse.SUPPRESS)  # the per-event child
    parser.add_argument("--workdir", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.events:
        print(json.dumps(time_events(args.events, args.workdir, args.reps)))
        return
    report_events(args.reps)
    report_exercise13(args.reps)


if __name__ == "__main__":
    main()
