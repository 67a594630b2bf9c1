"""What a renamed file was, and what a student may be called on disk.

Students and LMSs rename files: `Exercise11 (1).py` (a browser's second copy),
`exercise11-2.py` (Canvas's second resubmission), `EXERCISE 11.PY`. `exercise_file` maps
each back to the course's name (`exercise11.py`) and its *copy number* (0 for the plain
name), so that the latest resubmission can win. `identity` turns an LMS identity (a
name with spaces and accents, an email) into the folder name a student's reports live in.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from pathlib import PurePath

from grader.course import SUFFIXES

#: `exercise11`, `Exercise_11`, `exercise 11`, then anything but a digit; the copy number is a
#: trailing `-N`, `(N)` or ` (N)` (what Canvas and browsers append).
_NAME = re.compile(r"exercise[ _-]?(\d\d)(?!\d)", re.IGNORECASE)
_COPY = re.compile(r"(?:-(\d{1,3})|\s*\((\d{1,3})\))$")
#: Characters an identity keeps; any run of others becomes one underscore.
_UNSAFE = re.compile(r"[^A-Za-z0-9@.+-]+")
IDENTITY_CHARS = 100


@dataclass(frozen=True, order=True)
class Mapped:
    """The course's name a file was given back, and which copy of it the file is."""

    name: str
    copy: int

    @property
    def exercise(self) -> str:
        return PurePath(self.name).stem


def exercise_file(name: str) -> Mapped | None:
    """`exercise11.py` (copy 2) for `Exercise11-2.PY`; None for a name that is no exercise's."""
    path = PurePath(name)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        return None
    found = _NAME.search(path.stem)
    if found is None:
        return None
    copy = _COPY.search(path.stem[found.end() :])
    number = int(next(g for g in copy.groups() if g is not None)) if copy else 0
    return Mapped(f"exercise{found.group(1)}{suffix}", number)


def identity(*parts: str) -> str:
    """A folder name for a student: ASCII letters, digits and `@.+-`, runs of anything else
    (spaces, accents' marks, slashes) one `_`; stable for the same parts."""
    text = unicodedata.normalize("NFKD", "_".join(p for p in parts if p))
    plain = text.encode("ascii", "ignore").decode()
    safe = _UNSAFE.sub("_", plain).strip("_.+-@")[:IDENTITY_CHARS].rstrip("_.+-@")
    return safe or "student"
