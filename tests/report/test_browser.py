"""The report in a real headless Chromium: loads cleanly, renders the score and hints, stays inert.

Slow (a browser launch per page). Skipped without chromium, except in CI where it must run.
"""

from __future__ import annotations

import shutil
import struct
from pathlib import Path

import pytest

from grader.report.page import render
from grader.rubric import load
from tests.cli_helpers import run_cli
from tests.report import samples
from tests.report.browser import Page, chromium, open_page

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
STUDENT = ROOT / "tests" / "students" / "exercise11" / "forgot_divide_by_n.py"
WIDTH, HEIGHT = 1200, 2000


@pytest.fixture(autouse=True)
def browser_installed() -> None:
    """Skip (or, in CI, fail) before grading anything when there is no browser."""
    chromium()


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def assert_clean(page: Page) -> None:
    assert page.problems == [], f"console messages, exceptions or blocked loads: {page.problems}"


def test_report_of_a_graded_submission_renders_score_and_hint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    submission = tmp_path / "exercise11.py"
    shutil.copy(STUDENT, submission)
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli([str(submission)])
    assert code == 1, err
    report = tmp_path / "grade-reports" / "exercise11.html"
    assert f"report: {Path('grade-reports') / 'exercise11.html'}" in out

    page = open_page(report, WIDTH, HEIGHT)

    assert_clean(page)
    assert png_size(page.screenshot) == (WIDTH, HEIGHT)
    hint = load(ROOT / "rubrics" / "exercise11.yaml").misconceptions["forgot-divide-by-n"].hint
    assert "4 / 12" in page.text
    assert hint in page.text


def test_hostile_text_is_shown_literally_and_never_runs(tmp_path: Path) -> None:
    report = tmp_path / "hostile.html"
    report.write_text(render(samples.hostile_result(), samples.source_with_payload()))

    page = open_page(report)

    assert_clean(page)  # an injected script or image would log a CSP violation or a console error
    assert samples.PAYLOAD in page.text


def test_engine_graph_and_large_heatmap_render_cleanly(tmp_path: Path) -> None:
    report = tmp_path / "engine.html"
    report.write_text(render(samples.engine_result()))

    page = open_page(report)

    assert_clean(page)
    assert "wrong gradient at a, b" in page.text
    assert "your grad −12" in page.text
