"""Golden files for the HTML report: compare after normalising what varies between runs.

The stylesheet is left out: a change of CSS would otherwise touch every golden, and what
the CSS is for (nothing wider than a phone, the score on the first screen, a clean console)
is what the browser tests check (tests/report/test_responsive.py).

Set GRADER_UPDATE_GOLDEN=1 to rewrite the goldens deliberately (then review the diff).
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = "GRADER_UPDATE_GOLDEN"
#: Elements the report marks as varying: the time of grading, the duration, the file hash.
VOLATILE = re.compile(r"(<(\w+) data-volatile>)(.*?)(</\2>)", re.DOTALL)
#: The worker's temporary directory, e.g. in a RuntimeWarning the submission printed.
TEMP_PATH = re.compile(r"/tmp/[\w.\-]+")
#: The page's stylesheet (student text cannot open one: it is escaped).
STYLESHEET = re.compile(r"(<style\b[^>]*>).*?(</style>)", re.DOTALL)
STYLESHEET_LEFT_OUT = "/* stylesheet left out of goldens: the browser tests check it */"


def normalise(html: str) -> str:
    html = STYLESHEET.sub(rf"\1{STYLESHEET_LEFT_OUT}\2", html)
    html = VOLATILE.sub(r"\1…\4", html)
    return TEMP_PATH.sub("/TMP", html)


def assert_golden(name: str, html: str) -> None:
    path = GOLDEN / name
    actual = normalise(html)
    if os.environ.get(UPDATE) == "1":
        path.write_text(actual, encoding="utf-8")
        return
    assert path.is_file(), f"no golden {path}; run with {UPDATE}=1 to create it"
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), "golden", "now")
        shown = "".join(diff)[:4000]
        raise AssertionError(f"{name} differs from its golden (rerun with {UPDATE}=1 if intended):\n{shown}")
