"""Synthetic LMS exports built in a test's folder, with the matrix students' files as contents."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

from tests.batch.classes import student_source


class Cp437Info(zipfile.ZipInfo):
    """An entry whose name is written in cp437, without the UTF-8 flag."""

    __slots__ = ()

    def _encodeFilenameFlags(self) -> tuple[bytes, int]:  # noqa: N802 (zipfile's name)
        return self.filename.encode("cp437"), self.flag_bits


def zipped(path: Path, members: dict[str, str | bytes], *, utf8: bool = True) -> Path:
    """A zip of `members` (name → content). Names are written as zipfile writes them (UTF-8, flagged)
    or, with `utf8` False, in cp437 with no flag, as old zip tools wrote them."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            info = zipfile.ZipInfo(name) if utf8 else Cp437Info(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = (stat.S_IFREG | 0o644) << 16
            archive.writestr(info, content)
    return path


def with_symlink(path: Path, link: str, target: str) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("exercise11.py", student_source("correct"))
        info = zipfile.ZipInfo(link)
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        archive.writestr(info, target)
    return path


def bomb(path: Path, size: int) -> Path:
    """A zip whose one entry unpacks to `size` zero bytes (a few KiB compressed)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("exercise11.py", b"\0" * size)
    return path


def source(name: str) -> str:
    return student_source(name)
