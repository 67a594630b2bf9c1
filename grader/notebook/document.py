"""Reading a notebook submission without running it: is it a valid nbformat 4 notebook, and its code cells."""

from __future__ import annotations

import json
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import nbformat

#: Longest schema complaint quoted in a problem; the rest is the offending JSON, not news.
COMPLAINT_CHARS = 160


class NotebookProblem(ValueError):
    """Why a file cannot be run as a notebook: one line naming the file and the problem."""


@dataclass(frozen=True)
class CodeCell:
    """A code cell and its number: its 1-based position among the notebook's code cells (`cell_name`)."""

    number: int
    source: str


def load(text: str, name: str) -> nbformat.NotebookNode:
    """Parse and validate ``text``, the content of the notebook file ``name``."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise NotebookProblem(
            f"{name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})"
        ) from None
    version = data.get("nbformat") if isinstance(data, dict) else None
    if version is None:
        raise NotebookProblem(f"{name} is not a Jupyter notebook (it has no nbformat version)")
    if version != 4:
        raise NotebookProblem(
            f"{name} is an nbformat {version} notebook, expected nbformat 4 (save it with a recent Jupyter)"
        )
    errors: dict[str, Any] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. missing cell ids, which validation fills in
        notebook = nbformat.reads(text, as_version=4, capture_validation_error=errors)
    if "ValidationError" in errors:
        raise NotebookProblem(f"{name} is not a valid notebook: {_complaint(errors['ValidationError'])}")
    return notebook


def cell_name(number: int) -> str:
    """How feedback names the code cell `number`: ``code cell 3`` is the third code cell, markdown
    cells not counted. Execution counts would not do: grading re-runs the notebook, so they differ
    from those the student saw."""
    return f"code cell {number}"


def numbered(notebook: nbformat.NotebookNode) -> dict[int, int]:
    """Each code cell's index in ``notebook.cells`` -> its number (`cell_name`)."""
    indices = [index for index, cell in enumerate(notebook.cells) if cell.cell_type == "code"]
    return {index: number for number, index in enumerate(indices, start=1)}


def code_cells(notebook: nbformat.NotebookNode) -> list[CodeCell]:
    """The code cells that run (nbclient skips blank ones), numbered among the code cells."""
    return [
        CodeCell(number, notebook.cells[index].source)
        for index, number in numbered(notebook).items()
        if notebook.cells[index].source.strip()
    ]


def _complaint(error: Any) -> str:
    message = " ".join(str(error.message).split())
    if len(message) > COMPLAINT_CHARS:
        message = message[:COMPLAINT_CHARS] + "..."
    return f"{_where(list(error.absolute_path))}: {message}"


def _where(path: Sequence[Any]) -> str:
    """``['cells', 2, 'source']`` -> ``cell 3, source``: as a student finds it in Jupyter."""
    if len(path) >= 2 and path[0] == "cells" and isinstance(path[1], int):
        rest = "/".join(map(str, path[2:]))
        return f"cell {path[1] + 1}" + (f", {rest}" if rest else "")
    return "/".join(map(str, path)) or "the notebook"
