"""OUT/results.jsonl, the batch's journal: append-only while a batch runs, compacted when it ends.

The rule every reader follows: **the last line for a (student, exercise) wins.** While a
batch runs, the parent process alone appends, each line with one `os.write` on an
O_APPEND descriptor followed by `fsync`, so a kill (even SIGKILL) leaves at most a torn
last line, which opening with `resume=True` cuts off; a file graded again (--resume after
it changed) gets a second line that supersedes the first. When a batch finishes, `compact`
rewrites the file with the latest line of each key, sorted by key, in one atomic rename,
so a finished batch has one line per (student, exercise) and a kill at any moment leaves
either the old file or the new one, whole. `read_latest` applies the rule for readers of a
journal that may not be compacted (a batch still running, or killed).

Only an index (key → resume fingerprint, offset) is kept in memory; rows are read back one
at a time. A row is a result's JSON, whose student text is already inert and bounded
(`grader.result`), plus the student's identity, which is kept exact because it is the key
(a folder name, at most 255 bytes); every line is written ASCII-only, so control
characters in it are JSON escapes (``\\u001b``), never raw bytes in the file.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import TracebackType
from typing import IO, Any

from grader.errors import UsageError

NAME = "results.jsonl"
#: Where `compact` writes the new journal before renaming it over the old one.
COMPACTING = f".{NAME}.compacting"
#: Tries at locking the file that bears the journal's name while other batches compact it.
LOCK_TRIES = 5
Key = tuple[str, str]


class Journal:
    """An open results.jsonl, locked against a second batch writing to it at the same time."""

    def __init__(self, path: Path, resume: bool) -> None:
        """Open the journal at `path`; one that holds rows is opened only to go on with (`resume`)."""
        self.path = path
        self._index: dict[Key, tuple[str, int]] = {}
        path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = _open_locked(path)
        try:
            self._size = os.fstat(self._fd).st_size
            if self._size and not resume:
                raise UsageError(
                    f"{path.parent} already holds a batch ({NAME}): pass --resume to continue it, "
                    "--regrade to grade it all again (the TA's overrides.csv is kept), "
                    "or choose another --out"
                )
            self._load()
        except BaseException:
            os.close(self._fd)
            raise

    def done(self, key: Key, fingerprint: str) -> bool:
        """Whether the latest line for `key` graded these very files (`resume_fingerprint`)."""
        recorded = self._index.get(key)
        return recorded is not None and recorded[0] == fingerprint

    def append(self, row: dict[str, Any]) -> None:
        """Record one row durably: a single write of a whole line, then fsync."""
        data = (json.dumps(row, ensure_ascii=True) + "\n").encode()
        written = os.write(self._fd, data)
        if written != len(data):  # only when the disk is full; --resume cuts the torn line
            raise OSError(f"{self.path}: wrote {written} of {len(data)} bytes (is the disk full?)")
        os.fsync(self._fd)
        self._index[(row["student"], row["exercise"])] = (resume_fingerprint(row), self._size)
        self._size += len(data)

    def latest(self, keys: Iterable[Key]) -> Iterator[dict[str, Any]]:
        """The latest row of each of `keys` that has one, in the order they were written."""
        offsets = sorted(self._index[key][1] for key in set(keys) if key in self._index)
        with open(self.path, "rb") as file:
            for offset in offsets:
                file.seek(offset)
                yield json.loads(file.readline())

    def compact(self) -> None:
        """Replace the journal by the latest line of each key, sorted by key, atomically.

        The new file is written beside the old one, locked, synced, then renamed over it, so
        the lock is held throughout; a failure (or a kill) before the rename leaves the old
        file as it was. A batch that opened the old file meanwhile finds it replaced once it
        gets the lock, and opens the new one (`_open_locked`).
        """
        temporary = self.path.with_name(COMPACTING)
        fd = os.open(temporary, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # nobody else opens this name
            index = self._copy_latest(fd)
            os.fsync(fd)
            os.replace(temporary, self.path)
            _sync_folder(self.path.parent)
        except BaseException:
            os.close(fd)
            with contextlib.suppress(OSError):
                temporary.unlink()
            raise
        os.close(self._fd)  # the old file's lock, no longer needed: the new one is held
        self._fd, self._index = fd, index
        self._size = os.fstat(fd).st_size

    def close(self) -> None:
        os.close(self._fd)  # also releases the lock

    def __enter__(self) -> Journal:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def _copy_latest(self, fd: int) -> dict[Key, tuple[str, int]]:
        """Write the latest line of every key to `fd` in key order; the index of what was written."""
        index: dict[Key, tuple[str, int]] = {}
        written = 0
        with open(self.path, "rb") as source, open(fd, "ab", closefd=False) as target:
            for key in sorted(self._index):
                fingerprint, offset = self._index[key]
                source.seek(offset)
                line = source.readline()
                target.write(line)
                index[key] = (fingerprint, written)
                written += len(line)
        return index

    def _load(self) -> None:
        """Index every whole line; cut off a torn last line left by a kill."""
        end = 0
        with open(self.path, "rb") as file:
            for offset, line in _whole_lines(file):
                parsed = _parse(line)
                if parsed is not None:  # a damaged line is skipped: its submission is graded again
                    self._index[parsed[0]] = (resume_fingerprint(parsed[1]), offset)
                end = offset + len(line)
        if end < self._size:
            os.ftruncate(self._fd, end)
            os.fsync(self._fd)
            self._size = end


def read_latest(path: Path) -> list[dict[str, Any]]:
    """The rows that count in the results.jsonl at `path`: the last whole line of each
    (student, exercise), in the order those lines were written. Reads, never writes."""
    latest: dict[Key, dict[str, Any]] = {}
    with open(path, "rb") as file:
        for _, line in _whole_lines(file):
            parsed = _parse(line)
            if parsed is not None:
                latest.pop(parsed[0], None)  # re-inserted last: the order of the winning lines
                latest[parsed[0]] = parsed[1]
    return list(latest.values())


def resume_fingerprint(row: Mapping[str, Any]) -> str:
    """What --resume compares: the file's sha256, or for a folder that held both forms of the
    exercise, the fingerprint of both files (its row lists them under "files")."""
    files = row.get("files")
    if files is None:
        return str(row["sha256"])
    return pair_fingerprint({name: entry["sha256"] for name, entry in files.items()})


def pair_fingerprint(hashes: Mapping[str, str]) -> str:
    """One fingerprint for several files, by name and sha256: it changes when any of them does."""
    listing = "".join(f"{name}\0{hashes[name]}\n" for name in sorted(hashes))
    return hashlib.sha256(listing.encode()).hexdigest()


def _whole_lines(file: IO[bytes]) -> Iterator[tuple[int, bytes]]:
    """Each whole line with its offset; a last line without its newline (torn by a kill) is not."""
    offset = 0
    for line in file:
        if not line.endswith(b"\n"):
            return
        yield offset, line
        offset += len(line)


def _parse(line: bytes) -> tuple[Key, dict[str, Any]] | None:
    """A line's key and row, or None for a line that is not a row (damaged)."""
    try:
        row = json.loads(line)
        key = (row["student"], row["exercise"])
        fingerprint = resume_fingerprint(row)
    except (ValueError, TypeError, KeyError, AttributeError):
        return None
    return (key, row) if all(isinstance(x, str) for x in (*key, fingerprint)) else None


def _open_locked(path: Path) -> int:
    """Open and lock the file named `path`: if it was replaced (compacted) between the two, the
    lock is on a file nobody reads any more, so open the new one."""
    for _ in range(LOCK_TRIES):
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            if _names(fd, path):
                return fd
        except BlockingIOError:
            os.close(fd)
            break
        except BaseException:
            os.close(fd)
            raise
        os.close(fd)
    raise UsageError(f"{path} is in use by another `grade batch`; wait for it to finish")


def _names(fd: int, path: Path) -> bool:
    """Whether `path` still names the file open as `fd`."""
    try:
        there = os.stat(path)
    except FileNotFoundError:
        return False
    here = os.fstat(fd)
    return (here.st_dev, here.st_ino) == (there.st_dev, there.st_ino)


def _sync_folder(folder: Path) -> None:
    """Make a rename in `folder` durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
