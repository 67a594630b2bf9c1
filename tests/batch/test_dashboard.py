"""summary.html as a TA's dashboard: every student's scores in pre-sorted tables, who did not pass
each check, the timeouts, the submissions graded with warnings, a readable date; student text inert."""

from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone
from typing import Any

from grader.batch.summary import WARNINGS_SHOWN, readable
from grader.text import LINE_CHARS, NAME_CHARS
from tests.batch.rowsfor import RUBRIC, RUBRIC12, error_row, graded_row, summary_page, with_status

TWO_EXERCISES = {"exercise11": RUBRIC, "exercise12": RUBRIC12}
GRADCHECK, REFERENCE = "mlp_backward.gradcheck", "mlp_backward.reference"
HOSTILE = "<img src=x onerror=alert(1)>\x1b[2J"
SHOWN_HOSTILE = "&lt;img src=x onerror=alert(1)&gt;␛[2J"
HOSTILE_HREF = "%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E%1B%5B2J/exercise11.html"
#: The grader's own lines in what a submission printed (grader.notebook.driver, grader.api).
NOTEBOOK_NOTE = "[exercise11.ipynb] cell 2 raised NameError: name 'x' is not defined"
PYTHON_WARNING = "exercise11.py:12: RuntimeWarning: overflow encountered in exp"
CUT = "[… truncated: only the first 64.0 KiB are kept]"


def section(page: str, name: str) -> str:
    start = page.index(f'<section class="card" id="{name}">')
    return page[start : page.index("</section>", start)]


def view(page: str, key: str) -> str:
    """The student table sorted by `key` (name, total or an exercise)."""
    start = page.index(f'<div class="view" id="by-{key}">')
    return page[start : page.index("</table>", start)]


def names(table: str) -> list[str]:
    return [html.unescape(name) for name in re.findall(r'<td class="name">([^<]*)</td>', table)]


def line_of(table: str, student: str) -> str:
    start = table.index(f'<td class="name">{student}</td>')
    return table[start : table.index("</tr>", start)]


def drill_down(page: str, check: str) -> str:
    """The <details> whose summary holds `check`'s pass-rate bar."""
    title = page.index(f'<code class="muted">{check}</code>')
    start = page.rindex("<details>", 0, title)
    return page[start : page.index("</details>", title)]


def linked(part: str) -> list[tuple[str, str]]:
    """(href, name shown) of every link in `part`, in order."""
    return re.findall(r'<a href="([^"]+)">([^<]*)</a>', part)


def printed(row: dict[str, Any], stdout: str, submission: str = "exercise11.py") -> dict[str, Any]:
    return {**row, "stdout": stdout, "submission": submission}


def class_of_two_exercises() -> str:
    return summary_page(
        graded_row("ann", 8),
        graded_row("ann", 3, rubric=RUBRIC12),
        graded_row("Bob", 12),
        error_row("cy", "exercise11.py has a syntax error: line 3"),
        graded_row("cy", 14, rubric=RUBRIC12),
        error_row("dee", "no exercise file", submission=""),
        graded_row("fay", 0),
        students=["ann", "Bob", "cy", "dee", "eve", "fay"],  # eve has no row at all
        rubrics=TWO_EXERCISES,
    )


def test_the_student_table_lists_every_student_and_links_each_score_to_its_report() -> None:
    page = class_of_two_exercises()
    table = view(page, "name")
    assert names(table) == ["ann", "Bob", "cy", "dee", "eve", "fay"]
    ann = line_of(table, "ann")
    assert '<td class="num">11</td>' in ann  # the total
    assert linked(ann) == [("ann/exercise11.html", "8 / 12"), ("ann/exercise12.html", "3 / 14")]
    cy = line_of(table, "cy")
    assert '<span class="ungraded"><a href="cy/exercise11.html">could not be graded</a></span>' in cy
    assert linked(cy)[1] == ("cy/exercise12.html", "14 / 14")
    for missing in ("dee", "eve"):
        assert line_of(table, missing).count('<span class="missing">missing</span>') == 2
    assert '<span class="missing">missing</span>' in line_of(table, "Bob")  # no exercise 12


def test_each_pre_sorted_view_is_in_its_order_and_the_one_by_name_comes_last() -> None:
    page = class_of_two_exercises()
    assert names(view(page, "total")) == ["dee", "eve", "fay", "ann", "Bob", "cy"]
    # At the same score: missing, then could not be graded, then graded.
    assert names(view(page, "exercise11")) == ["dee", "eve", "cy", "fay", "ann", "Bob"]
    assert names(view(page, "exercise12")) == ["Bob", "dee", "eve", "fay", "ann", "cy"]
    views = re.findall(r'<div class="view" id="by-([\w-]+)">', page)
    # Last, so that the page's CSS shows it unless the address targets another.
    assert views == ["total", "exercise11", "exercise12", "name"]
    for key in views:
        headers = re.findall(
            r'<th class="\w+"( aria-sort="ascending")?><a href="#by-([\w-]+)">', view(page, key)
        )
        assert [target for _, target in headers] == ["name", "total", "exercise11", "exercise12"]
        assert [target for sort, target in headers if sort] == [key]
    assert "<script" not in page


