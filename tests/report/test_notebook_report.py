"""A notebook's report, graded for real: code quoted in context, cells named as the student counts them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from grader.api import grade_submission
from grader.report.page import render
from grader.report.source import sources_of
from tests.notebook.conftest import write_notebook

pytestmark = pytest.mark.slow
STUDENTS = Path(__file__).resolve().parents[1] / "students" / "exercise11"


def test_a_notebook_failure_is_quoted_from_its_code_cell_with_context(tmp_path: Path) -> None:
    forward, backward = STUDENTS.joinpath("raises.py").read_text().split("\n\n\ndef mlp_backward")
    notebook = write_notebook(
        tmp_path / "exercise11.ipynb",
        "# md # Exercise 11",
        forward,
        "# md ## The backward pass",
        "def mlp_backward" + backward,
    )
    result = grade_submission(notebook, env={})
    html = render(result, sources_of(notebook))

    assert "exercise11.ipynb, code cell 2, line 3, in mlp_backward" in html  # markdown cells not counted
    quoted = re.findall(r'<li( class="offending")?><span class="n">(\d+)</span>([^<]*)</li>', html)
    assert ("", "1", "def mlp_backward(X, y, cache):") in quoted
    assert (' class="offending"', "3", "    raise ValueError(&#39;shapes do not line up&#39;)") in quoted
    assert ("", "5", "    onehot = np.zeros((n, k))") in quoted  # two lines of context after it
