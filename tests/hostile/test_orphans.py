"""No orphans: when the grader dies, everything it started dies within seconds, and the next run
removes the directories it left.

A real grader runs in a child process (``python -m grader``) on submissions that never finish:
a module looping at import, notebooks looping in a cell (kernels forked from a fork server), and
``grade batch`` with two grading processes. Once every process is up, the grader gets SIGKILL
(or SIGTERM), and every process below it, found through /proc by parent pid and start time,
must be gone within a few seconds.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from grader.sandbox.process import GRADER_ROOT, sweep_stale
from tests.hostile.conftest import STUDENTS
from tests.notebook.convert import notebook_of

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(sys.platform != "linux", reason="parent-death signals and /proc are Linux only"),
]

LOOP = "\nwhile True:\n    pass\n"
#: Options that keep the grader waiting on the loops until it is killed.
WAIT = ["--timeout", "60"]
#: How long everything below a dead grader may take to die.
DEATH_S = 5.0
#: How long a grader may take to start all its processes (kernels are slow on a busy machine).
START_S = 90.0


def module(folder: Path) -> list[str]:
    """``grade exercise11.py``: the grader and its worker."""
    path = folder / "exercise11.py"
    path.write_text((STUDENTS / "correct.py").read_text() + LOOP)
    return [str(path), *WAIT, "--no-html"]


def notebooks(folder: Path) -> list[str]:
    """``grade FOLDER`` of two notebooks: a kernel fork server and one kernel at a time."""
    for exercise in ("exercise11", "exercise12"):
        (folder / f"{exercise}.ipynb").write_text(notebook_of(LOOP))
    return [str(folder), *WAIT, "--no-html"]


def batch(folder: Path) -> list[str]:
    """``grade batch`` of two students with --jobs 2: two grading processes and their workers."""
    for student in ("ann", "bob"):
        (folder / student).mkdir()
        module(folder / student)
    return ["batch", str(folder), "--out", str(folder.parent / "graded"), "--jobs", "2", *WAIT]


#: What is graded, and how many processes run below the grader once it grades.
SETUPS: dict[str, tuple[Callable[[Path], list[str]], int]] = {
    "a module": (module, 1),
    "notebooks": (notebooks, 2),
    "a batch": (batch, 4),
}


def descendants(root: int) -> set[tuple[int, str]]:
    """(pid, start time) of every live process below ``root``."""
    children: dict[int, list[tuple[int, str]]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            state, ppid, started = _stat(entry)
        except (OSError, IndexError):
            continue  # gone meanwhile
        if state != "Z":
            children.setdefault(ppid, []).append((int(entry.name), started))
    found: set[tuple[int, str]] = set()
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child[0])
    return found


def alive(process: tuple[int, str]) -> bool:
    """Whether that very process still runs (not a later one with its pid, not a zombie)."""
    try:
        state, _, started = _stat(Path(f"/proc/{process[0]}"))
    except (OSError, IndexError):
        return False
    return started == process[1] and state != "Z"


def _stat(proc: Path) -> tuple[str, int, str]:
    fields = (proc / "stat").read_text().rsplit(")", 1)[1].split()
    return fields[0], int(fields[1]), fields[19]  # state, ppid, start time


def wait_for(condition: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


@pytest.mark.parametrize("how", [signal.SIGKILL, signal.SIGTERM], ids=["SIGKILL", "SIGTERM"])
@pytest.mark.parametrize("setup", SETUPS)
def test_nothing_outlives_a_killed_grader(tmp_path: Path, setup: str, how: signal.Signals) -> None:
    make, expected = SETUPS[setup]
    folder, temporary = tmp_path / "submissions", tmp_path / "tmp"
    folder.mkdir()
    temporary.mkdir()
    arguments = make(folder)
    grader = subprocess.Popen(
        [sys.executable, "-m", "grader", *arguments],
        cwd=GRADER_ROOT,
        env={**os.environ, "TMPDIR": str(temporary)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    below: set[tuple[int, str]] = set()
    try:
        assert wait_for(lambda: len(descendants(grader.pid)) >= expected, START_S), descendants(grader.pid)
        time.sleep(1.0)  # every process has set its parent-death signal and entered its sandbox
        below = descendants(grader.pid)
        os.kill(grader.pid, how)
        grader.wait()
        assert wait_for(lambda: not any(map(alive, below)), DEATH_S), [p for p in below if alive(p)]
    finally:
        grader.kill()
        grader.wait()
        for orphan in filter(alive, below):  # should the test fail, leave no loop spinning
            os.kill(orphan[0], signal.SIGKILL)
    assert any(temporary.iterdir()), "the killed grader left its directories"
    sweep_stale(temporary)  # as the next run does first
    assert list(temporary.iterdir()) == []
