"""Unpacking a zip that nobody vouches for: an LMS export, or a student's own zip.

A zip's central directory is the sender's word, and none of it is trusted: names are checked
(no absolute path, no `..`, so nothing lands outside the folder), links and other special
entries refuse the zip (a link would point anywhere), declared sizes are ignored and the bytes
are counted as they are written, per file and in total, and the number of files is capped. A
zip that breaks a rule is refused whole (`Refused`, naming the zip and the entry): a zip bomb
is found by its bytes, whatever its headers say. `__MACOSX/` and `.DS_Store` are macOS's
droppings, never a student's work, and are skipped. Names are decoded as zipfile does: UTF-8
when the entry's flag says so, else cp437 (what zip tools wrote before the flag).
"""

from __future__ import annotations

import shutil
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from grader.text import format_size, name_line

#: Bytes read from a member at a time, and counted before they are written.
CHUNK = 1 << 16
#: Parts of a name that mark macOS's metadata, skipped wherever they appear.
JUNK = frozenset({"__MACOSX", ".DS_Store"})


@dataclass(frozen=True)
class Limits:
    """What one zip may unpack to."""

    total_bytes: int
    file_bytes: int
    files: int


#: The whole class's export (it holds the students' zips); a student's own zip.
EXPORT = Limits(total_bytes=4 << 30, file_bytes=256 << 20, files=20_000)
STUDENT = Limits(total_bytes=64 << 20, file_bytes=16 << 20, files=500)


class Refused(Exception):
    """A zip that is not unpacked, and why (one line naming the zip)."""


def unzip(archive: Path, into: Path, limits: Limits) -> list[PurePosixPath]:
    """Unpack `archive` into the new folder `into`; the files written, relative to it.

    Raises `Refused` (and leaves no folder behind) for a zip that breaks a rule."""
    into.mkdir(parents=True)
    try:
        return _unpack(archive, into, limits)
    except Refused:
        shutil.rmtree(into, ignore_errors=True)
        raise


def _unpack(archive: Path, into: Path, limits: Limits) -> list[PurePosixPath]:
    where = name_line(archive.name)
    try:
        with zipfile.ZipFile(archive) as zipped:
            members = [(m, _name(m, where)) for m in zipped.infolist()]
            kept = [(m, name) for m, name in members if name is not None and not m.is_dir()]
            if len(kept) > limits.files:
                raise Refused(f"{where}: {len(kept)} files, more than the {limits.files} allowed")
            spent = 0
            for member, name in kept:
                assert name is not None
                spent = _extract(zipped, member, into / name, limits, spent, where)
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise Refused(f"{where}: not a zip that can be read ({exc})") from None
    except OSError as exc:
        raise Refused(f"{where}: cannot unpack it ({exc.strerror or exc})") from None
    return [name for _, name in kept if name is not None]


def _name(member: zipfile.ZipInfo, where: str) -> PurePosixPath | None:
    """The member's safe relative name; None for macOS's metadata. Refuses the zip for a name
    that leaves the folder and for a link or other special file."""
    raw = member.filename.replace("\\", "/")
    name = PurePosixPath(raw)
    if JUNK & set(name.parts):
        return None
    shown = name_line(member.filename)
    if raw.startswith("/") or (len(raw) > 1 and raw[1] == ":") or ".." in name.parts:
        raise Refused(f"{where}: the entry {shown} points outside the folder it unpacks to")
    kind = stat.S_IFMT(member.external_attr >> 16)
    if kind == stat.S_IFLNK:
        raise Refused(f"{where}: the entry {shown} is a symbolic link")
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise Refused(f"{where}: the entry {shown} is not a regular file")
    return name


def _extract(
    zipped: zipfile.ZipFile,
    member: zipfile.ZipInfo,
    target: Path,
    limits: Limits,
    spent: int,
    where: str,
) -> int:
    """Copy one member, counting its bytes against the per-file limit and, with the bytes
    `spent` on the zip's earlier members, against its total; the bytes spent now."""
    target.parent.mkdir(parents=True, exist_ok=True)
    written = 0
    with zipped.open(member) as source, open(target, "xb") as sink:
        while chunk := source.read(CHUNK):
            written += len(chunk)
            if written > limits.file_bytes:
                too_big = f"more than {format_size(limits.file_bytes)} unpacked"
                raise Refused(f"{where}: {name_line(member.filename)} is {too_big} (a zip bomb?)")
            if spent + written > limits.total_bytes:
                raise Refused(f"{where}: more than {format_size(limits.total_bytes)} unpacked (a zip bomb?)")
            sink.write(chunk)
    return spent + written
