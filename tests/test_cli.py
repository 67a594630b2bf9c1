"""The `grade` command end to end: exit codes, JSON, skipped checks, tolerance flags."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli_helpers import run_cli

pytestmark = pytest.mark.usefixtures("in_tmp")

ROOT = Path(__file__).resolve().parent.parent
STUDENTS = ROOT / "tests" / "students" / "exercise11"


def submission(tmp_path: Path, name: str) -> Path:
    target = tmp_path / "exercise11.py"
    shutil.copy(STUDENTS / f"{name}.py", target)
    return target


@pytest.mark.slow
def test_correct_submission_exits_zero_and_writes_schema_json(tmp_path: Path) -> None:
    out_json = tmp_path / "out" / "r.json"
    code, out, err = run_cli([str(submission(tmp_path, "correct")), "--json", str(out_json), "--release"])
    assert (code, err) == (0, "")
    assert "score 12 / 12  (all checks passed)" in out
    data = json.loads(out_json.read_text())
    assert data["schema"] == "grader.result/1" and data["status"] == "graded"
    assert data["score"] == data["max_score"] == 12.0
    assert {c["status"] for c in data["checks"]} == {"passed"}
    assert set(data) == {
        "schema", "submission", "sha256", "exercise", "score", "max_score", "status",
        "duration_s", "message", "checks", "integrity", "stdout",
    }  # fmt: skip


@pytest.mark.slow
def test_buggy_submission_exits_one_with_json_on_stdout(tmp_path: Path) -> None:
    code, out, _ = run_cli([str(submission(tmp_path, "forgot_divide_by_n")), "--json", "-"])
    assert code == 1
    data = json.loads(out[out.index("{") :])
    failed = {c["id"]: c for c in data["checks"] if c["status"] != "passed"}
    assert failed["mlp_backward.gradcheck"]["misconception"] == "forgot-divide-by-n"
    assert failed["mlp_backward.gradcheck"]["hint"].startswith("Your gradients are exactly N times")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["missing/exercise11.py"], "grade: missing/exercise11.py: no such file or directory\n"),
        (
            ["--rtol", "abc", str(ROOT / "examples" / "submissions" / "exercise11.py")],
            "grade: invalid rtol 'abc' from the command line: expected a float\n",
        ),
    ],
)
def test_usage_errors_exit_two_with_one_line(argv: list[str], message: str) -> None:
    code, out, err = run_cli(argv)
    assert (code, out, err) == (2, "", message)


def test_unknown_exercise_and_unparseable_name(tmp_path: Path) -> None:
    (tmp_path / "exercise99.py").write_text("")
    code, _, err = run_cli([str(tmp_path / "exercise99.py")])
    assert code == 2 and err.startswith("grade: unknown exercise exercise99: no rubric ")
    (tmp_path / "homework.py").write_text("")
    code, _, err = run_cli([str(tmp_path / "homework.py")])
    assert code == 2
    assert err == "grade: homework.py: cannot tell the exercise from the name (expected exerciseNN.py)\n"


def test_invalid_rubric_is_a_usage_error_before_running_anything(tmp_path: Path) -> None:
    rubric = tmp_path / "r.yaml"
    rubric.write_text("exercise: exercise11\ntitle: x\nchecks: []\n")
    target = submission(tmp_path, "hangs")
    code, _, err = run_cli([str(target), "--rubric", str(rubric)])
    assert code == 2
    assert err == f"grade: invalid rubric {rubric}: checks: got [], expected a non-empty list\n"


@pytest.mark.slow
def test_without_reference_the_reference_checks_are_skipped_not_failed(tmp_path: Path) -> None:
    course = tmp_path / "course"
    shutil.copytree(ROOT / "rubrics", course / "rubrics")
    code, out, _ = run_cli([str(submission(tmp_path, "correct")), "--course", str(course)])
    assert code == 0
    assert "all checks passed" not in out
    assert "2 skipped: runs on the course autograder (the reference solutions are not available here)" in out
    assert "score 6 / 12" in out


@pytest.mark.slow
def test_loose_tolerance_from_environment_and_flag(tmp_path: Path) -> None:
    target = submission(tmp_path, "forgot_divide_by_n")
    code, out, _ = run_cli([str(target)], environ={"GRADER_RTOL": "10"})
    assert "matches numerical gradients" not in out  # 6x off is within rtol=10
    code, out, _ = run_cli([str(target), "--rtol", "1e-5"], environ={"GRADER_RTOL": "10"})
    assert "mlp_backward matches numerical gradients of mlp_forward  0/4" in out


@pytest.mark.slow
def test_folder_grades_every_exercise_file(tmp_path: Path) -> None:
    shutil.copy(STUDENTS / "correct.py", tmp_path / "exercise11.py")
    (tmp_path / "notes.py").write_text("x = 1\n")
    code, out, err = run_cli([str(tmp_path), "--json", "-"])
    assert code == 0
    summary = "score 8 / 12  (4 of 4 checks passed, 4 points still to be released)"  # before release
    assert err.count(summary) == 1 and "notes.py" not in err  # the summary: stdout is the JSON
    assert json.loads(out)["submission"] == "exercise11.py"


@pytest.mark.slow
def test_exit_zero_reports_without_failing(tmp_path: Path) -> None:
    target = submission(tmp_path, "forgot_divide_by_n")
    code, out, _ = run_cli([str(target), "--no-html", "--exit-zero"])
    assert code == 0 and "mistake: forgot-divide-by-n" in out
    code, _, err = run_cli(["missing/exercise11.py", "--exit-zero"])
    assert code == 2 and "no such file" in err


@pytest.mark.slow
def test_a_reader_that_leaves_early_costs_no_output_file_and_no_exit_status(tmp_path: Path) -> None:
    """`grade … | head`: printing stops quietly, the JSON and the report are still written."""
    submission = tmp_path / "exercise11.py"
    shutil.copy(STUDENTS / "forgot_divide_by_n.py", submission)
    command = [sys.executable, "-m", "grader", str(submission), "--json", str(tmp_path / "r.json")]
    process = subprocess.Popen(
        command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    process.stdout.close()  # the reader is gone before the first line
    _, err = process.communicate(timeout=120)
    assert (process.returncode, err) == (1, "")
    assert json.loads((tmp_path / "r.json").read_text())["exercise"] == "exercise11"
    assert (tmp_path / "grade-reports" / "exercise11.html").is_file()
