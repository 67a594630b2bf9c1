"""The rule for a folder holding both exerciseNN.py and exerciseNN.ipynb (grader.choice), and `grade DIR`."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

import grader.api
from grader.choice import Choice, choose, settle
from grader.result import CheckResult, Result
from tests.cli_helpers import run_cli

STARTER = 'def mlp_backward(X, y, cache):\n    raise NotImplementedError("mlp_backward: your code here")\n'
WORK = "def mlp_backward(X, y, cache):\n    return 1, 2, 3, 4\n"


def notebook(code: str, markdown: str = "# Exercise 11") -> str:
    cells = [nbformat.v4.new_markdown_cell(markdown), nbformat.v4.new_code_cell(code)]
    return nbformat.writes(nbformat.v4.new_notebook(cells=cells))


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """A course with rubrics/ and the starters of exercise 11 in both forms."""
    root = tmp_path / "course"
    (root / "rubrics").mkdir(parents=True)
    (root / "exercises").mkdir()
    (root / "exercises" / "exercise11.py").write_text(STARTER)
    (root / "exercises" / "exercise11.ipynb").write_text(notebook(STARTER))
    return root


def folder(tmp_path: Path, module: str, code: str, *, reopened: bool = False) -> list[Path]:
    """A student's folder with exercise11.py holding `module` and exercise11.ipynb running `code`.

    `reopened` saves the notebook as Jupyter would after opening it: other ids, metadata,
    outputs, indentation and line endings, with the same code.
    """
    where = tmp_path / "student"
    where.mkdir(exist_ok=True)
    (where / "exercise11.py").write_text(module)
    text = notebook(code, markdown="# edited notes")
    if reopened:
        data = json.loads(text)
        data["metadata"]["widgets"] = {"state": {}}
        for number, cell in enumerate(data["cells"]):
            cell["id"] = f"reopened-{number}"
        data["cells"][1]["source"] = [line + "  \n" for line in code.splitlines()] + ["\n"]
        text = json.dumps(data, indent=4).replace("\n", "\r\n")
    (where / "exercise11.ipynb").write_text(text)
    return [where / "exercise11.py", where / "exercise11.ipynb"]


def names(choice: Choice) -> list[str]:
    return [path.name for path in choice.graded]


def test_an_untouched_starter_gives_way_to_the_students_notebook(tmp_path: Path, course: Path) -> None:
    [choice] = choose(folder(tmp_path, STARTER, WORK), course)
    assert names(choice) == ["exercise11.ipynb"]
    assert choice.reason == "exercise11.ipynb is graded: exercise11.py is the untouched starter"


def test_a_reopened_but_unedited_notebook_is_still_the_starter(tmp_path: Path, course: Path) -> None:
    [choice] = choose(folder(tmp_path, WORK, STARTER, reopened=True), course)
    assert names(choice) == ["exercise11.py"]
    assert choice.reason == "exercise11.py is graded: exercise11.ipynb is the untouched starter"


def test_two_untouched_starters_grade_the_module(tmp_path: Path, course: Path) -> None:
    [choice] = choose(folder(tmp_path, STARTER, STARTER), course)
    assert names(choice) == ["exercise11.py"] and "both the untouched starter" in str(choice.reason)


@pytest.mark.parametrize("starters", [True, False])
def test_two_edited_files_are_both_graded(tmp_path: Path, course: Path, starters: bool) -> None:
    """Without the course's starters nothing counts as untouched: both files are graded."""
    paths = folder(tmp_path, WORK, WORK + "# more\n") if starters else folder(tmp_path, STARTER, WORK)
    [choice] = choose(paths, course if starters else None)
    assert names(choice) == ["exercise11.py", "exercise11.ipynb"] and choice.both
    assert choice.reason == (
        "exercise11.py and exercise11.ipynb were both edited: both are graded and the higher score counts"
    )


def test_a_broken_notebook_is_never_taken_for_the_starter(tmp_path: Path, course: Path) -> None:
    paths = folder(tmp_path, STARTER, WORK)
    paths[1].write_text("{not json")
    [choice] = choose(paths, course)
    assert names(choice) == ["exercise11.ipynb"]


def test_other_files_and_other_folders_are_not_paired(tmp_path: Path, course: Path) -> None:
    paths = folder(tmp_path, STARTER, WORK)
    elsewhere = tmp_path / "other" / "exercise11.ipynb"
    elsewhere.parent.mkdir()
    elsewhere.write_text(notebook(WORK))
    variant = paths[0].with_name("exercise11_v2.py")
    variant.write_text(WORK)
    choices = choose([*paths, elsewhere, variant], course)
    assert [(names(c), c.reason is None) for c in choices] == [
        (["exercise11.ipynb"], False),
        (["exercise11.ipynb"], True),
        (["exercise11_v2.py"], True),
    ]


def scored(name: str, points: float) -> Result:
    check = CheckResult("c", "a check", "passed" if points == 12 else "failed", points, 12.0, "visible")
    return Result(name, "0" * 64, "exercise11", [check])


def test_settle_counts_the_higher_score_and_tells_every_result() -> None:
    both = Choice("exercise11", (Path("exercise11.py"), Path("exercise11.ipynb")), "both were edited")
    module, book = scored("exercise11.py", 5), scored("exercise11.ipynb", 9)
    assert settle(both, [module, book]) is book
    sentence = "both were edited: exercise11.ipynb counts (exercise11.ipynb 9/12, exercise11.py 5/12)"
    assert module.file_choice == book.file_choice == sentence
    tie = [scored("exercise11.py", 7), scored("exercise11.ipynb", 7)]
    assert settle(both, tie) is tie[0]


@pytest.fixture
def graded_by_suffix(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Grading gives a notebook 9 points and a module 5, without running either."""

    def grade_submission(path: Path, **options: object) -> Result:
        return scored(path.name, 9.0 if path.suffix == ".ipynb" else 5.0)

    monkeypatch.setattr(grader.api, "grade_submission", grade_submission)
    monkeypatch.chdir(tmp_path)


def test_grade_dir_grades_both_edited_files_and_counts_the_better(
    tmp_path: Path, course: Path, graded_by_suffix: None
) -> None:
    folder(tmp_path, WORK, WORK + "# more\n")
    outputs = ["--gradescope", "g.json", "--json", "r.jsonl"]
    code, out, err = run_cli(["student", "--course", str(course), *outputs])
    assert (code, err) == (1, "")
    assert sorted(p.name for p in Path("grade-reports").iterdir()) == [
        "exercise11-ipynb.html",
        "exercise11-py.html",
    ]
    sentence = "exercise11.ipynb counts (exercise11.ipynb 9/12, exercise11.py 5/12)"
    assert out.count(sentence) == 2
    rows = [json.loads(line) for line in Path("r.jsonl").read_text().splitlines()]
    assert [r["submission"] for r in rows] == ["exercise11.py", "exercise11.ipynb"]
    assert all(sentence in r["file_choice"] for r in rows)
    assert json.loads(Path("g.json").read_text())["score"] == 9.0


def test_grade_dir_skips_the_untouched_starter_and_says_why(
    tmp_path: Path, course: Path, graded_by_suffix: None
) -> None:
    folder(tmp_path, STARTER, WORK)
    code, out, _ = run_cli(["student", "--course", str(course), "--no-html", "--json", "-"])
    result = json.loads(out)  # stdout is the JSON alone
    assert result["submission"] == "exercise11.ipynb"
    assert result["file_choice"] == "exercise11.ipynb is graded: exercise11.py is the untouched starter"
