"""Every page on a phone (390 px) and a desktop (1280 px): no wider than the screen, a clean
console, the score on the first screen. Goldens leave the stylesheet out: these tests guard it.

Slow: a small class is graded for real (each student's reports, then `grade batch` for the
class dashboard), and one Chromium measures every page at both widths.
"""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.cli_helpers import run_cli
from tests.notebook.convert import notebook_of
from tests.report.browser import DESKTOP, PHONE, Browser, Page, Viewport

pytestmark = pytest.mark.slow
STUDENTS = Path(__file__).resolve().parents[1] / "students"
#: Each student's files, as modules of tests/students/<exercise>/ (a notebook is made from its module),
#: chosen so that the reports hold every kind of evidence.
CLASS: dict[str, dict[str, str]] = {
    "ann": {
        "exercise11.py": "forgot_divide_by_n",  # heatmap, ratio grid, expected and yours
        "exercise12.py": "add_forgets_chain_rule",  # the worked example's graph
        "exercise13.py": "raises",  # tracebacks quoting the student's code
        "exercise14.py": "never_seeded",  # the engine's graph beside heatmaps
        "exercise15.py": "nan_gradient",  # what the submission printed
        "exercise16.py": "layernorm_eps",
        "exercise17.py": "two_bugs",  # forward-mode AD: two distinct failures
        "exercise18.py": "stale_caches",  # gradient checkpointing
    },
    "bob": {
        "exercise11.ipynb": "raises",  # a traceback quoting a notebook's cell
        "exercise14.py": "transposed_matmul",  # quoted code beside a heatmap
    },
    "zoe-whose-folder-name-is-rather-long": {"exercise11.py": "syntax_error"},  # could not be graded
    "dee": {},  # handed in nothing
}
SUMMARY = "summary"
REPORTS = [f"{student}/{name}" for student, files in CLASS.items() for name in files]
#: Where each page shows the score: the report's gauge, the dashboard's figures.
REPORT_SCORE, SUMMARY_SCORE = '[aria-label^="score"]', ".stats"
SCREENS = [pytest.param(PHONE, id="phone"), pytest.param(DESKTOP, id="desktop")]
PAGES = [*REPORTS, SUMMARY]


def hand_in(folder: Path) -> Path:
    """The class's folder, one sub-folder per student, as `grade batch` takes it."""
    for student, files in CLASS.items():
        (folder / student).mkdir(parents=True)
        for name, module in files.items():
            source = STUDENTS / Path(name).stem / f"{module}.py"
            if name.endswith(".ipynb"):
                (folder / student / name).write_text(notebook_of(source.read_text()))
            else:
                shutil.copy(source, folder / student / name)
    return folder


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each page by name: a report per file handed in (`grade FILE --html`), and the class's summary."""
    root = tmp_path_factory.mktemp("responsive")
    handed_in = hand_in(root / "class")
    made = {}
    for page in REPORTS:
        made[page] = root / "reports" / f"{page}.html"
        code, _, err = run_cli([str(handed_in / page), "--html", str(made[page])])
        assert code == 1, f"grade {page} exited {code}, not 1 (a check failed):\n{err}"
    code, _, err = run_cli(["batch", str(handed_in), "--out", str(root / "out"), "--jobs", "2"])
    assert code == 0, err
    made[SUMMARY] = root / "out" / "summary.html"
    return made


@pytest.fixture(scope="module")
def measured(browser: Browser, pages: dict[str, Path]) -> Callable[[str, Viewport], Page]:
    """The page named, as measured at a viewport: once per pair, whichever test asks first."""

    @functools.cache
    def measure(page: str, viewport: Viewport) -> Page:
        return browser.open(pages[page], viewport, SUMMARY_SCORE if page == SUMMARY else REPORT_SCORE)

    return measure


@pytest.mark.parametrize("viewport", SCREENS)
@pytest.mark.parametrize("page", PAGES)
def test_nothing_is_wider_than_the_screen(
    measured: Callable[[str, Viewport], Page], page: str, viewport: Viewport
) -> None:
    shown = measured(page, viewport)
    assert shown.scroll_width <= viewport.width, shown.layout()


@pytest.mark.parametrize("viewport", SCREENS)
@pytest.mark.parametrize("page", PAGES)
def test_the_console_stays_clean(
    measured: Callable[[str, Viewport], Page], page: str, viewport: Viewport
) -> None:
    problems = measured(page, viewport).problems
    assert problems == [], f"console messages, exceptions or blocked loads: {problems}"


@pytest.mark.parametrize("viewport", SCREENS)
@pytest.mark.parametrize("page", PAGES)
def test_the_score_is_on_the_first_screen(
    measured: Callable[[str, Viewport], Page], page: str, viewport: Viewport
) -> None:
    score = measured(page, viewport).score
    assert score is not None, (
        f"no element holds the score ({SUMMARY_SCORE if page == SUMMARY else REPORT_SCORE})"
    )
    assert score.within(viewport), (
        f"the score is at {score}, off the first {viewport.width}×{viewport.height} screen"
    )


def test_a_page_wider_than_the_phone_is_caught_and_its_culprit_named(
    browser: Browser, tmp_path: Path
) -> None:
    """On a phone Chromium widens innerWidth to a page that overflows: the screen's width is the yardstick."""
    page = tmp_path / "wide.html"
    page.write_text(
        '<!DOCTYPE html><meta name="viewport" content="width=device-width, initial-scale=1">'
        '<div class="fits">fits</div><div class="wide" style="width: 600px">too wide</div>'
        '<div style="overflow-x: auto"><table style="width: 900px"><tr><td>scrolls</td></tr></table></div>'
    )

    measured = browser.open(page, PHONE, ".fits")

    assert measured.scroll_width == measured.inner_width == 608
    assert [(o.element, o.text, o.width) for o in measured.overflowing] == [("div.wide", "too wide", 600)]
    assert "div.wide ('too wide'): 600 px wide, right edge at 608 px" in measured.layout()
    assert measured.score is not None and measured.score.within(PHONE)


def test_the_phone_is_emulated_at_its_own_width(browser: Browser, tmp_path: Path) -> None:
    page = tmp_path / "narrow.html"
    page.write_text(
        '<!DOCTYPE html><meta name="viewport" content="width=device-width, initial-scale=1"><p>fits'
    )

    measured = browser.open(page, PHONE)

    assert (measured.inner_width, measured.scroll_width) == (390, 390)
