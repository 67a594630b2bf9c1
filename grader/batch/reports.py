"""The students' own files, OUT/<student>/<stem>.json and .html, kept in step with the TA's overrides.

Reports are rendered where submissions are graded, before any override is read; an override
(or its removal) must not wait for a regrade. So a report holds a marked, empty place for the
TA's changes (`<!--ta-override--><!--/ta-override-->`), and each run fills it with the
override that applies now, or empties it (a stale override is not shown to the student).
The markers cannot come from the student: everything a student wrote is escaped on the page.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2

from grader.batch.files import row_stem, write_atomic
from grader.report import page
from grader.report.view import override_view

EMPTY = "<!--ta-override--><!--/ta-override-->\n"
MARKED = re.compile(r"<!--ta-override-->.*?<!--/ta-override-->\n?", re.DOTALL)


def update(out: Path, row: Mapping[str, Any]) -> None:
    """Bring the row's JSON and report in OUT/<student>/ to its `override` (rewritten only if changed)."""
    if not row["submission"]:
        return
    folder = out / row["student"]
    stem = row_stem(row)
    override = row.get("override")
    path = folder / f"{stem}.json"
    if path.is_file():
        result = json.loads(path.read_text(encoding="utf-8"))
        wanted = {k: v for k, v in result.items() if k != "override"} | (
            {"override": override} if override else {}
        )
        if wanted != result:
            write_atomic(path, json.dumps(wanted, indent=2) + "\n")
    path = folder / f"{stem}.html"
    if path.is_file():
        html = path.read_text(encoding="utf-8")
        block = _block(row, override) if override and not override["stale"] else EMPTY
        changed = MARKED.sub(lambda _: block, html, count=1)
        if changed != html:
            write_atomic(path, changed)


def _block(row: Mapping[str, Any], override: Mapping[str, Any]) -> str:
    return _template().render(view=override_view(row, override), exercise=row["exercise"])


@functools.cache
def _template() -> jinja2.Template:
    return page.environment().get_template("override.html")
