"""`grade --watch`: the view of what changed, how saves are seen, what it refuses, and a real watch
of a file the test edits the way editors save (a new file renamed over the old one)."""

from __future__ import annotations

import os
import queue
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

import nbformat
import pytest

from grader.cli.watch import SEPARATOR, saves, stamp
from grader.result import CheckResult, Result
from grader.terminal import COMPACT_CHARS, changes, compact
from grader.text import message_line
from tests.cli_helpers import run_cli
from tests.notebook.conftest import processes_under

STUDENTS = Path(__file__).parent / "students" / "exercise11"


def result_of(*statuses: str, hidden: str = "") -> Result:
    checks = [
        CheckResult(f"c{i}", f"check {i}", status, 1.0 if status == "passed" else 0.0, 1.0)  # type: ignore[arg-type]
        for i, status in enumerate(statuses)
    ]
    if hidden:
        checks.append(
            CheckResult("h", "hidden check", hidden, 1.0 if hidden == "passed" else 0.0, 1.0, "hidden")
        )  # type: ignore[arg-type]
    return Result("exercise11.py", "0" * 64, "exercise11", checks)


def test_changes_name_each_check_newly_passing_or_failing_and_count_the_rest() -> None:
    text = changes(
        result_of("failed", "passed", "passed", "error"), result_of("passed", "failed", "passed", "timeout")
    )
    assert text.splitlines() == [
        "  since the last run: same score",
        "    newly passing: check 0",
        "    newly failing: check 1",
        "    unchanged: 1 passing, 1 failing",
    ]


def test_changes_say_how_the_score_moved() -> None:
    assert "score 0 → 2" in changes(result_of("failed", "failed"), result_of("passed", "passed"))


def test_a_hidden_check_never_shows_through_a_change() -> None:
    text = changes(result_of("passed", hidden="failed"), result_of("passed", hidden="passed"))
    assert "hidden check" not in text
    assert "unchanged: 1 passing, 0 failing" in text


def test_the_compact_view_shows_each_failing_check_with_its_message_and_mistake_only() -> None:
    result = result_of("passed", "failed")
    result.checks[1].message = "dW1 is off by a factor 6\nsecond line"
    result.checks[1].misconception = "forgot-divide-by-n"
    result.misconception_titles = {"forgot-divide-by-n": "Forgot to divide by N"}
    lines = compact(result).splitlines()
    assert lines[0] == "exercise11.py  score 1 / 2  (1 of 2 checks passed, 1 failed)"
    assert lines[1:] == [
        "  ✗ check 1  0/1",
        f"      {message_line(result.checks[1].message)}",
        "      mistake: Forgot to divide by N",
    ]


def test_the_compact_view_keeps_a_long_message_to_one_short_line() -> None:
    result = result_of("failed")
    result.checks[0].message = "off " * 200
    assert len(compact(result).splitlines()[2]) == len("      ") + COMPACT_CHARS


def editor_save(path: Path, text: str) -> None:
    """Save as editors do: write a new file beside it, then rename it over the old one."""
    fresh = path.with_name(f".{path.name}.swp")
    fresh.write_text(text)
    os.replace(fresh, path)


def polled(path: Path, edits: list[Callable[[], object]]) -> list[object]:
    """The stamps `saves` yields while `edits` run, one before each poll, until they are used up."""
    pending = list(edits)

    class Done(Exception):
        pass

    def sleep(_: float) -> None:
        if not pending:
            raise Done
        pending.pop(0)()

    yielded: list[object] = []
    with pytest.raises(Done):
        for item in saves(path, sleep=sleep):
            yielded.append(item)
    return yielded


def test_a_save_is_seen_once_it_holds_still_and_a_missing_file_is_a_save_under_way(tmp_path: Path) -> None:
    path = tmp_path / "exercise11.py"
    path.write_text("a = 1\n")
    first = stamp(path)
    states: list[object] = []

    def nothing() -> None:
        pass

    edits: list[Callable[[], object]] = [
        path.unlink,  # the old file is gone while the editor renames: no save yet
        lambda: editor_save(path, "a = 2\n"),
        lambda: states.append(stamp(path)),  # held still for one poll: graded
        nothing,
        lambda: path.write_text("a = 3\n"),  # a save that writes twice...
        lambda: path.write_text("a = 33\n"),
        lambda: states.append(stamp(path)),  # ...is graded once, when it settles
        nothing,
    ]
    assert polled(path, edits) == [first, *states]
    assert states[0] != first and states[0] != states[1]


