"""How long a student waits for `grade exerciseNN.py`, as a ratio to Python's own floor.

The floor, measured in the same run, is `python -c "import numpy"`: no grader can
answer faster than the interpreter that imports numpy. Each reference solution is
graded as a whole process (the command a student types), then a whole-chapter folder.

    python benchmarks/bench_grade.py [--reps 7]

Goal: a single exercise within 1.5x of the floor, and well under 2 s.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL = 1.5


#: As a student's machine runs it: Python keeps the bytecode it compiles (some setups switch that off).
ENVIRONMENT = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(command: list[str], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(
        command, cwd=cwd, env=ENVIRONMENT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False
    )
    return time.perf_counter() - started


def median_time(command: list[str], cwd: Path, reps: int) -> float:
    timed(command, cwd)  # warm the file cache
    return statistics.median(timed(command, cwd) for _ in range(reps))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=7)
    args = parser.parse_args()
    grade = [sys.executable, "-m", "grader", "--no-html"]
    with tempfile.TemporaryDirectory() as tmp:
        chapter = Path(tmp) / "chapter"
        chapter.mkdir()
        for ref in sorted((ROOT / "reference").glob("exercise1?.py")):
            shutil.copy(ref, chapter / ref.name)
        floor = median_time([sys.executable, "-c", "import numpy"], chapter, args.reps)
        print(f"floor  python -c 'import numpy'      {floor * 1000:7.0f} ms")
        print(f"{'submission':34} {'median':>9} {'ratio':>7}")
        for path in sorted(chapter.iterdir()):
            seconds = median_time([*grade, path.name], chapter, args.reps)
            verdict = "" if seconds / floor <= GOAL else f"  (goal {GOAL}x not met)"
            print(f"{path.name:34} {seconds * 1000:6.0f} ms {seconds / floor:6.2f}x{verdict}")
        seconds = median_time([*grade, "."], chapter, max(args.reps // 2, 3))
        print(f"{'whole chapter (8 exercises)':34} {seconds * 1000:6.0f} ms {seconds / floor:6.2f}x")


if __name__ == "__main__":
    main()
