"""Worker round trips and every way a submission can fail: errors, exits, crashes, hangs, floods."""

from __future__ import annotations

import contextlib
import time
from pathlib import Path

import numpy as np
import pytest

from grader.sandbox import process
from grader.sandbox.supervisor import CORRUPTED_MESSAGE, OVERSIZED_MESSAGE
from tests.sandbox.conftest import Submit
from tests.sandbox.probe_fixtures import ask

ECHO = """
    import os
    import numpy as np

    def echo(x):
        return x

    def pid():
        return os.getpid()
"""


def test_arrays_round_trip_exactly_and_names_are_listed(submit: Submit) -> None:
    worker = submit(ECHO + "\n    def nested():\n        return {'t': (1, np.float32(0.5)), 'n': None}\n")
    assert worker.wait_ready().value == ["echo", "nested", "np", "os", "pid"]
    x = np.array([[0.1, -0.0, np.nan], [np.inf, -np.inf, 5e-324]])
    reply = ask(worker, "echo", x)
    assert reply.status == "ok" and reply.value.tobytes() == x.tobytes()
    assert ask(worker, "nested").value == {"t": [1, 0.5], "n": None}


STUDENT_BUG = """
    import numpy as np

    def helper(x):
        return x / 0

    def outer(x):
        y = helper(x)
        return y

    def shapes():
        return np.dot(np.ones(2), np.ones(3))
"""


def test_student_exception_shows_only_the_students_frames(submit: Submit) -> None:
    reply = ask(submit(STUDENT_BUG), "outer", 1)
    assert reply.status == "error" and reply.error is not None
    assert (reply.error.type, reply.error.message, reply.error.line) == (
        "ZeroDivisionError",
        "division by zero",
        5,
    )
    trace = reply.error.traceback
    assert 'File "student.py", line 8, in outer' in trace
    assert 'File "student.py", line 5, in helper\n    return x / 0' in trace
    assert "probe_fixtures" not in trace and "worker.py" not in trace and "grader-worker" not in trace


def test_error_inside_numpy_points_at_the_students_line(submit: Submit) -> None:
    reply = ask(submit(STUDENT_BUG), "shapes")
    assert reply.error is not None and reply.error.type == "ValueError" and reply.error.line == 12
    assert "numpy" not in reply.error.traceback


def test_runaway_recursion_is_an_error_with_a_short_traceback(submit: Submit) -> None:
    worker = submit("def down(n):\n    return down(n + 1)\n")
    reply = ask(worker, "down", 0)
    assert reply.error is not None and reply.error.type == "RecursionError" and reply.error.line == 2
    assert "more times" in reply.error.traceback and len(reply.error.traceback) < 1000


@pytest.mark.parametrize(
    ("source", "kind", "message", "line"),
    [
        ("x = 1\nraise ValueError('bad setup')\n", "ValueError", "bad setup", 2),
        ("import sys\nsys.exit(3)\n", "SystemExit", "3", 2),
        ("import reference\n", "ModuleNotFoundError", "No module named 'reference'", 1),
    ],
    ids=["raises", "sys.exit", "imports reference"],
)
def test_failed_import_is_reported_and_final(
    submit: Submit, source: str, kind: str, message: str, line: int
) -> None:
    worker = submit(source)
    ready = worker.wait_ready()
    assert ready.status == "error" and ready.error is not None
    assert (ready.error.type, ready.error.message, ready.error.line) == (kind, message, line)
    assert ask(worker, "anything") is ready


def test_sys_exit_in_a_call_is_an_error_and_the_worker_survives(submit: Submit) -> None:
    worker = submit(ECHO + "\n    def leave():\n        raise SystemExit('bye')\n")
    before = ask(worker, "pid").value
    reply = ask(worker, "leave")
    assert reply.error is not None and (reply.error.type, reply.error.message) == ("SystemExit", "bye")
    assert ask(worker, "pid").value == before


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("os._exit(7)", "exited with code 7"),
        ("os.kill(os.getpid(), signal.SIGSEGV)", "killed by SIGSEGV"),
    ],
)
def test_hard_exit_is_a_crash_and_the_next_call_restarts(submit: Submit, code: str, expected: str) -> None:
    worker = submit(ECHO + f"\n    import signal\n\n    def die():\n        {code}\n")
    before = ask(worker, "pid").value
    reply = ask(worker, "die")
    assert reply.status == "crashed" and reply.error is not None and expected in reply.error.message
    after = ask(worker, "pid")
    assert after.status == "ok" and after.value != before


def test_segfault_output_shows_where_it_happened(submit: Submit) -> None:
    worker = submit("import os, signal\n\ndef die():\n    os.kill(os.getpid(), signal.SIGSEGV)\n")
    ask(worker, "die")
    assert "Segmentation fault" in worker.output and 'File "' in worker.output


#: The time limit of the hanging tests; their worker's CPU limit is a backstop ten times longer. A
#: spinning worker uses at most one CPU second per second, so the backstop never fires before a
#: working timeout, however loaded the machine; with a timeout that never fires, it kills the
#: worker, and the test fails on the status ("crashed", not "timeout") instead of hanging.
TIMEOUT_S = 1.0
HANG_LIMITS = {"call_timeout_s": TIMEOUT_S, "import_timeout_s": TIMEOUT_S, "cpu_seconds": 10}


