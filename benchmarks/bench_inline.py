"""`grader.check()` in a running kernel versus `grade exerciseNN.py` for the same code.

A Jupyter kernel is started once and given a student's exercise 11 (a correct one, and one with
the classic forgot-divide-by-N mistake, whose feedback carries arrays); `grader.check(exercise=11)`
is then timed inside the kernel, first call (it imports the checks) apart from the warm ones a
student makes while working. The same code is graded by `grade FILE --course grader/kit --no-html`
in a fresh process, as a student would run it in a terminal. Both use the student kit's checks.

    python benchmarks/bench_inline.py [--reps 7]

Goal: a warm check well under a second.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from jupyter_client.manager import start_new_kernel

ROOT = Path(__file__).resolve().parent.parent
STUDENTS = ROOT / "tests" / "students" / "exercise11"
KIT = ROOT / "grader" / "kit"
GOAL_S = 1.0
TIMED = """
import time as _t, grader as _g
_started = _t.perf_counter()
_feedback = _g.check(exercise=11)
print(round(_t.perf_counter() - _started, 4), _feedback.verdicts["mlp_backward.gradcheck"])
"""


def in_kernel(student: str, reps: int) -> tuple[float, list[float], str]:
    """The first and the warm times of grader.check() on `student`'s code, and its verdict."""
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        run(client, (STUDENTS / f"{student}.py").read_text())
        times, verdict = [], ""
        for _ in range(reps + 1):
            seconds, verdict = run(client, TIMED).split()
            times.append(float(seconds))
        return times[0], times[1:], verdict
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


def run(client: object, code: str) -> str:
    """Execute `code` in the kernel (kept in its history, as a notebook's cells are); what it printed."""
    printed: list[str] = []

    def output(message: dict) -> None:
        if message["msg_type"] == "stream":
            printed.append(message["content"]["text"])

    reply = client.execute_interactive(code, store_history=True, output_hook=output, timeout=120)  # type: ignore[attr-defined]
    assert reply["content"]["status"] == "ok", reply["content"]
    return "".join(printed).strip()


def by_grade(student: str, reps: int) -> list[float]:
    """Wall-clock times of `grade exercise11.py` on `student`'s code, in a fresh process each."""
    times = []
    with tempfile.TemporaryDirectory() as work:
        submission = Path(work) / "exercise11.py"
        shutil.copy(STUDENTS / f"{student}.py", submission)
        command = [sys.executable, "-m", "grader", str(submission), "--course", str(KIT), "--no-html"]
        command += ["--json", str(Path(work) / "result.json")]
        for _ in range(reps):
            started = time.perf_counter()
            subprocess.run(command, capture_output=True, check=False, cwd=work)
            times.append(time.perf_counter() - started)
        json.loads((Path(work) / "result.json").read_text())  # it did grade
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--reps", type=int, default=7)
    reps = parser.parse_args(argv).reps
    worst = 0.0
    for student in ("correct", "forgot_divide_by_n"):
        first, warm, verdict = in_kernel(student, reps)
        cli = statistics.median(by_grade(student, reps))
        check = statistics.median(warm)
        worst = max(worst, check)
        print(
            f"{student:>20}: grader.check() {check * 1000:6.0f} ms (first call {first * 1000:.0f} ms), "
            f"grade exercise11.py {cli * 1000:6.0f} ms, ratio {cli / check:5.1f}x  [{verdict}]"
        )
    print(f"goal: a warm check under {GOAL_S:g} s: {'met' if worst < GOAL_S else 'MISSED'}")
    return 0 if worst < GOAL_S else 1


if __name__ == "__main__":
    sys.exit(main())
