"""`grade batch` on the command line: usage errors before grading, one-exercise batches, Canvas."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from grader.batch import grade_batch
from grader.batch.counts import Counts
from grader.batch.discover import NO_RUBRIC, OTHER_EXERCISE, UNKNOWN_EXERCISE
from grader.course import find_course
from tests.batch.classes import TIMEOUT, by_student, make_fifo, student_source
from tests.batch.test_gradebook import ROSTER
from tests.cli_helpers import run_cli

RUBRIC = find_course() / "rubrics" / "exercise11.yaml"


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def one_exercise_class(directory: Path) -> Path:
    directory.mkdir()
    (directory / "ann.py").write_text(student_source("correct"))
    (directory / "bbo.py").write_text(student_source("forgot_divide_by_n"))
    (directory / "zed.py").write_text(student_source("syntax_error"))
    return directory


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--timeout", "soon"], "grade: invalid timeout 'soon' from the command line: expected a float\n"),
        (
            ["--executor", "dask"],
            "grade: --executor dask needs --scheduler ADDRESS (e.g. tcp://10.0.0.5:8786)\n",
        ),
        (["--course", "nowhere"], "grade: cannot find the course: "),
        (["--rubric", "nowhere.yaml"], "grade: invalid rubric nowhere.yaml: "),
        (["--canvas", "nowhere.csv"], "grade: cannot read the roster nowhere.csv: "),
    ],
)
def test_usage_errors_exit_two_before_grading(tmp_path: Path, extra: list[str], message: str) -> None:
    (tmp_path / "class" / "ann").mkdir(parents=True)
    (tmp_path / "class" / "ann" / "exercise11.py").write_text("while True: pass\n")
    code, stdout, stderr = run_cli(["batch", str(tmp_path / "class"), "--out", str(tmp_path / "out"), *extra])
    assert (code, stdout) == (2, "")
    assert stderr.startswith(message) and stderr.count("\n") == 1
    assert not (tmp_path / "out").exists()


def test_an_invalid_rubric_is_named_with_its_problem(tmp_path: Path) -> None:
    (tmp_path / "class").mkdir()
    (tmp_path / "bad.yaml").write_text("exercise: exercise11\ntitle: x\nchecks: []\n")
    code, _, stderr = run_cli(
        [
            "batch",
            str(tmp_path / "class"),
            "--out",
            str(tmp_path / "out"),
            "--rubric",
            str(tmp_path / "bad.yaml"),
        ]
    )
    assert code == 2
    assert (
        stderr
        == f"grade: invalid rubric {tmp_path / 'bad.yaml'}: checks: got [], expected a non-empty list\n"
    )


def test_a_rubric_that_names_no_probe_is_a_usage_error_not_a_row_per_student(tmp_path: Path) -> None:
    (tmp_path / "class" / "ann").mkdir(parents=True)
    (tmp_path / "class" / "ann" / "exercise11.py").write_text("while True: pass\n")
    rubric = tmp_path / "exercise11.yaml"
    rubric.write_text(RUBRIC.read_text().replace("probe: mlp_backward\n", "probe: mlp_backwards\n", 1))
    argv = ["batch", str(tmp_path / "class"), "--out", str(tmp_path / "out"), "--rubric", str(rubric)]
    code, stdout, stderr = run_cli(argv)
    assert (code, stdout) == (2, "")
    assert stderr.startswith(f"grade: invalid rubric {rubric}: ") and "mlp_backwards" in stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("argv", [["--jobs", "0"], ["--jobs", "many"], []])
def test_bad_arguments_are_usage_errors(tmp_path: Path, argv: list[str]) -> None:
    out = ["--out", str(tmp_path / "out")] if argv else []
    code, _, stderr = run_cli(["batch", str(tmp_path), *out, *argv])
    assert code == 2 and "usage: grade batch" in stderr


def test_a_missing_directory_is_a_usage_error(tmp_path: Path) -> None:
    code, _, stderr = run_cli(["batch", str(tmp_path / "nope"), "--out", str(tmp_path / "out")])
    assert code == 2
    assert (
        stderr
        == f"grade: {tmp_path / 'nope'}: not a directory (expected a folder with one entry per student)\n"
    )


def test_an_empty_directory_completes_with_empty_outputs(tmp_path: Path) -> None:
    (tmp_path / "class").mkdir()
    code, stdout, stderr = run_cli(["batch", str(tmp_path / "class"), "--out", str(tmp_path / "out")])
    assert code == 0
    assert stdout.startswith(
        "0 students, 0 submissions: 0 graded now, 0 already graded, 0 could not be graded;"
    )
    assert stderr == "grade: no student folder or .py/.ipynb file found\n"
    assert (tmp_path / "out" / "grades.csv").read_text() == "student,total,max,notes\n"
    assert (tmp_path / "out" / "results.jsonl").read_text() == ""
    assert "Every submission was graded." in (tmp_path / "out" / "summary.html").read_text()


def test_single_files_without_a_rubric_are_a_usage_error_before_grading(tmp_path: Path) -> None:
    directory = one_exercise_class(tmp_path / "class")
    code, stdout, stderr = run_cli(["batch", str(directory), "--out", str(tmp_path / "out")])
    assert (code, stdout) == (2, "")
    assert stderr == f"grade: {directory}: nothing to grade: {UNKNOWN_EXERCISE}: ann.py, bbo.py, zed.py\n"
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize(
    ("files", "extra", "why"),
    [
        (
            ["ann/exercise12.py", "bob/exercise12.ipynb"],
            ["--rubric", str(RUBRIC)],
            f"{OTHER_EXERCISE.format('exercise11')}: ann/exercise12.py, bob/exercise12.ipynb",
        ),
        (
            ["ann/exercise99.py", "bob_exercise99.py"],
            [],
            f"{NO_RUBRIC}: ann/exercise99.py, bob_exercise99.py",
        ),
    ],
)
def test_a_class_left_out_whole_by_the_options_is_a_usage_error(
    tmp_path: Path, files: list[str], extra: list[str], why: str
) -> None:
    for name in files:
        (tmp_path / "class" / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "class" / name).write_text("x = 1\n")
    code, _, stderr = run_cli(["batch", str(tmp_path / "class"), "--out", str(tmp_path / "out"), *extra])
    assert (code, stderr) == (2, f"grade: {tmp_path / 'class'}: nothing to grade: {why}\n")
    assert not (tmp_path / "out").exists()


def test_students_whose_files_cannot_be_read_are_rows_not_a_usage_error(tmp_path: Path) -> None:
    make_fifo(tmp_path / "class" / "ann" / "exercise11.py")
    (tmp_path / "class" / "bob").mkdir()
    code, stdout, _ = run_cli(["batch", str(tmp_path / "class"), "--out", str(tmp_path / "out")])
    assert code == 0
    assert stdout.startswith(
        "2 students, 1 submission: 0 graded now, 0 already graded, 1 could not be graded, "
        "1 student with nothing to grade;"
    )
    assert (
        by_student(tmp_path / "out")["ann"]["message"] == "exercise11.py is a named pipe (FIFO), not a file"
    )


@pytest.mark.slow
def test_a_one_exercise_batch_of_single_files_with_a_canvas_roster(tmp_path: Path) -> None:
    directory, out = one_exercise_class(tmp_path / "class"), tmp_path / "out"
    (tmp_path / "roster.csv").write_text(ROSTER)
    stderr = Terminal()
    report = grade_batch(
        directory,
        out,
        rubric=RUBRIC,
        canvas=tmp_path / "roster.csv",
        timeout=float(TIMEOUT),
        progress=stderr,
    )
    assert report.counts == Counts(students=3, submissions=3, graded_now=2, not_graded=1)
    assert report.unmatched == ["zed"]
    assert "3/3" in stderr.getvalue() and "1 could not be graded" in stderr.getvalue()  # the progress bar
    results = by_student(out)
    assert results["ann"]["score"] == 12.0 and results["bbo"]["score"] == 4.0
    assert results["zed"]["status"] == "error"
    assert results["bbo"]["submission"] == "bbo.py"
    assert (out / "ann" / "ann.html").is_file() and (out / "zed" / "zed.json").is_file()
    canvas = list(csv.reader(io.StringIO((out / "canvas.csv").read_text())))
    assert canvas[0][-1] == "exercise11 (4242)" and canvas[1][-1] == "12"
    assert [row[-1] for row in canvas[2:]] == ["12", "4", ""]