def children() -> set[int]:
    """Pids of this process's live children (started from any of its threads): its workers."""
    pids: set[int] = set()
    for task in Path("/proc/self/task").iterdir():
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):  # a thread that just ended
            pids.update(int(pid) for pid in (task / "children").read_text().split())
    return pids


#: Where `spin` (lines 13 and 14 of its file) can be found running.
SPINNING = {"line 13: `while True:`", "line 14: `x += 1`"}


@pytest.mark.slow
def test_hanging_call_times_out_and_the_next_call_gets_a_fresh_worker(submit: Submit) -> None:
    before = children()
    worker = submit(
        ECHO + "\n    def spin():\n        x = 0\n        while True:\n            x += 1\n", **HANG_LIMITS
    )
    pid = ask(worker, "pid").value
    assert children() > before
    started = time.monotonic()
    reply = ask(worker, "spin")
    assert reply.status == "timeout" and reply.error is not None
    assert reply.error.where in SPINNING and reply.error.line == int(reply.error.where.split()[1][:-1])
    assert (
        reply.error.message
        == f"no answer within 1 s (the worker was stopped while running {reply.error.where})"
    )
    assert time.monotonic() - started >= TIMEOUT_S  # not before the limit
    assert children() <= before  # the worker is gone, killed and reaped
    after = ask(worker, "pid")
    assert after.status == "ok" and after.value != pid


@pytest.mark.slow
def test_hanging_import_times_out(submit: Submit) -> None:
    before, started = children(), time.monotonic()
    worker = submit("import time\n\nwhile True:\n    time.sleep(0.01)\n", **HANG_LIMITS)
    ready = worker.wait_ready()
    assert ready.status == "timeout" and ready.error is not None
    assert ready.error.message == (
        "importing the submission took longer than 1 s (it was running line 4: `time.sleep(0.01)`)"
    )
    assert time.monotonic() - started >= TIMEOUT_S
    assert children() <= before
    assert ask(worker, "anything") is ready  # final: no new worker tries the import again
    assert children() <= before


#: A call timeout far above what a short nap takes, even on a loaded machine, and an import that
#: sleeps longer than it: the reply can be "ok" only if the restart's import is not counted. The
#: nap keeps the reply from being there already when an expired deadline is first checked.
CALL_TIMEOUT_S = 2.0
IMPORT_SLEEP_S = CALL_TIMEOUT_S + 0.5
NAPPER = f"""
    import os
    import time

    time.sleep({IMPORT_SLEEP_S})

    def nap():
        time.sleep(0.1)
        return 1

    def die():
        os._exit(1)
"""


@pytest.mark.slow
def test_restart_import_does_not_count_against_the_call_timeout(submit: Submit) -> None:
    worker = submit(NAPPER)
    assert ask(worker, "die").status == "crashed"
    started = time.monotonic()
    reply = ask(worker, "nap", timeout=CALL_TIMEOUT_S)
    assert (reply.status, reply.value) == ("ok", 1)
    assert time.monotonic() - started > CALL_TIMEOUT_S  # the restart's import did take longer


SCRIBBLER = """
    import os

    def scribble():
        for fd in range(3, 256):
            try:
                os.write(fd, b"{garbage\\n")
            except OSError:
                pass

    def ok():
        return 1
"""


def test_garbage_on_the_channel_at_import_is_a_crash(submit: Submit) -> None:
    ready = submit(SCRIBBLER + "\n    scribble()\n").wait_ready()
    assert ready.status == "crashed" and ready.error is not None
    assert ready.error.message == CORRUPTED_MESSAGE


def test_garbage_on_the_channel_in_a_call_is_a_crash_then_restart(submit: Submit) -> None:
    worker = submit(SCRIBBLER)
    reply = ask(worker, "scribble")
    assert reply.status == "crashed" and reply.error is not None
    assert reply.error.message == CORRUPTED_MESSAGE
    assert ask(worker, "ok").value == 1


def test_oversized_answer_is_a_crash(submit: Submit, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(process, "MAX_REPLY_BYTES", 1 << 20)
    reply = ask(submit("def big():\n    return 'x' * 3_000_000\n"), "big")
    assert reply.status == "crashed" and reply.error is not None
    assert reply.error.message == OVERSIZED_MESSAGE


def test_output_of_every_incarnation_is_captured(submit: Submit) -> None:
    worker = submit(
        "import os\nprint('importing')\n\ndef hello():\n    print('hi', flush=False)\n    os._exit(0)\n"
    )
    ask(worker, "hello")
    worker.wait_ready()
    worker.close()  # the output is complete once the worker is stopped
    assert worker.output.splitlines() == ["importing", "hi", "importing"]
    assert not worker.output_truncated


@pytest.mark.slow
def test_flood_of_output_is_capped_and_the_call_still_answers(submit: Submit) -> None:
    worker = submit(
        "def shout():\n    line = 'x' * 999\n    for _ in range(50_000):\n        print(line)\n    return 1\n"
    )
    # A drain that stopped reading would block the worker until the call timeout: the status tells.
    reply = ask(worker, "shout")
    assert (reply.status, reply.value) == ("ok", 1)
    assert worker.output_truncated and 0 < len(worker.output) <= 64 * 1024


def test_close_is_idempotent_and_usable_as_a_context_manager(submit: Submit) -> None:
    worker = submit(ECHO)
    with worker:
        assert ask(worker, "echo", 2).value == 2
    worker.close()
    with pytest.raises(RuntimeError, match="closed"):
        worker.start()
