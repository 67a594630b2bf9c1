"""Writing the batch's output files so that a kill never leaves half of one behind, under safe names."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path, PurePath
from typing import Any

#: A submission stem that can name a student's report as it is: short, and nothing a shell or a file
#: system could trip on. Any other (a student chose it) gives way to the exercise's id.
PLAIN_STEM = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def report_stem(submission: str, exercise: str, both: bool = False) -> str:
    """The stem of a submission's report and JSON in OUT/<student>/: the file's own stem, or the
    exercise's id for a name that is not plain; when both forms of the exercise were graded, each
    takes its suffix after it (`exercise11-py`, `exercise11-ipynb`), as `grade DIR` names them."""
    path = PurePath(submission)
    stem = path.stem if PLAIN_STEM.fullmatch(path.stem) else exercise or "submission"
    return f"{stem}-{path.suffix.lstrip('.')}" if both else stem


def row_stem(row: Mapping[str, Any]) -> str:
    """The stem of the report a results.jsonl row links to ("files": were both forms graded?)."""
    files = row.get("files") or {}
    both = sum(entry.get("score") is not None for entry in files.values()) > 1
    return report_stem(str(row["submission"]), str(row["exercise"]), both)


def write_atomic(path: Path, text: str) -> None:
    """Write `text` to a temporary file beside `path`, then rename it over `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".writing.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8", errors="replace")  # "replace": undecodable file names
    os.replace(temporary, path)
