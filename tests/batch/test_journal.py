"""results.jsonl: whole lines appended durably, torn tails cut on resume, the latest line wins."""

from __future__ import annotations

import fcntl
import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from grader.batch import journal as journal_module
from grader.batch.journal import COMPACTING, Journal, pair_fingerprint, read_latest
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


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_compaction_keeps_the_latest_line_of_each_key_in_key_order(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    with Journal(path, resume=False) as journal:
        for written in (
            row("bob"),
            row("ann", score=1.0),
            row("cy"),
            row("ann", sha256="b", score=2.0),
        ):
            journal.append(written)
        journal.compact()
        assert lines(path) == [row("ann", sha256="b", score=2.0), row("bob"), row("cy")]
        assert journal.done(("ann", "exercise11"), "b") and journal.done(("bob", "exercise11"), "a")
        journal.append(row("bob", sha256="c"))  # appends after compaction land whole, at the end
        assert list(journal.latest([("bob", "exercise11")])) == [row("bob", sha256="c")]
    assert [p.name for p in tmp_path.iterdir()] == ["results.jsonl"]


def test_a_failure_between_writing_and_renaming_leaves_the_old_journal_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "results.jsonl"
    with Journal(path, resume=False) as journal:
        journal.append(row("ann"))
        journal.append(row("ann", sha256="b"))
        before = path.read_bytes()

        def fail(source: str, target: str) -> None:
            assert Path(source).read_bytes() == (json.dumps(row("ann", sha256="b")) + "\n").encode()
            raise OSError(28, "No space left on device")

        monkeypatch.setattr(journal_module.os, "replace", fail)
        with pytest.raises(OSError, match="No space left"):
            journal.compact()
        monkeypatch.undo()
        assert path.read_bytes() == before and [p.name for p in tmp_path.iterdir()] == ["results.jsonl"]
        journal.append(row("bob"))  # the journal goes on as it was
    with Journal(path, resume=True) as journal:
        journal.compact()
    assert lines(path) == [row("ann", sha256="b"), row("bob")]


KILLED_WHILE_COMPACTING = """
import os, signal, sys
from pathlib import Path
from grader.batch import journal
def die(source, target):
    os.kill(os.getpid(), signal.SIGKILL)
book = journal.Journal(Path(sys.argv[1]), resume=True)
journal.os.replace = die
book.compact()
"""


def test_a_kill_during_compaction_leaves_the_old_journal_and_the_next_run_compacts(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in (row("bob"), row("ann"), row("bob", sha256="b"))))
    before = path.read_bytes()
    killed = subprocess.run([sys.executable, "-c", KILLED_WHILE_COMPACTING, str(path)], check=False)
    assert killed.returncode == -signal.SIGKILL
    assert path.read_bytes() == before and (tmp_path / COMPACTING).exists()  # the new file, never renamed
    with Journal(path, resume=True) as journal:
        journal.compact()
    assert lines(path) == [row("ann"), row("bob", sha256="b")]
    assert [p.name for p in tmp_path.iterdir()] == ["results.jsonl"]


def test_readers_take_the_last_whole_line_of_each_key(tmp_path: Path) -> None:
    path = tmp_path / "results.jsonl"
    written = [row("ann"), row("bob"), row("ann", sha256="b", score=2.0)]
    path.write_bytes("".join(json.dumps(r) + "\n" for r in written).encode() + b'{"student": "cy", "exer')
    assert read_latest(path) == [row("bob"), row("ann", sha256="b", score=2.0)]


def test_a_batch_that_opened_the_journal_as_another_compacted_it_writes_to_the_new_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "results.jsonl"
    first = Journal(path, resume=False)
    first.append(row("ann"))
    flock = fcntl.flock

    def compact_then_lock(fd: int, operation: int) -> None:
        """The second batch has opened the old file; the first compacts it and ends before the lock."""
        monkeypatch.setattr(fcntl, "flock", flock)
        first.compact()
        first.close()
        flock(fd, operation)

    monkeypatch.setattr(fcntl, "flock", compact_then_lock)
    with Journal(path, resume=True) as second:
        assert second.done(("ann", "exercise11"), "a")
        second.append(row("bob"))
    assert lines(path) == [row("ann"), row("bob")]


def test_both_forms_of_an_exercise_are_done_only_while_neither_changed(tmp_path: Path) -> None:
    files = {
        "exercise11.py": {"sha256": "p", "score": None},
        "exercise11.ipynb": {"sha256": "n", "score": 9.0},
    }
    with Journal(tmp_path / "results.jsonl", resume=False) as journal:
        journal.append({**row("ann", sha256="n"), "files": files})
        assert journal.done(
            ("ann", "exercise11"), pair_fingerprint({"exercise11.py": "p", "exercise11.ipynb": "n"})
        )
        assert not journal.done(("ann", "exercise11"), "n")
        assert not journal.done(
            ("ann", "exercise11"), pair_fingerprint({"exercise11.py": "q", "exercise11.ipynb": "n"})
        )
