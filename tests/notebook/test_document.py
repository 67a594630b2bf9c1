"""Reading a notebook without running it: one-line problems naming the file, and its code cells."""

from __future__ import annotations

import json

import nbformat
import pytest

from grader.notebook.document import CodeCell, NotebookProblem, code_cells, load


def notebook_json(**changes: object) -> str:
    notebook = json.loads(
        nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")]))
    )
    notebook.update(changes)
    return json.dumps(notebook)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"cells": [', "exercise11.ipynb is not valid JSON (line 1, column 12: Expecting value)"),
        ("[1, 2]", "exercise11.ipynb is not a Jupyter notebook (it has no nbformat version)"),
        (
            notebook_json(nbformat=3),
            "exercise11.ipynb is an nbformat 3 notebook, expected nbformat 4 (save it with a recent Jupyter)",
        ),
        (
            notebook_json(cells=[{"cell_type": "code", "metadata": {}, "outputs": []}]),
            "exercise11.ipynb is not a valid notebook: cell 1: 'source' is a required property",
        ),
    ],
)
def test_a_broken_notebook_is_one_line_naming_file_and_problem(text: str, problem: str) -> None:
    with pytest.raises(NotebookProblem) as caught:
        load(text, "exercise11.ipynb")
    assert str(caught.value) == problem


def test_long_schema_complaints_are_cut_short() -> None:
    cell = {"cell_type": "weird", "metadata": {}, "source": "x" * 1000}
    with pytest.raises(NotebookProblem) as caught:
        load(notebook_json(cells=[cell]), "n.ipynb")
    message = str(caught.value)
    assert message.startswith("n.ipynb is not a valid notebook: cell 1: ") and message.endswith("...")
    assert len(message) < 250 and "\n" not in message


def test_missing_cell_ids_are_fine_and_code_cells_are_numbered_among_code_cells() -> None:
    """A blank code cell keeps its number (the student sees it); markdown cells are not counted."""
    notebook = json.loads(notebook_json())
    notebook["cells"] = [
        {"cell_type": "markdown", "metadata": {}, "source": ["# Title"]},
        {
            "cell_type": "code",
            "metadata": {},
            "outputs": [],
            "execution_count": None,
            "source": ["a = 1\n", "b = 2"],
        },
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": "  \n"},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": "c = 3"},
    ]
    loaded = load(json.dumps(notebook), "n.ipynb")
    assert code_cells(loaded) == [CodeCell(1, "a = 1\nb = 2"), CodeCell(3, "c = 3")]
