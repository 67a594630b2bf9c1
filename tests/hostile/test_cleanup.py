"""Clean-up that cannot recurse or be led astray, and stale directories removed by the next run.

A killed grader leaves its workers' directories behind; the next run removes those whose
lock it can take (their owner is dead), never a live grader's. Removal is iterative and
never follows a symbolic link, whatever a directory holds: folders 10,000 deep, without
permissions, links to the outside.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from grader.sandbox.process import GRADER_ROOT, WORK, remove_tree, sweep_stale
from tests.hostile.conftest import STUDENTS, Grade, submission

#: Makes a workspace as a grader does, then dies without removing it.
DEAD_GRADER = """
import os
from grader.sandbox.process import WORKER_PREFIX, Workspace
print(Workspace(WORKER_PREFIX).path, flush=True)
os._exit(0)
"""


def bury(folder: Path, depth: int, outside: Path) -> None:
    """Nest ``depth`` folders in ``folder``, each with a file and a link to ``outside``, every
    tenth without permissions."""
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for level in range(depth):
            os.close(os.open("file", os.O_WRONLY | os.O_CREAT, 0o600, dir_fd=fd))
            os.symlink(outside, "link", dir_fd=fd)
            os.mkdir("d", dir_fd=fd)
            child = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            if level % 10 == 0:
                os.fchmod(fd, 0)
            os.close(fd)
            fd = child
    finally:
        os.close(fd)


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A folder the links point to: removing a tree must leave it alone."""
    folder = tmp_path / "outside"
    folder.mkdir()
    (folder / "keep.txt").write_text("not the grader's to delete\n")
    return folder


@pytest.mark.parametrize("depth", [50, *(pytest.param(n, marks=pytest.mark.slow) for n in (1_500, 10_000))])
def test_a_deep_tree_without_permissions_is_removed_without_following_links(
    tmp_path: Path, outside: Path, depth: int
) -> None:
    root = tmp_path / "tree"
    root.mkdir()
    bury(root, depth, outside)
    os.chmod(root, 0)
    remove_tree(root)
    assert not root.exists()
    assert [p.name for p in outside.iterdir()] == ["keep.txt"]


def test_a_link_in_place_of_the_directory_is_removed_as_a_link(tmp_path: Path, outside: Path) -> None:
    link = tmp_path / "swapped"
    link.symlink_to(outside)
    remove_tree(link)
    assert not link.is_symlink() and [p.name for p in outside.iterdir()] == ["keep.txt"]


@pytest.fixture
def temporary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The temporary folder of this test's graders (theirs and this process's)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def dead_workspace(temporary: Path) -> Path:
    """The workspace of a grader that died (here: exited without cleaning up)."""
    done = subprocess.run(
        [sys.executable, "-c", DEAD_GRADER],
        cwd=GRADER_ROOT,
        env={**os.environ, "TMPDIR": str(temporary)},
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(done.stdout.strip())


@pytest.mark.slow
def test_the_next_run_removes_a_dead_graders_directory_but_not_a_live_ones(
    temporary: Path, outside: Path, tmp_path: Path
) -> None:
    looping = tmp_path / "exercise11.py"
    looping.write_text((STUDENTS / "correct.py").read_text() + "\nwhile True:\n    pass\n")
    live = subprocess.Popen(
        [sys.executable, "-m", "grader", str(looping), "--timeout", "60", "--no-html"],
        cwd=GRADER_ROOT,
        env={**os.environ, "TMPDIR": str(temporary)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while not list(temporary.glob(f"*/{WORK}/exercise11.py")) and time.monotonic() < deadline:
            time.sleep(0.1)
        (theirs,) = temporary.iterdir()
        dead = dead_workspace(temporary)  # after the live one started (its first act is a sweep)
        bury(dead, 1_500, outside)
        sweep_stale(temporary)
        assert list(temporary.iterdir()) == [theirs] and (theirs / WORK / "exercise11.py").is_file()
        assert live.poll() is None, "the live grader goes on"
    finally:
        live.kill()
        live.wait()
    sweep_stale(temporary)
    assert list(temporary.iterdir()) == []
    assert [p.name for p in outside.iterdir()] == ["keep.txt"]


def test_grading_starts_by_removing_dead_graders_directories(grade_hostile: Grade, temporary: Path) -> None:
    dead = dead_workspace(temporary)
    graded = grade_hostile(submission(None))
    assert graded.result.passed and not dead.exists()
    assert list(temporary.iterdir()) == []


def test_a_submission_cannot_bury_its_directory(grade_hostile: Grade, temporary: Path) -> None:
    graded = grade_hostile(submission("deep_tree"))
    assert graded.result.passed
    assert "mkdir PermissionError" in graded.result.stdout
    assert "folders made: 0 links made: 0" in graded.result.stdout
    assert list(temporary.iterdir()) == []  # its directory is gone
