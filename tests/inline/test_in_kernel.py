"""`grader.check()` in a real Jupyter kernel (nbclient): the same verdicts as `grade x.ipynb` for every
visible check, a hanging check stopped after its time limit, a raising one reported, and the
student's variables untouched."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from grader.api import grade
from grader.course import KIT
from grader.rubric import load
from tests.notebook.conftest import write_notebook

pytestmark = pytest.mark.slow

STUDENTS = Path(__file__).resolve().parents[1] / "students"
#: A short time limit for every check, in the kernel (GRADER_TIMEOUT) and on the command line alike.
TIMEOUT_S = 3
#: Students whose notebook `grade` does not run at all (a cell does not parse: every check is an error),
#: where a kernel has run the other cells: only the checks that call their code are compared.
NOT_RUN_BY_GRADE = {"syntax_error"}
#: What a check cell prints before the verdicts, to find them among the outputs.
MARK = "VERDICTS "


def check_cell(exercise: int) -> str:
    """A cell that checks the exercise and prints the verdicts and the result JSON."""
    return (
        "import grader, json\n"
        f"feedback = grader.check(exercise={exercise})\n"
        f"print({MARK!r} + json.dumps({{'verdicts': feedback.verdicts, 'result': feedback.result}}))"
    )


def execute(path: Path, monkeypatch: pytest.MonkeyPatch) -> nbformat.NotebookNode:
    """Run the notebook in a fresh python3 kernel (cells that raise do not stop it)."""
    monkeypatch.setenv("GRADER_TIMEOUT", str(TIMEOUT_S))  # the kernel inherits the environment
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3", allow_errors=True,
        resources={"metadata": {"path": str(path.parent)}},
    )  # fmt: skip
    client.execute()
    return notebook


def printed(cell: nbformat.NotebookNode) -> str:
    return "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")


def reports(notebook: nbformat.NotebookNode) -> list[dict[str, Any]]:
    """What each check cell printed, in order."""
    found = []
    for cell in notebook.cells:
        for line in printed(cell).splitlines():
            if line.startswith(MARK):
                found.append(json.loads(line[len(MARK) :]))
    return found


def cli_verdicts(student: Path, exercise: int, work: Path) -> dict[str, str]:
    """`grade exerciseNN.ipynb --course grader/kit` on the student's code as a one-cell notebook."""
    folder = work / student.stem
    folder.mkdir()
    notebook = write_notebook(folder / f"exercise{exercise}.ipynb", student.read_text())
    result = grade(notebook, course=KIT, timeout=TIMEOUT_S)
    return {check["id"]: check["status"] for check in result["checks"]}


