"""A student's report is named after the submission only when that name is plain and short."""

from pathlib import Path

import pytest

from grader.batch.files import report_stem, row_stem, write_atomic


@pytest.mark.parametrize(
    ("submission", "stem"),
    [
        ("exercise11.py", "exercise11"),
        ("exercise11_v2.ipynb", "exercise11_v2"),
        ("ann.py", "ann"),
        ("\x1b[2J" * 50 + ".py", "exercise11"),  # a name a student chose to trip terminals
        ("a" * 240 + ".py", "exercise11"),  # too long once .html and a temporary suffix are added
        ("../x.py", "x"),
        (".hidden.py", "exercise11"),
    ],
)
def test_report_stem(submission: str, stem: str) -> None:
    assert report_stem(submission, "exercise11") == stem


@pytest.mark.parametrize(
    ("scores", "stem"),
    [
        (None, "exercise11"),  # one file
        ({"exercise11.py": None, "exercise11.ipynb": 9.0}, "exercise11"),  # the starter gave way
        ({"exercise11.py": 5.0, "exercise11.ipynb": 9.0}, "exercise11-ipynb"),  # both graded
    ],
)
def test_both_forms_graded_have_a_report_each(scores: dict[str, float | None] | None, stem: str) -> None:
    row: dict[str, object] = {"submission": "exercise11.ipynb", "exercise": "exercise11"}
    if scores is not None:
        row["files"] = {name: {"sha256": "0" * 64, "score": score} for name, score in scores.items()}
    assert row_stem(row) == stem
    assert report_stem("exercise11.py", "exercise11", both=True) == "exercise11-py"


def test_an_atomic_write_of_the_longest_name_fits_the_file_system(tmp_path: Path) -> None:
    target = tmp_path / ("a" * 250)
    write_atomic(target, "text")
    assert target.read_text() == "text" and [p.name for p in tmp_path.iterdir()] == [target.name]