def test_a_checks_bar_opens_on_who_failed_errored_or_timed_out_with_their_mistake() -> None:
    page = summary_page(
        graded_row("ann", 8, {GRADCHECK: "forgot-divide-by-n"}),
        graded_row("bob", 8, {GRADCHECK: None}),
        with_status(graded_row("cy", 8), "error", GRADCHECK),
        with_status(graded_row("zoë", 8), "timeout", GRADCHECK),
        graded_row("dee", 12),
    )
    details = drill_down(page, GRADCHECK)
    assert '<span class="fill" style="width: 20%">' in details  # the bar: one of five passed
    outcomes = re.findall(
        r'<tr class="s-(\w+)"><td class="who"><a href="([^"]+)">([^<]*)</a></td>'
        r".*?</td>\s*<td>(.*?)</td></tr>",
        details,
        re.DOTALL,
    )
    assert outcomes == [
        (
            "failed",
            "ann/exercise11.html",
            "ann",
            'Forgot to divide by N <code class="muted">forgot-divide-by-n</code>',
        ),
        ("failed", "bob/exercise11.html", "bob", '<span class="muted">none</span>'),
        ("error", "cy/exercise11.html", "cy", '<span class="muted">none</span>'),
        ("timeout", "zo%C3%AB/exercise11.html", "zoë", '<span class="muted">none</span>'),
    ]
    assert "No submission failed this check" in drill_down(page, REFERENCE)


def test_timeouts_are_listed_by_student_exercise_and_check() -> None:
    page = summary_page(
        with_status(graded_row("zoë", 3), "timeout", GRADCHECK, REFERENCE),
        with_status(graded_row("ann", 5, rubric=RUBRIC12), "timeout", "backward.deep"),
        graded_row("bob", 12),
        rubrics=TWO_EXERCISES,
    )
    listed = re.findall(
        r'<tr><td class="who"><a href="[^"]+">([^<]*)</a></td><td>(\w+)</td>'
        r'<td>[^<]* <code class="muted">([^<]+)</code>',
        section(page, "timeouts"),
    )
    assert listed == [
        ("ann", "exercise12", "backward.deep"),
        ("zoë", "exercise11", GRADCHECK),
        ("zoë", "exercise11", REFERENCE),
    ]
    assert '<span class="timeouts">◷ 2 timed out</span>' in line_of(view(page, "name"), "zoë")
    assert "No check timed out." in section(summary_page(graded_row("bob", 12)), "timeouts")


def test_submissions_graded_with_warnings_are_listed_with_the_lines_to_read() -> None:
    many = "\n".join([PYTHON_WARNING + " " + "x" * 10_000, *[PYTHON_WARNING] * (WARNINGS_SHOWN + 1)])
    page = summary_page(
        printed(graded_row("nb", 8), f"hello\n{NOTEBOOK_NOTE}\n", "exercise11.ipynb"),
        printed(graded_row("overflow", 8), f"loss 0.5\n{PYTHON_WARNING}\n  return np.exp(z)\n"),
        printed(graded_row("chatty", 8), "x" * 100 + f"\n{CUT}"),
        printed(graded_row("many", 8), many),
        printed(graded_row("calm", 12), "Warning: just a word\nepoch 1 done\n"),
        printed(error_row("broken", "exercise11.py has a syntax error"), PYTHON_WARNING),
    )
    warnings = section(page, "warnings")
    assert [name for _, name in linked(warnings)] == ["chatty", "many", "nb", "overflow"]
    lines = [html.unescape(line) for line in re.findall(r'<div class="message line">([^<]*)</div>', warnings)]
    assert lines[0] == CUT
    assert len(lines[1]) == LINE_CHARS and lines[1].startswith(PYTHON_WARNING) and lines[1].endswith("…")
    assert lines[2:] == [PYTHON_WARNING] * (WARNINGS_SHOWN - 1) + [NOTEBOOK_NOTE, PYTHON_WARNING]
    assert '<div class="muted">and 2 more lines</div>' in warnings  # "many" printed WARNINGS_SHOWN + 2


def test_the_date_is_written_as_people_write_it_with_the_clocks_offset() -> None:
    evening = datetime(2026, 12, 5, 21, 30, 12)
    assert (
        readable(evening.replace(tzinfo=timezone(timedelta(hours=1)))) == "5 December 2026, 21:30 (UTC+01:00)"
    )
    assert readable(evening.replace(tzinfo=timezone(-timedelta(hours=5, minutes=30)))).endswith("(UTC-05:30)")
    assert readable(evening) == "5 December 2026, 21:30"
    page = summary_page(graded_row("ann", 12), now=evening.replace(tzinfo=timezone.utc))
    assert "generated <time data-volatile>5 December 2026, 21:30 (UTC+00:00)</time>" in page


def test_hostile_names_stay_inert_in_the_student_table_drill_downs_and_lists() -> None:
    long_name = "y" * (NAME_CHARS + 100)
    hostile = with_status(graded_row(HOSTILE, 3, {GRADCHECK: "no-relu-mask"}), "timeout", REFERENCE)
    page = summary_page(
        printed(hostile, f"{PYTHON_WARNING}: {HOSTILE}\n"),
        graded_row(long_name, 5, {GRADCHECK: None}),
    )
    assert HOSTILE not in page and "\x1b" not in page and "<img" not in page
    assert names(view(page, "name"))[0] == html.unescape(SHOWN_HOSTILE)
    assert len(names(view(page, "name"))[1]) == NAME_CHARS  # clipped, with an ellipsis
    for part in (drill_down(page, GRADCHECK), section(page, "timeouts"), section(page, "warnings")):
        assert (HOSTILE_HREF, SHOWN_HOSTILE) in linked(part)
    assert f"{PYTHON_WARNING}: {SHOWN_HOSTILE}" in section(page, "warnings")
    assert (f"{long_name}/exercise11.html", long_name[: NAME_CHARS - 1] + "…") in linked(
        drill_down(page, GRADCHECK)
    )
