"""A timeout says where: the line of the submission that was running, read from the worker's stack dump."""

from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.api import grade_submission
from grader.report.source import frames as report_frames
from grader.sandbox import stack
from grader.sandbox.stack import Source
from grader.sandbox.supervisor import Limits, Worker
from tests.sandbox.conftest import TESTS_ROOT, Submit
from tests.sandbox.probe_fixtures import ask

HANGS = TESTS_ROOT / "tests" / "students" / "exercise11" / "hangs.py"
#: Where hangs.py spins: its loop is on one line, so every dump names it.
SPINNING = {"line 20: `while True: pass`"}
#: The same student, with a check left at the bottom of the file that calls the looping function.
CHECK_AT_THE_BOTTOM = "\nmlp_backward(None, None, (0, 0, 0, 0))  # try it out\n"
HANG_LIMITS = Limits(call_timeout_s=1, import_timeout_s=1, cpu_seconds=10)

COPY = "/tmp/grader-sandbox-x/work/exercise11.py"
SOURCE = (
    "import numpy as np\n\n\ndef spin(n):\n    while True:\n        n += 1\n\n\ndef outer():\n    spin(0)\n"
)
DUMP = f"""Stack (most recent call first):
  File "/usr/lib/python3/numpy/core/fromnumeric.py", line 86 in _wrapreduction
  File "{COPY}", line 6 in spin
  File "/work/main/grader/probes/base.py", line 120 in run
  File "/home/other/exercise11.py", line 3 in spin
  File "{COPY}", line 999 in outer
  File "{COPY}", line 10 in outer
  File "/work/main/grader/sandbox/serve.py", line 163 in answer
  File "<string>", line 1 in <module>
"""


def test_only_the_submissions_frames_are_kept_and_quoted_from_the_graders_copy() -> None:
    found = stack.frames(DUMP, {COPY: Source("exercise11.py", "", SOURCE)})
    assert [(f.line, f.function) for f in found] == [(10, "outer"), (6, "spin")]  # outermost first
    assert found[-1].where == "line 6: `n += 1`"
    text = stack.traceback(found)
    assert text == (
        '  File "exercise11.py", line 10, in outer\n    spin(0)\n'
        '  File "exercise11.py", line 6, in spin\n    n += 1\n'
    )
    assert "grader" not in text and "numpy" not in text and "/" not in text


def test_the_report_shows_a_timeouts_frames_with_the_code_around_them() -> None:
    found = stack.frames(DUMP, {COPY: Source("exercise11.py", "", SOURCE)})
    shown = report_frames(stack.traceback(found), {"exercise11.py": SOURCE})
    assert [(frame.line, frame.function) for frame in shown] == [(10, "outer"), (6, "spin")]
    assert [line.text.strip() for line in shown[-1].lines if line.offending] == ["n += 1"]


def test_a_cell_is_named_with_its_line() -> None:
    dump = '  File "/tmp/w/ipykernel_7/123.py", line 2 in f\n'
    cell = Source("exercise11.ipynb, code cell 3", "code cell 3, ", "def f():\n    while True: pass\n")
    [frame] = stack.frames(dump, {"/tmp/w/ipykernel_7/123.py": cell})
    assert frame.where == "code cell 3, line 2: `while True: pass`"
    assert stack.traceback([frame]).startswith('  File "exercise11.ipynb, code cell 3", line 2, in f\n')


def test_what_the_dump_says_is_bounded_and_inert() -> None:
    source = 'def f():\n    print("\x1b[2J" + "' + "x" * 1000 + '")\n'
    dump = f'  File "{COPY}", line 2 in {"g" * 5000}\n'
    [frame] = stack.frames(dump, {COPY: Source("exercise11.py", "", source)})
    assert len(frame.function) == 200 and "\x1b" not in frame.where and len(frame.where) < 320


@pytest.fixture
def pipe() -> Iterator[tuple[int, int]]:
    read, write = os.pipe()
    os.set_blocking(read, False)
    yield read, write
    os.close(read)
    os.close(write)


def test_a_dump_is_read_until_the_worker_pauses(pipe: tuple[int, int]) -> None:
    read, write = pipe
    os.write(write, b"Stack (most recent call first):\n")
    started = time.monotonic()
    assert stack.read_dump(read, started + 5).startswith("Stack")
    assert time.monotonic() - started < 1  # a pause ended it, not the deadline


def test_no_dump_costs_at_most_the_wait(pipe: tuple[int, int]) -> None:
    read, _ = pipe
    started = time.monotonic()
    assert stack.read_dump(read, started + stack.DUMP_WAIT_S) == ""
    assert stack.DUMP_WAIT_S <= time.monotonic() - started < 1


@pytest.fixture
def hangs(tmp_path: Path) -> Path:
    target = tmp_path / "exercise11.py"
    shutil.copy(HANGS, target)
    return target


@pytest.mark.slow
def test_a_call_that_times_out_names_the_line_it_was_running(hangs: Path) -> None:
    with Worker(hangs, HANG_LIMITS, [str(TESTS_ROOT)]) as worker:
        reply = ask(worker, "mlp_backward", None, None, [0, 0, 0, 0])
    assert reply.status == "timeout" and reply.error is not None
    assert reply.error.where in SPINNING
    assert (
        reply.error.message
        == f"no answer within 1 s (the worker was stopped while running {reply.error.where})"
    )
    assert reply.error.line == 20
    assert reply.error.traceback.startswith('  File "exercise11.py", line 2')


@pytest.mark.slow
def test_an_import_that_times_out_names_the_line_it_was_running(hangs: Path) -> None:
    hangs.write_text(hangs.read_text() + CHECK_AT_THE_BOTTOM)
    result = grade_submission(hangs, overrides={"timeout": 1}, env={})
    assert result.status == "error"
    assert result.message in {
        f"exercise11.py did not finish importing within 1 s (it was running {where})" for where in SPINNING
    }


SPINS_IN_NUMPY = """
    import numpy as np

    def spin(row):
        while True:
            row = row + 0

    def outer():
        return np.apply_along_axis(spin, 0, np.ones(3))
"""


@pytest.mark.slow
def test_a_timeout_in_a_library_names_the_students_line_only(submit: Submit) -> None:
    worker = submit(SPINS_IN_NUMPY, call_timeout_s=1, cpu_seconds=10)
    reply = ask(worker, "outer")
    assert reply.error is not None and reply.error.where in {
        "line 5: `while True:`",
        "line 6: `row = row + 0`",
    }
    assert reply.error.traceback.count('File "student.py"') == 2
    assert "numpy" not in reply.error.traceback and "grader" not in reply.error.traceback


SILENCES_THE_DUMP = """
    import signal

    signal.signal(signal.SIGUSR1, signal.SIG_IGN)

    def spin():
        while True:
            pass
"""


@pytest.mark.slow
def test_a_worker_that_silences_the_dump_still_times_out_in_bounded_time(submit: Submit) -> None:
    worker = submit(SILENCES_THE_DUMP, call_timeout_s=1, cpu_seconds=10)
    assert worker.wait_ready().status == "ok"
    started = time.monotonic()
    reply = ask(worker, "spin")
    assert reply.error is not None and reply.error.message == "no answer within 1 s (the worker was stopped)"
    assert reply.error.where == "" and reply.error.line is None
    assert time.monotonic() - started < 1 + stack.DUMP_WAIT_S + 1
