"""A notebook with shell commands (``!pip install``, ``%%bash``) is graded like one without them."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.api import grade_submission
from tests.notebook.conftest import write_notebook

CORRECT = Path(__file__).resolve().parents[1] / "students" / "exercise11" / "correct.py"


@pytest.mark.slow
def test_a_notebook_installing_packages_is_graded_in_full_and_told_the_commands_were_skipped(
    tmp_path: Path,
) -> None:
    notebook = write_notebook(
        tmp_path / "exercise11.ipynb", "!pip install numpy", "%%bash\npip install numpy", CORRECT.read_text()
    )
    result = grade_submission(notebook, env={})
    assert result.status == "graded" and result.score == result.max_score, result.checks
    assert result.stdout.startswith(
        "[exercise11.ipynb] code cell 1: shell commands (`!pip install numpy`) do not run during grading; "
    )
    assert (
        "[exercise11.ipynb] code cell 2: shell commands (`%%bash`) do not run during grading; "
        in result.stdout
    )
    assert "pty" not in result.stdout and result.integrity == []