@pytest.mark.parametrize(
    ("argv", "reason"),
    [
        (["a/exercise11.py", "b/exercise11.py"], "one exerciseNN.py or .ipynb file, not 2 paths"),
        (["."], "is a folder"),
        (["notes.txt"], "not notes.txt"),
        (["missing/exercise11.py"], "no such file"),
        (["exercise11.py", "--json", "-"], "--json is for one run"),
    ],
)
def test_watch_refuses_anything_but_one_exercise_file(
    argv: list[str], reason: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("notes.txt", "exercise11.py", "a/exercise11.py", "b/exercise11.py"):
        (tmp_path / name).parent.mkdir(exist_ok=True)
        (tmp_path / name).write_text("")
    code, out, err = run_cli(["--watch", *argv])
    assert (code, out) == (2, "")
    assert reason in err and err.count("\n") == 1


class Lines:
    """The lines a process writes on stdout, read on a thread so that waiting can time out."""

    def __init__(self, stream: IO[str]) -> None:
        self._queue: queue.Queue[str] = queue.Queue()
        threading.Thread(
            target=lambda: [self._queue.put(line.rstrip("\n")) for line in stream], daemon=True
        ).start()

    def until(self, last: Callable[[str], bool], timeout: float = 60) -> list[str]:
        """The next lines, up to the first for which `last` is true (left out)."""
        lines: list[str] = []
        deadline = time.monotonic() + timeout
        while not last(line := self._queue.get(timeout=max(deadline - time.monotonic(), 0))):
            lines.append(line)
        return lines

    def view(self) -> list[str]:
        """The next view: the lines up to the separator that ends it."""
        return self.until(lambda line: line == SEPARATOR)


@pytest.fixture
def watch_dir() -> Iterator[Path]:
    """A folder for the watched file and (as TMPDIR) every worker's workspace, so that whatever the
    watch starts can be found there."""
    root = Path(tempfile.mkdtemp(prefix="gw-"))
    (root / "tmp").mkdir()
    yield root
    shutil.rmtree(root, ignore_errors=True)


def submission_text(student: str, suffix: str) -> str:
    """A student file as the watched file holds it: the module itself, or a one-cell notebook of it."""
    source = (STUDENTS / student).read_text()
    if suffix == ".py":
        return source
    return nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)]))


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".py", ".ipynb"])
def test_watch_regrades_a_file_saved_by_an_editor_and_ctrl_c_leaves_nothing_running(
    suffix: str, watch_dir: Path
) -> None:
    path = watch_dir / f"exercise11{suffix}"
    path.write_text(submission_text("forgot_divide_by_n.py", suffix))
    watching = subprocess.Popen(
        [sys.executable, "-m", "grader", "--watch", path.name],
        cwd=watch_dir,
        env={**os.environ, "TMPDIR": str(watch_dir / "tmp")},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = Lines(watching.stdout)  # type: ignore[arg-type]
        first = lines.view()
        assert any("mistake: Forgot to divide by N" in line for line in first), first
        assert not any("\033" in line for line in first)  # not a terminal: no cursor control
        editor_save(path, submission_text("correct.py", suffix))
        second = lines.view()
        assert "    newly passing: mlp_backward matches numerical gradients of mlp_forward" in second, second
        assert (watch_dir / "grade-reports" / "exercise11.html").is_file()
        assert processes_under(str(watch_dir)), "the watch itself runs from its folder"
        watching.send_signal(signal.SIGINT)
        assert watching.wait(timeout=10) == 0, watching.stderr.read()  # type: ignore[union-attr]
        assert processes_under(str(watch_dir)) == []
    finally:
        watching.kill()
        watching.wait()


@pytest.mark.slow
def test_ctrl_c_while_a_check_hangs_stops_at_once_and_leaves_nothing_running(watch_dir: Path) -> None:
    path = watch_dir / "exercise11.py"
    path.write_text(submission_text("correct.py", ".py"))
    watching = subprocess.Popen(
        [sys.executable, "-m", "grader", "--watch", "--no-html", "--timeout", "30", path.name],
        cwd=watch_dir,
        env={**os.environ, "TMPDIR": str(watch_dir / "tmp")},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        lines = Lines(watching.stdout)  # type: ignore[arg-type]
        lines.view()
        editor_save(path, submission_text("hangs.py", ".py"))
        lines.until(lambda line: line.startswith("grading "))
        time.sleep(1)  # into the checks, which hang for 30 s
        assert any("grader-sandbox-" in process for process in processes_under(str(watch_dir)))
        started = time.monotonic()
        watching.send_signal(signal.SIGINT)
        assert watching.wait(timeout=10) == 0
        assert time.monotonic() - started < 5
        assert processes_under(str(watch_dir)) == []
    finally:
        watching.kill()
        watching.wait()