@pytest.mark.parametrize("exercise", range(11, 19))
def test_the_verdicts_are_the_clis_for_every_student(
    exercise: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    students = sorted((STUDENTS / f"exercise{exercise}").glob("*.py"))
    cells = []
    for student in students:  # each student in a namespace of their own, one kernel for all
        cells += ["%reset -f", student.read_text(), check_cell(exercise)]
    notebook = execute(write_notebook(tmp_path / "class.ipynb", *cells), monkeypatch)
    inline = [report["verdicts"] for report in reports(notebook)]
    assert len(inline) == len(students), "every check cell printed its verdicts"
    expected = [cli_verdicts(student, exercise, tmp_path) for student in students]
    rubric = load(KIT / "rubrics" / f"exercise{exercise}.yaml")
    measured = {check.id for check in rubric.checks if check.kind == "resource"}
    differ = {}
    for student, got, want in zip(students, inline, expected, strict=True):
        # a resource check measures the process running the code: only `grade` can, the notebook says so
        assert {got.pop(check) for check in measured} <= {"skipped"}
        want = {check: status for check, status in want.items() if check not in measured}
        if student.stem in NOT_RUN_BY_GRADE:
            got = {check: status for check, status in got.items() if status == "error"}
            want = {check: want[check] for check in got}
            assert got, "the checks that call the student's code are errors"
        if got != want:
            differ[student.stem] = (got, want)
    assert not differ
    assert any(v == "failed" for verdicts in inline for v in verdicts.values()), "some student fails a check"


def test_a_hanging_check_is_stopped_a_raising_one_reported_and_nothing_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    hangs = (STUDENTS / "exercise11" / "hangs.py").read_text()
    raises = (STUDENTS / "exercise11" / "raises.py").read_text()
    notebook = execute(
        write_notebook(
            tmp_path / "exercise11.ipynb",
            hangs,
            "import numpy as np\nX = np.arange(6.0).reshape(2, 3)\nkept = X.copy()\ncalls = []",
            check_cell(11),
            "print('still usable', 6 * 7)",
            raises + "\n_original_backward = mlp_backward\n"
            "def mlp_backward(X_, y, cache):\n"  # it changes the notebook's X and calls
            "    calls.append(1)\n"
            "    X[...] = -1\n"
            "    return _original_backward(X_, y, cache)",
            check_cell(11),
            "print('unchanged', bool((X == kept).all()), calls)",
        ),
        monkeypatch,
    )
    hung, raised = reports(notebook)
    assert hung["verdicts"]["mlp_backward.gradcheck"] == "timeout"
    by_id = {check["id"]: check for check in hung["result"]["checks"]}
    message = by_id["mlp_backward.gradcheck"]["message"]
    where = "cell [1], line 20: `while True: pass`"  # the first cell run in the kernel, quoted
    assert message == f"did not finish within {TIMEOUT_S} s (it was running {where})"
    assert by_id["mlp_forward.stable"]["status"] == "passed", "the other checks still ran"
    assert "still usable 42" in printed(notebook.cells[3])
    assert raised["verdicts"]["mlp_backward.gradcheck"] == "error"
    errors = [output for output in notebook.cells[5].outputs if output.output_type == "error"]
    assert not errors, "nothing raised in the cell"
    assert "unchanged True []" in printed(notebook.cells[6])


def test_a_notebook_being_graded_skips_the_call(tmp_path: Path) -> None:
    """The starters' last cell calls grader.check(): under `grade` it prints nothing and changes nothing."""
    correct = (STUDENTS / "exercise11" / "correct.py").read_text()
    notebook = write_notebook(
        tmp_path / "exercise11.ipynb",
        correct,
        "import grader\nprint('check:', grader.check())\ngrader.check()",
    )
    result = grade(notebook, course=KIT)
    assert result["status"] == "graded"
    assert result["stdout"].strip() == "check: None"
    assert all(check["status"] in ("passed", "skipped") for check in result["checks"])


def test_a_starter_notebook_grades_as_its_module() -> None:
    """The starter notebook ends with the check cell, which changes nothing when `grade` runs it."""
    starters = Path(__file__).resolve().parents[2] / "exercises"
    notebook = nbformat.read(starters / "exercise11.ipynb", as_version=4)
    assert notebook.cells[-1].source.endswith("import grader\n\ngrader.check()")
    graded, module = (grade(starters / f"exercise11.{kind}", course=KIT) for kind in ("ipynb", "py"))
    assert graded["stdout"] == "" and not graded["integrity"]
    assert [c["status"] for c in graded["checks"]] == [c["status"] for c in module["checks"]]


def test_the_screenshot_command_photographs_an_inline_check(tmp_path: Path) -> None:
    from tests.report.browser import find_chromium
    from tests.report.test_browser import png_size

    if find_chromium() is None:
        pytest.skip("chromium is not installed")
    root = Path(__file__).resolve().parents[2]
    command = [sys.executable, "docs/screenshots.py", "--inline", "--out", str(tmp_path)]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    [picture] = tmp_path.glob("*.png")
    assert picture.name == "inline-check-screenshot.png"
    assert png_size(picture.read_bytes())[0] == 1000
