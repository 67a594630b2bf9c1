"""The output flags of `grade`: where reports and machine files go, and the exit status.

Grading itself is replaced by a hand-built result, so these tests are fast and only
exercise the command line.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import grader.api
from grader.errors import UsageError
from grader.outputs.gradescope import FAILED_TEST
from grader.result import Result
from tests.cli_helpers import run_cli
from tests.outputs.schemas import assert_gradescope, assert_prairielearn
from tests.report import samples


@pytest.fixture
def graded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two submissions in a folder, each graded as `samples.mlp_result()` (3.5 of 13 points)."""

    def grade_submission(path: Path, **options: object) -> Result:
        result = samples.mlp_result()
        result.submission = path.name
        return result

    monkeypatch.setattr(grader.api, "grade_submission", grade_submission)
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "student"
    folder.mkdir()
    for name in ("exercise11.py", "exercise12.py"):
        (folder / name).write_text(samples.SOURCE)
    return folder


def test_the_report_goes_to_grade_reports_by_default(graded: Path) -> None:
    code, out, _ = run_cli([str(graded / "exercise11.py")])
    assert code == 1
    report = Path("grade-reports/exercise11.html")
    assert f"report: {report}" in out
    assert "Forgot to divide by N" in report.read_text()


def test_html_names_a_file_or_a_folder_and_no_html_writes_none(graded: Path) -> None:
    run_cli([str(graded / "exercise11.py"), "--html", "out/mine.html"])
    assert Path("out/mine.html").is_file()
    run_cli([str(graded), "--html", "reports"])
    assert sorted(p.name for p in Path("reports").iterdir()) == ["exercise11.html", "exercise12.html"]
    run_cli([str(graded), "--no-html"])
    assert not Path("grade-reports").exists()


def test_one_html_file_for_several_submissions_is_a_usage_error(graded: Path) -> None:
    code, out, err = run_cli([str(graded), "--html", "one.html"])
    assert code == 2 and out == ""
    assert err == "grade: --html one.html is one file for 2 submissions; give a folder\n"


def test_machine_outputs_are_written_and_valid(graded: Path) -> None:
    code, _, _ = run_cli(
        [str(graded), "--no-html", "--junit", "j.xml", "--gradescope", "g.json", "--prairielearn", "p.json"]
    )
    assert code == 1
    assert Path("j.xml").read_text().count("<testsuite ") == 2
    assert_gradescope(gradescope := json.loads(Path("g.json").read_text()))
    assert gradescope["score"] == 7.0
    assert_prairielearn(json.loads(Path("p.json").read_text()))


@pytest.mark.parametrize(("threshold", "status"), [("0.29", 0), ("0.3", 1), ("1", 1), ("0", 0)])
def test_min_score_decides_the_exit_status(graded: Path, threshold: str, status: int) -> None:
    """3.5 of the 12 points judged (the skipped check's point is not): 29 %."""
    code, _, err = run_cli([str(graded / "exercise11.py"), "--no-html", "--min-score", threshold])
    assert code == status
    assert ("below --min-score" in err) == (status == 1)


def test_min_score_counts_only_the_points_judged_here(tmp_path: Path) -> None:
    """The student kit skips the checks that need the reference: a correct exercise reaches any threshold."""
    root = Path(__file__).resolve().parents[2]
    submission = tmp_path / "exercise11.py"
    submission.write_text((root / "tests" / "students" / "exercise11" / "correct.py").read_text())
    kit = ["--course", str(root / "grader" / "kit"), "--no-html", "--min-score"]
    assert run_cli([str(submission), *kit, "1"])[0] == 0
    submission.write_text((root / "tests" / "students" / "exercise11" / "forgot_divide_by_n.py").read_text())
    code, _, err = run_cli([str(submission), *kit, "0.5"])
    assert code == 1 and "of the points judged here, below --min-score 0.5" in err


@pytest.mark.parametrize("bad", ["1.5", "-0.1", "80%", "nan"])
def test_min_score_must_be_a_fraction(graded: Path, bad: str) -> None:
    code, _, err = run_cli([str(graded / "exercise11.py"), "--min-score", bad])
    assert code == 2 and "is not a fraction between 0 and 1" in err


def test_gradescope_file_is_written_when_the_input_cannot_be_graded(graded: Path) -> None:
    code, _, err = run_cli(["missing/exercise11.py", "--gradescope", "g.json"])
    assert code == 2 and err == "grade: missing/exercise11.py: no such file or directory\n"
    data = json.loads(Path("g.json").read_text())
    assert_gradescope(data)
    assert data["tests"][0]["name"] == FAILED_TEST
    assert data["tests"][0]["output"] == "missing/exercise11.py: no such file or directory"


def test_gradescope_file_is_written_when_the_grader_crashes(
    graded: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(path: Path, **options: object) -> Result:
        raise RuntimeError("boom")

    monkeypatch.setattr(grader.api, "grade_submission", crash)
    code, _, err = run_cli([str(graded / "exercise11.py"), "--gradescope", "g.json"])
    assert code == 2 and "internal error (RuntimeError: boom)" in err
    data = json.loads(Path("g.json").read_text())
    assert data["score"] == 0 and "internal error (RuntimeError: boom)" in data["tests"][0]["output"]


def test_usage_errors_stay_one_line(graded: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def unknown(path: Path, **options: object) -> Result:
        raise UsageError("unknown exercise exercise99")

    monkeypatch.setattr(grader.api, "grade_submission", unknown)
    code, _, err = run_cli([str(graded / "exercise11.py")])
    assert (code, err) == (2, "grade: unknown exercise exercise99\n")


@pytest.mark.parametrize("option", ["--json", "--junit", "--gradescope", "--prairielearn"])
def test_a_machine_output_on_stdout_is_all_stdout_carries(graded: Path, option: str) -> None:
    code, out, err = run_cli([str(graded), "--no-html", option, "-"])
    assert code == 1
    assert "score 2 / 13" in err  # the summary; stdout below parses whole
    if option == "--json":  # several files: one JSON document per line
        documents = [json.loads(line) for line in out.splitlines()]
        assert [d["submission"] for d in documents] == ["exercise11.py", "exercise12.py"]
    elif option == "--junit":
        assert out.startswith("<?xml")
    else:
        json.loads(out)


@pytest.mark.parametrize(
    ("argv", "environ", "released"),
    [([], {}, False), (["--release"], {}, True), ([], {"GRADER_RELEASE": "1"}, True)],
)
def test_hidden_results_wait_for_release(
    graded: Path, argv: list[str], environ: dict[str, str], released: bool
) -> None:
    _, out, _ = run_cli([str(graded / "exercise11.py"), "--no-html", *argv], environ=environ)
    row = next(line for line in out.splitlines() if "matches the reference on other sizes" in line)
    if released:
        assert row.endswith("1.5/4") and "score 3.5 / 13" in out and samples.SECRET in out
    else:
        assert row.endswith("–/4") and "score 2 / 13" in out and samples.SECRET not in out
        assert "4 points still to be released" in out and "result hidden until the course releases it" in out
