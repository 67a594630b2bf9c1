"""results.jsonl: whole lines appended durably, torn tails cut on resume, the latest line wins."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from grader.batch.journal import Journal
from grader.errors import UsageError


def row(student: str, sha256: str = "a", score: float = 1.0, exercise: str = "exercise11") -> dict[str, Any]:
    return {"student": student, "exercise": exercise, "sha256": sha256, "score": score}


def test_rows_are_whole_lines_and_the_latest_per_key_counts(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    with Journal(path, resume=False) as journal:
        journal.append(row("ann", score=1.0))
        journal.append(row("bob"))
        journal.append(row("ann", sha256="b", score=2.0))
        latest = list(journal.latest([("ann", "exercise11"), ("bob", "exercise11"), ("cy", "exercise11")]))
        assert journal.done(("ann", "exercise11"), "b") and not journal.done(("ann", "exercise11"), "a")
    assert [json.loads(line)["student"] for line in path.read_text().splitlines()] == ["ann", "bob", "ann"]
    assert latest == [row("bob"), row("ann", sha256="b", score=2.0)]


def test_resume_cuts_a_torn_last_line_and_keeps_every_whole_one(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    whole = (json.dumps(row("ann")) + "\n").encode()
    path.write_bytes(whole + b'{"student": "bob", "exer')
    with Journal(path, resume=True) as journal:
        assert journal.done(("ann", "exercise11"), "a") and not journal.done(("bob", "exercise11"), "a")
        journal.append(row("bob"))
    assert path.read_bytes() == whole + (json.dumps(row("bob")) + "\n").encode()


def test_a_damaged_line_is_graded_again_not_trusted(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    path.write_text('{"student": "ann", "exercise": 11}\nnot json\n' + json.dumps(row("bob")) + "\n")
    with Journal(path, resume=True) as journal:
        assert not journal.done(("ann", "exercise11"), "a")
        assert list(journal.latest([("bob", "exercise11")])) == [row("bob")]


def test_an_existing_journal_needs_resume(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    path.write_text(json.dumps(row("ann")) + "\n")
    with pytest.raises(UsageError, match="already holds a batch"):
        Journal(path, resume=False)


def test_two_batches_cannot_write_one_journal_at_once(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    with Journal(path, resume=False), pytest.raises(UsageError, match="in use by another `grade batch`"):
        Journal(path, resume=True)
    Journal(path, resume=True).close()  # free again once the first is closed
