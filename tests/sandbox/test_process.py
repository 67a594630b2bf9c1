"""A worker process's life: its rlimits, its pid for measurements from outside, and who may end it."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from grader.sandbox.output import CappedOutput
from grader.sandbox.process import GRADER_ROOT, WorkerProcess
from tests.sandbox.conftest import Submit
from tests.sandbox.probe_fixtures import ask

linux_only = pytest.mark.skipif(sys.platform != "linux", reason="prctl and /proc are Linux only")

#: Confines itself with a CPU and an open-file limit, says what it got, then spins.
SPINNER = """
import json, resource, sys
from grader.sandbox.confinement import confine
from grader.sandbox.policy import Paths

confine(Paths(sys.argv[1], (), ()), 2**31, 0, cpu_seconds=1, open_files=16)
limits = [resource.getrlimit(resource.RLIMIT_CPU), resource.getrlimit(resource.RLIMIT_NOFILE)]
print(json.dumps(limits), flush=True)
while True:
    pass
"""


@linux_only
def test_a_process_past_its_cpu_limit_is_killed(tmp_path: Path) -> None:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", SPINNER, str(tmp_path)],
        cwd=GRADER_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert json.loads(done.stdout) == [[1, 1], [16, 16]]
    assert time.monotonic() - started < 30


#: At import: tries to become undumpable (its /proc files would turn unreadable), then uses 64 MiB.
PEAK = """
import ctypes

libc = ctypes.CDLL(None, use_errno=True)
refused = libc.prctl(4, 0, 0, 0, 0) != 0  # PR_SET_DUMPABLE
print("dumpable:", libc.prctl(3, 0, 0, 0, 0), "refused:", refused, flush=True)  # PR_GET_DUMPABLE
peak = bytearray(64 * 2**20)
for i in range(0, len(peak), 4096):
    peak[i] = 1
del peak
"""


def kib(text: str, field: str) -> int:
    match = re.search(rf"^{field}:\s+(\d+) kB$", text, re.MULTILINE)
    assert match, f"no {field} in {text!r}"
    return int(match[1])


@linux_only
def test_the_grader_measures_a_worker_from_outside_through_its_pid(tmp_path: Path) -> None:
    submission = tmp_path / "peak.py"
    submission.write_text(PEAK)
    output = CappedOutput(4096)
    process = WorkerProcess(submission, memory_bytes=2**31, file_bytes=0, extra_sys_path=(), output=output)
    try:
        deadline = time.monotonic() + 30
        while b'"ready"' not in (line := process.channel.receive(deadline)):
            pass  # the sandbox's report, findings
        assert b'"ready":true' in line  # the peak is past
        proc = Path(f"/proc/{process.pid}")
        assert kib((proc / "status").read_text(), "VmHWM") >= 64 * 1024
        (proc / "clear_refs").write_text("1")
        (proc / "clear_refs").write_text("5")
        status = (proc / "status").read_text()
        assert kib(status, "VmHWM") < 64 * 1024 and kib(status, "VmRSS") < 64 * 1024  # the peak starts again
        assert kib((proc / "smaps_rollup").read_text(), "Referenced") < 64 * 1024
    finally:
        process.kill()
    assert "dumpable: 1 refused: True" in output.text


def test_a_worker_outlives_the_thread_that_started_it(submit: Submit) -> None:
    """A parent-death signal fires when the forking *thread* ends: a Dask task's, here a short one's."""
    started = []

    def start() -> None:
        worker = submit("def echo(x):\n    return x\n")
        started.append((worker, worker.wait_ready().status))  # the worker has set its signal by now

    thread = threading.Thread(target=start)
    thread.start()
    thread.join()
    time.sleep(0.2)
    worker, status = started[0]
    assert status == "ok" and ask(worker, "echo", 7).value == 7
