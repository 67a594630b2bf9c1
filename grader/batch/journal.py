"""OUT/results.jsonl, the batch's journal: one line per graded submission, never rewritten.

The parent process alone appends, each line with one `os.write` on an O_APPEND
descriptor followed by `fsync`, so a kill (even SIGKILL) leaves at most a torn last
line; opening with `resume=True` cuts it off. The latest line per student and exercise
is the one that counts. Only an index (key → hash, offset) is kept in memory; rows are
read back one at a time.

A row is a result's JSON, whose student text is already inert and bounded
(`grader.result`), plus the student's identity, which is kept exact because it is the
key (a folder name, at most 255 bytes); every line is written ASCII-only, so control
characters in it are JSON escapes (``\u001b``), never raw bytes in the file.
"""

from __future__ import annotations

import fcntl
import json
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import TracebackType
from typing import Any

from grader.errors import UsageError

NAME = "results.jsonl"
Key = tuple[str, str]


class Journal:
    """An open results.jsonl, locked against a second batch writing to it at the same time."""

    def __init__(self, path: Path, resume: bool) -> None:
        self.path = path
        self._index: dict[Key, tuple[str, int]] = {}
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            self._lock()
            self._size = os.fstat(self._fd).st_size
            if self._size and not resume:
                raise UsageError(
                    f"{path.parent} already holds a batch ({NAME}): pass --resume to continue it, "
                    "or choose another --out"
                )
            self._load()
        except BaseException:
            os.close(self._fd)
            raise

    def done(self, key: Key, sha256: str) -> bool:
        """Whether the latest line for `key` graded these very bytes."""
        recorded = self._index.get(key)
        return recorded is not None and recorded[0] == sha256

    def append(self, row: dict[str, Any]) -> None:
        """Record one row durably: a single write of a whole line, then fsync."""
        data = (json.dumps(row, ensure_ascii=True) + "\n").encode()
        written = os.write(self._fd, data)
        if written != len(data):  # only when the disk is full; --resume cuts the torn line
            raise OSError(f"{self.path}: wrote {written} of {len(data)} bytes (is the disk full?)")
        os.fsync(self._fd)
        self._index[(row["student"], row["exercise"])] = (row["sha256"], self._size)
        self._size += len(data)

    def latest(self, keys: Iterable[Key]) -> Iterator[dict[str, Any]]:
        """The latest row of each of `keys` that has one, in the order they were written."""
        offsets = sorted(self._index[key][1] for key in set(keys) if key in self._index)
        with open(self.path, "rb") as file:
            for offset in offsets:
                file.seek(offset)
                yield json.loads(file.readline())

    def close(self) -> None:
        os.close(self._fd)  # also releases the lock

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _lock(self) -> None:
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UsageError(
                f"{self.path} is in use by another `grade batch`; wait for it to finish"
            ) from None

    def _load(self) -> None:
        """Index every whole line; cut off a torn last line left by a kill."""
        offset = 0
        with open(self.path, "rb") as file:
            for line in file:
                if not line.endswith(b"\n"):
                    break
                key_sha = _key_and_hash(line)
                if key_sha is not None:  # a damaged line is skipped: its submission is graded again
                    self._index[key_sha[0]] = (key_sha[1], offset)
                offset += len(line)
        if offset < self._size:
            os.ftruncate(self._fd, offset)
            os.fsync(self._fd)
            self._size = offset


def _key_and_hash(line: bytes) -> tuple[Key, str] | None:
    try:
        row = json.loads(line)
        key, sha256 = (row["student"], row["exercise"]), row["sha256"]
    except (ValueError, TypeError, KeyError):
        return None
    return (key, sha256) if all(isinstance(x, str) for x in (*key, sha256)) else None
