"""How long a student waits for feedback after a save under `grade --watch`, against a cold `grade`.

One student of exercise 11 saves, the way editors do (a new file renamed over the old one), in
turn the version that forgot to divide by N and the correct one. Timed: a cold `grade FILE` (a
whole process, as a student types it), and under one running `grade --watch FILE` each save's
wait from the rename to the end of the new view (the poll and the settle included), and the
re-grade alone as the view says it ("graded ... in S s"). Both for the .py and the .ipynb.

    python benchmarks/bench_watch.py [--reps 7]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

from grader.cli.watch import SEPARATOR

ROOT = Path(__file__).resolve().parent.parent
STUDENTS = ROOT / "tests" / "students" / "exercise11"
VERSIONS = ("forgot_divide_by_n.py", "correct.py")
GRADED_IN = re.compile(r"^graded at \S+ in ([0-9.]+) s$")
#: As a student's machine runs it: Python keeps the bytecode it compiles.
ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def content(version: str, suffix: str) -> bytes:
    source = (STUDENTS / version).read_text()
    if suffix == ".py":
        return source.encode()
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])
    return nbformat.writes(notebook).encode()


def save(path: Path, data: bytes) -> None:
    fresh = path.with_name(f".{path.name}.tmp")
    fresh.write_bytes(data)
    os.replace(fresh, path)


def cold(path: Path, reps: int) -> float:
    times = []
    for rep in range(reps + 1):
        save(path, content(VERSIONS[rep % 2], path.suffix))
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "grader", "--no-html", path.name],
            cwd=path.parent,
            env=ENVIRONMENT,
            stdout=subprocess.DEVNULL,
            check=False,
        )
        times.append(time.perf_counter() - started)
    return statistics.median(times[1:])  # the first warms the file cache


def watched(path: Path, reps: int) -> tuple[float, float]:
    """Median wait from a save to its view, and median re-grade time as the view reports it."""
    save(path, content(VERSIONS[0], path.suffix))
    watch = subprocess.Popen(
        [sys.executable, "-m", "grader", "--watch", "--no-html", path.name],
        cwd=path.parent,
        env=ENVIRONMENT,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert watch.stdout is not None
    try:
        view(watch.stdout)
        waits, grading = [], []
        for rep in range(1, reps + 1):
            time.sleep(0.5)  # the student reads the view, edits
            started = time.perf_counter()
            save(path, content(VERSIONS[rep % 2], path.suffix))
            grading.append(view(watch.stdout))
            waits.append(time.perf_counter() - started)
        return statistics.median(waits), statistics.median(grading)
    finally:
        watch.terminate()
        watch.wait()


def view(stream: object) -> float:
    """Read one view; the re-grade time it reports."""
    seconds = float("nan")
    for line in stream:  # type: ignore[attr-defined]
        if line.rstrip("\n") == SEPARATOR:
            return seconds
        if match := GRADED_IN.match(line.rstrip("\n")):
            seconds = float(match.group(1))
    raise RuntimeError("the watch ended")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=7)
    args = parser.parse_args()
    print(f"{'file':18} {'cold grade':>11} {'save→view':>10} {'re-grade':>9}")
    with tempfile.TemporaryDirectory() as tmp:
        for suffix in (".py", ".ipynb"):
            path = Path(tmp) / f"exercise11{suffix}"
            first = cold(path, args.reps)
            wait, regrade = watched(path, args.reps)
            print(f"{path.name:18} {first * 1000:8.0f} ms {wait * 1000:7.0f} ms {regrade * 1000:6.0f} ms")


if __name__ == "__main__":
    main()
