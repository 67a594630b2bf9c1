"""One mixed class, graded once per session by the local executor; tests read its outputs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.batch.classes import TIMEOUT, add_student, make_fifo
from tests.cli_helpers import run_cli

#: Student → (matrix student, as a notebook): the graded part of the mixed class.
GRADED = {
    "alice": ("correct", False),
    "bob smith": ("forgot_divide_by_n", False),
    "zoë": ("hangs", False),
    "dora": ("no_relu_mask", True),
    "mallory": ("correct+kill_grader", False),  # blocked or not, one row and the batch goes on
}


@dataclass(frozen=True)
class Batch:
    directory: Path
    out: Path
    code: int
    stdout: str
    stderr: str


def mixed_class(directory: Path) -> Path:
    """Graded students plus every kind of bad entry a TA's folder may hold."""
    for student, (matrix, notebook) in GRADED.items():
        add_student(directory, student, matrix, notebook)
    (directory / "zoë" / "notes.txt").write_text("my notes\n")
    (directory / "frank_exercise11.py").write_text((directory / "alice" / "exercise11.py").read_text())
    (directory / "carol.py").write_text("print('which exercise?')\n")
    (directory / "empty").mkdir()
    make_fifo(directory / "piper" / "exercise11.py")
    (directory / "dirk" / "exercise11.py").mkdir(parents=True)
    (directory / "lynn").mkdir()
    (directory / "lynn" / "exercise11.py").symlink_to(directory / "nowhere.py")
    (directory / "README.txt").write_text("submissions of week 11\n")
    (directory / ".DS_Store").write_text("")
    return directory


@pytest.fixture(scope="session")
def graded(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    directory = mixed_class(tmp_path_factory.mktemp("class"))
    out = tmp_path_factory.mktemp("graded") / "out"
    code, stdout, stderr = run_cli(
        ["batch", str(directory), "--out", str(out), "--jobs", "2", "--timeout", TIMEOUT]
    )
    return Batch(directory, out, code, stdout, stderr)
