"""Small classes to batch-grade, built from the exercise 11 student matrix."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

from grader.batch.journal import read_latest
from tests.notebook.convert import notebook_of

ROOT = Path(__file__).resolve().parents[2]
STUDENTS = ROOT / "tests" / "students" / "exercise11"
ATTACKS = ROOT / "tests" / "hostile" / "attacks"
#: Seconds per check: the hanging student costs a few of these, not the default 10.
TIMEOUT = "1"


def student_source(name: str) -> str:
    """A student of the exercise 11 matrix; "correct+kill_grader" appends a hostile attack."""
    base, _, attack = name.partition("+")
    source = (STUDENTS / f"{base}.py").read_text()
    return source + "\n" + (ATTACKS / f"{attack}.py").read_text() if attack else source


def add_student(directory: Path, student: str, matrix: str, notebook: bool = False) -> Path:
    """A student folder holding exercise11.py (or .ipynb) written like `matrix`."""
    folder = directory / student
    folder.mkdir(parents=True, exist_ok=True)
    source = student_source(matrix)
    if notebook:
        path = folder / "exercise11.ipynb"
        path.write_text(notebook_of(source))
    else:
        path = folder / "exercise11.py"
        path.write_text(source)
    return path


def rows(out: Path) -> list[dict[str, Any]]:
    """The rows that count in OUT/results.jsonl, by the journal's rule (the last line for a key wins)."""
    return read_latest(out / "results.jsonl")


def keys(out: Path) -> Counter[tuple[str, str]]:
    """How many lines results.jsonl holds for each student and exercise (one, once compacted)."""
    lines = (out / "results.jsonl").read_text().splitlines()
    return Counter((row["student"], row["exercise"]) for row in map(json.loads, lines))


def by_student(out: Path) -> dict[str, dict[str, Any]]:
    return {row["student"]: row for row in rows(out)}


def without_durations(document: Any) -> Any:
    """A result (or row) with every duration_s removed: the only field runs may differ in."""
    if isinstance(document, dict):
        return {k: without_durations(v) for k, v in document.items() if k != "duration_s"}
    if isinstance(document, list):
        return [without_durations(v) for v in document]
    return document


def make_fifo(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    os.mkfifo(path)
