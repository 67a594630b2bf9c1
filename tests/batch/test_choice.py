"""`grade batch` follows the file rule (`grader.choice`) for folders holding both exercise11.py and .ipynb."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from grader.course import find_course
from tests.batch.classes import TIMEOUT, by_student, keys, student_source
from tests.batch.conftest import Batch
from tests.cli_helpers import run_cli
from tests.notebook.convert import notebook_of

pytestmark = pytest.mark.slow

STARTERS = find_course() / "exercises"
BOTH_EDITED = (
    "exercise11.py and exercise11.ipynb were both edited: both are graded and the higher score counts: "
    "exercise11.ipynb counts (exercise11.ipynb 12/12, exercise11.py 4/12)"
)


def both_forms(directory: Path, student: str, module: str | None, notebook: str | None) -> None:
    """A student folder with exercise11.py and exercise11.ipynb: the student's code, or the starter (None)."""
    folder = directory / student
    folder.mkdir(parents=True)
    for name, code, convert in (("exercise11.py", module, str), ("exercise11.ipynb", notebook, notebook_of)):
        if code is None:
            shutil.copy(STARTERS / name, folder / name)
        else:
            (folder / name).write_text(convert(student_source(code)))


@pytest.fixture(scope="module")
def chosen(tmp_path_factory: pytest.TempPathFactory) -> Batch:
    directory = tmp_path_factory.mktemp("class")
    both_forms(directory, "ann", None, "correct")  # works in the notebook
    both_forms(directory, "bob", "forgot_divide_by_n", "correct")  # edited both
    both_forms(directory, "cy", None, None)  # has not started
    out = tmp_path_factory.mktemp("graded") / "out"
    code, stdout, stderr = run_cli(
        ["batch", str(directory), "--out", str(out), "--jobs", "2", "--timeout", TIMEOUT]
    )
    return Batch(directory, out, code, stdout, stderr)


def test_each_student_has_one_row_saying_which_file_counts_and_why(chosen: Batch) -> None:
    assert (chosen.code, chosen.stderr) == (0, "")
    assert keys(chosen.out) == {(s, "exercise11"): 1 for s in ("ann", "bob", "cy")}
    rows = by_student(chosen.out)
    assert {s: (r["submission"], r["file_choice"]) for s, r in rows.items()} == {
        "ann": ("exercise11.ipynb", "exercise11.ipynb is graded: exercise11.py is the untouched starter"),
        "bob": ("exercise11.ipynb", BOTH_EDITED),
        "cy": (
            "exercise11.py",
            "exercise11.py is graded: it and exercise11.ipynb are both the untouched starter",
        ),
    }
    assert rows["ann"]["score"] == rows["bob"]["score"] == 12.0
    assert {name: f["score"] for name, f in rows["bob"]["files"].items()} == {
        "exercise11.py": 4.0,
        "exercise11.ipynb": 12.0,
    }


def test_both_edited_files_have_their_own_report(chosen: Batch) -> None:
    assert sorted(p.name for p in (chosen.out / "bob").iterdir()) == [
        "exercise11-ipynb.html",
        "exercise11-ipynb.json",
        "exercise11-py.html",
        "exercise11-py.json",
    ]
    module = json.loads((chosen.out / "bob" / "exercise11-py.json").read_text())
    notebook = json.loads((chosen.out / "bob" / "exercise11-ipynb.json").read_text())
    assert (module["submission"], module["score"]) == ("exercise11.py", 4.0)
    assert (notebook["submission"], notebook["score"]) == ("exercise11.ipynb", 12.0)
    assert module["file_choice"] == notebook["file_choice"] == BOTH_EDITED
    for report in ("exercise11-py.html", "exercise11-ipynb.html"):
        assert BOTH_EDITED in (chosen.out / "bob" / report).read_text()
    assert sorted(p.name for p in (chosen.out / "ann").iterdir()) == ["exercise11.html", "exercise11.json"]


def test_the_gradebook_and_summary_count_the_higher_score_and_say_so(chosen: Batch) -> None:
    grades = {r["student"]: r for r in csv.DictReader(io.StringIO((chosen.out / "grades.csv").read_text()))}
    assert (grades["bob"]["exercise11"], grades["bob"]["notes"]) == ("12", BOTH_EDITED)
    page = (chosen.out / "summary.html").read_text()
    assert "Which file was graded (3)" in page and BOTH_EDITED in page
    assert 'href="bob/exercise11-ipynb.html"' in page


def test_resume_regrades_when_the_file_that_gave_way_changes(chosen: Batch) -> None:
    notebook = chosen.directory / "cy" / "exercise11.ipynb"
    notebook.write_text(json.dumps(json.loads(notebook.read_text()), indent=4))  # reopened: same code
    argv = ["batch", str(chosen.directory), "--out", str(chosen.out), "--resume", "--timeout", TIMEOUT]
    code, stdout, _ = run_cli(argv)
    assert code == 0
    assert stdout.startswith(
        "3 students, 3 submissions: 1 graded now, 2 already graded, 0 could not be graded;"
    )
    assert by_student(chosen.out)["cy"]["submission"] == "exercise11.py"
