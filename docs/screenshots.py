"""Regenerate the screenshots the README shows, from pages graded for real.

Run from the repository root, with the project installed and Chromium on the PATH
(`apt-get install chromium`):

    python docs/screenshots.py               # writes into docs/
    python docs/screenshots.py --out /tmp/x  # elsewhere, to look before replacing docs/
    python docs/screenshots.py --inline      # the inline check's picture only

It writes three pictures (and with --inline a fourth alone):

- report-screenshot.png: the report of tests/students/exercise11/forgot_divide_by_n.py,
  graded by `grade`, on a 1200 px wide screen;
- report-phone-screenshot.png: the same report on a 390 px phone;
- summary-screenshot.png: the class dashboard (summary.html) of `grade batch` over a small
  class of exercise 11, several students with different mistakes, at 1200 px;
- inline-check-screenshot.png: what `grader.check()` shows in a notebook cell on the same
  student's code (the HTML fragment, in a page laid out like a notebook's output), at 1000 px.

Each is the whole page from its top, cut at MAX_HEIGHT pixels. The browser is the one the
tests drive (tests/report/browser.py), so the pictures show what the browser tests measure.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a script: the tests package is the repository's

from tests.report.browser import PHONE, Browser, Viewport, find_chromium  # noqa: E402

STUDENTS = ROOT / "tests" / "students" / "exercise11"
#: The student whose report is shown.
STUDENT = "forgot_divide_by_n"
#: The class of the dashboard: student -> their exercise 11 (a module of tests/students/exercise11/).
CLASS = {
    "ada": "forgot_divide_by_n",
    "ben": "no_relu_mask",
    "chloe": "transposed_dw",
    "dev": "correct",
    "emil": "bias_keepdims",
    "fatima": "db_by_mean",
    "gus": "syntax_error",
}
SCREEN = Viewport("desktop", 1200, 800)
#: A notebook's width: the inline check sits in an output area.
NOTEBOOK = Viewport("notebook", 1000, 800)
MAX_HEIGHT = 4000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--out", type=Path, default=ROOT / "docs", help="folder for the PNGs (default: docs/)"
    )
    parser.add_argument(
        "--inline", action="store_true", help="write only inline-check-screenshot.png (grader.check())"
    )
    args = parser.parse_args(argv)
    out = args.out
    executable = find_chromium()
    if executable is None:
        parser.error("chromium is not installed (apt-get install chromium)")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as work, Browser(executable) as browser:
        if args.inline:
            shots = {"inline-check-screenshot.png": (inline_check(Path(work)), NOTEBOOK)}
        else:
            report = graded_report(Path(work))
            shots = {
                "report-screenshot.png": (report, SCREEN),
                "report-phone-screenshot.png": (report, PHONE),
                "summary-screenshot.png": (class_summary(Path(work)), SCREEN),
            }
        for name, (page, viewport) in shots.items():
            (out / name).write_bytes(browser.screenshot(page, viewport, max_height=MAX_HEIGHT))
            print(out / name)
    return 0


def graded_report(work: Path) -> Path:
    """`grade` the student's exercise 11 (it fails checks: exit status 1) and return its report."""
    submission = work / "exercise11.py"
    shutil.copy(STUDENTS / f"{STUDENT}.py", submission)
    report = work / "report.html"
    grade([str(submission), "--html", str(report)], expected=1)
    return report


def class_summary(work: Path) -> Path:
    """`grade batch` over a folder of the class's students and return its summary.html."""
    for student, module in CLASS.items():
        (work / "class" / student).mkdir(parents=True)
        shutil.copy(STUDENTS / f"{module}.py", work / "class" / student / "exercise11.py")
    grade(["batch", str(work / "class"), "--out", str(work / "out")], expected=0)
    return work / "out" / "summary.html"


def inline_check(work: Path) -> Path:
    """`grader.check()` in an IPython shell that ran the student's code as notebook cells, its HTML
    in a page laid out like a notebook's output area (the code cell above it, as the student sees it)."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.run_cell("__session__ = 'exercise11.ipynb'", store_history=True)
    shell.run_cell((STUDENTS / f"{STUDENT}.py").read_text(), store_history=True)
    shell.run_cell("import grader\nfeedback = grader.check()", store_history=True)
    page = work / "inline.html"
    page.write_text(NOTEBOOK_PAGE.format(fragment=shell.user_ns["feedback"]._repr_html_()), encoding="utf-8")
    return page


#: A bare notebook look around the fragment: a code cell, then its output.
NOTEBOOK_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>
body {{ margin: 16px; font-family: system-ui, sans-serif; background: #fff; }}
.cell {{ display: flex; gap: 8px; margin-bottom: 6px; }}
.prompt {{ width: 64px; color: #307fc1; font: 13px monospace; text-align: right; padding-top: 6px; }}
pre {{ flex: 1; margin: 0; background: #f5f5f5; border: 1px solid #e0e0e0; padding: 6px 8px; }}
.out {{ flex: 1; }}
</style></head><body>
<div class="cell"><div class="prompt">[7]:</div><pre>import grader

grader.check()</pre></div>
<div class="cell"><div class="prompt"></div><div class="out">{fragment}</div></div>
</body></html>"""


def grade(arguments: list[str], expected: int) -> None:
    """Run the `grade` command as a user would; any other exit status stops with its output."""
    done = subprocess.run([sys.executable, "-m", "grader", *arguments], capture_output=True, text=True)
    if done.returncode != expected:
        sys.exit(f"grade {' '.join(arguments)} exited {done.returncode}:\n{done.stdout}{done.stderr}")


if __name__ == "__main__":
    sys.exit(main())
