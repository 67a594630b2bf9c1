"""How fast `grade batch` grades a class, how it scales with --jobs, whether the parent's memory stays flat.

A synthetic class copies the exercise 11 student matrix: correct, buggy and hanging
submissions (the hanging ones cost the --timeout of 1 s per check). Three batches run,
each as its own process, which reports its wall time and its own peak memory (the
grading processes it starts are not counted):

    the class with --jobs 1,  the class with --jobs 2,  a small class with --jobs 2

    python benchmarks/bench_batch.py [--students 200] [--small 50]

Goals: --jobs 2 at least 1.8x as fast as --jobs 1 (on 2 cores); the parent's peak
memory flat from the small class to the large one (results are streamed, not kept).
"cores used" (CPU time of the batch's processes over wall time) and the load average
after each run tell whether other work on the machine took cores from the batch.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from grader.batch.journal import read_latest

ROOT = Path(__file__).resolve().parent.parent
STUDENTS = ROOT / "tests" / "students" / "exercise11"
#: One in ten hangs; four in ten are correct; the rest make classic mistakes or raise.
MIX = [
    "correct", "forgot_divide_by_n", "correct", "no_relu_mask", "transposed_dw",
    "correct", "db_by_mean", "raises", "correct", "hangs",
]  # fmt: skip
KIND = {"correct": "correct", "hangs": "hanging"}
TIMEOUT_S = "1"
SPEEDUP_GOAL = 1.8
#: Growth of the parent's peak memory from the small class to the large one still called flat.
FLAT = 0.10
ROW = "{:>4} {:>8} {:>7} {:>10} {:>10} {:>10} {:>5}"
#: Runs `grade batch` in this process, then reports its wall time and peak memory as JSON.
MEASURE = """
import json, resource, sys, time
from grader.cli import main
started = time.perf_counter()
code = main(sys.argv[1:])
seconds = time.perf_counter() - started
peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"code": code, "seconds": seconds, "peak_kb": peak_kb}))
"""


def synthetic_class(directory: Path, students: int) -> Counter[str]:
    """`students` folders, each with an exercise11.py from MIX; how many of each kind."""
    kinds: Counter[str] = Counter()
    for i in range(students):
        matrix = MIX[i % len(MIX)]
        (directory / f"student{i:04d}").mkdir(parents=True)
        shutil.copy(STUDENTS / f"{matrix}.py", directory / f"student{i:04d}" / "exercise11.py")
        kinds[KIND.get(matrix, "buggy")] += 1
    return kinds


def batch(directory: Path, out: Path, jobs: int) -> dict[str, Any]:
    """Run one batch; its wall time, the parent's peak memory, and the CPU its whole process tree used."""
    argv = ["batch", str(directory), "--out", str(out), "--jobs", str(jobs), "--timeout", TIMEOUT_S]
    before = _children_cpu()
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, *argv],
        capture_output=True,
        text=True,
        check=False,
        cwd=directory.parent,
    )
    if done.returncode != 0:
        raise SystemExit(f"grade batch failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    report: dict[str, Any] = json.loads(done.stdout.splitlines()[-1])
    report["cores"] = (_children_cpu() - before) / report["seconds"]
    report["load"] = os.getloadavg()[0]
    lines = len(read_latest(out / "results.jsonl"))
    if report["code"] != 0 or lines != sum(1 for _ in directory.iterdir()):
        raise SystemExit(
            f"grade batch exited {report['code']} with {lines} lines:\n{done.stdout}{done.stderr}"
        )
    return report


def _children_cpu() -> float:
    """CPU seconds of every finished child process and its descendants (grading and student processes)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _row(jobs: int, students: int, report: dict[str, Any]) -> str:
    seconds = report["seconds"]
    figures = (f"{seconds:.1f}", f"{students / seconds * 60:.1f}", f"{report['peak_kb'] / 1024:.1f}")
    return ROW.format(jobs, students, *figures, f"{report['cores']:.2f}", f"{report['load']:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=200, help="size of the large class (default 200)")
    parser.add_argument("--small", type=int, default=50, help="size of the small class (default 50)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        large, small = Path(tmp) / "class", Path(tmp) / "small"
        kinds = synthetic_class(large, args.students)
        synthetic_class(small, args.small)
        mix = ", ".join(f"{count} {kind}" for kind, count in sorted(kinds.items()))
        print(f"class: {args.students} students ({mix}); small class: {args.small}; --timeout {TIMEOUT_S} s")
        print(ROW.format("jobs", "students", "wall s", "per minute", "parent MiB", "cores used", "load"))
        runs = {}
        for name, directory, jobs in (("one", large, 1), ("two", large, 2), ("small", small, 2)):
            report = runs[name] = batch(directory, Path(tmp) / f"out-{name}", jobs)
            print(_row(jobs, sum(1 for _ in directory.iterdir()), report))
    speedup = runs["one"]["seconds"] / runs["two"]["seconds"]
    verdict = "goal met" if speedup >= SPEEDUP_GOAL else "goal NOT met"
    print(f"speedup of --jobs 2 over --jobs 1: {speedup:.2f}x (goal >= {SPEEDUP_GOAL}x: {verdict})")
    growth = runs["two"]["peak_kb"] / runs["small"]["peak_kb"] - 1
    verdict = "flat" if growth <= FLAT else "NOT flat"
    print(
        f"parent peak memory, {args.students} vs {args.small} students: "
        f"{runs['two']['peak_kb'] / 1024:.1f} vs {runs['small']['peak_kb'] / 1024:.1f} MiB "
        f"({growth:+.1%}; goal within +{FLAT:.0%}: {verdict})"
    )


if __name__ == "__main__":
    main()
