"""`grade` on notebooks: broken files are graded as errors, and a folder of notebooks is graded."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cli_helpers import run_cli
from tests.notebook.convert import notebook_of

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"cells": [}', "exercise11.ipynb is not valid JSON (line 1, column 12: Expecting value)"),
        (
            '{"nbformat": 3, "nbformat_minor": 0, "metadata": {}, "worksheets": []}',
            "exercise11.ipynb is an nbformat 3 notebook, expected nbformat 4 (save it with a recent Jupyter)",
        ),
    ],
)
def test_a_broken_notebook_is_graded_as_an_error(tmp_path: Path, content: str, message: str) -> None:
    notebook = tmp_path / "exercise11.ipynb"
    notebook.write_text(content)
    out = tmp_path / "result.json"
    code, stdout, stderr = run_cli([str(notebook), "--json", str(out), "--no-html"])
    result = json.loads(out.read_text())
    assert (code, stderr) == (1, "")
    assert (result["status"], result["score"], result["message"]) == ("error", 0, message)
    assert message in stdout


@pytest.mark.slow
def test_a_folder_of_notebooks_is_graded(tmp_path: Path) -> None:
    for exercise in ("exercise11", "exercise15"):
        source = (ROOT / "reference" / f"{exercise}.py").read_text()
        (tmp_path / f"{exercise}.ipynb").write_text(notebook_of(source))
    # released: the hidden checks' results show too
    code, stdout, stderr = run_cli([str(tmp_path), "--json", "-", "--no-html", "--release"])
    results = [json.loads(line) for line in stdout.splitlines()]  # stdout is JSON lines alone
    assert code == 0 and stderr.count("all checks passed") == 2
    assert [(r["submission"], r["status"], r["score"]) for r in results] == [
        ("exercise11.ipynb", "graded", results[0]["max_score"]),
        ("exercise15.ipynb", "graded", results[1]["max_score"]),
    ]
