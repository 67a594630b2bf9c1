"""summary.html: tallies over the class, student text escaped."""

from __future__ import annotations

import re

from grader.batch.discover import Ignored
from grader.batch.summary import histogram
from tests.batch.rowsfor import error_row, graded_row, summary_page

HOSTILE = "<img src=x onerror=alert(1)>"


def figures(page: str) -> list[tuple[str, str]]:
    return re.findall(r'<div class="value">([^<]+)</div><div class="what">([^<]+)</div>', page)


def test_histogram_puts_full_marks_in_the_last_bar() -> None:
    bars = histogram([0.0, 0.05, 0.5, 0.99, 1.0])
    assert [bar.count for bar in bars] == [2, 0, 0, 0, 0, 1, 0, 0, 0, 2]
    assert bars[9].label == "90–100%" and bars[0].height == bars[9].height > bars[5].height


def test_misconceptions_are_counted_per_student_most_frequent_first() -> None:
    gradcheck = "mlp_backward.gradcheck"
    page = summary_page(
        graded_row(
            "ann", 8, {gradcheck: "forgot-divide-by-n", "mlp_backward.reference": "forgot-divide-by-n"}
        ),
        graded_row("bob", 8, {gradcheck: "forgot-divide-by-n"}),
        graded_row("cy", 8, {gradcheck: "no-relu-mask"}),
        graded_row("dee", 12),
    )
    mistakes = page[page.index('id="mistakes"') :]
    by_n = mistakes.index("Forgot to divide by N")
    assert by_n < mistakes.index("ReLU gradient not masked")
    assert '<td class="num">2</td>' in mistakes[by_n : by_n + 300]
    assert '<span class="num">1 / 4</span>' in page  # mlp_backward.gradcheck passed once in four


def test_student_text_is_escaped_and_links_are_quoted() -> None:
    finding = {"rule": "signal-process", "message": f"tried {HOSTILE}"}
    page = summary_page(
        graded_row(HOSTILE, 3, integrity=[finding]),
        error_row("bob smith", f"exercise11.py has a syntax error: {HOSTILE}"),
        ignored=[Ignored(HOSTILE, "not a student folder or a .py/.ipynb file")],
    )
    assert HOSTILE not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert 'href="%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E/exercise11.html"' in page
    assert 'href="bob%20smith/exercise11.html"' in page


def test_an_empty_class_still_renders() -> None:
    page = summary_page()
    assert figures(page)[:2] == [("0", "students"), ("0", "submissions")]
    assert "Every submission was graded." in page


def test_counts_are_the_commands_and_in_the_right_number() -> None:
    page = summary_page(graded_row("ann", 12), error_row("empty", "no exercise file", submission=""))
    assert "<title>Class summary: 2 students</title>" in page
    assert figures(page)[:6] == [
        ("2", "students"),
        ("1", "submission"),
        ("1", "graded now"),
        ("0", "already graded"),
        ("0", "could not be graded"),
        ("1", "student with nothing to grade"),
    ]
    assert "<title>1 student at 90–100%</title>" in page
    nothing = page.index("<h3>Nothing to grade</h3>")
    assert "no exercise file" in page[nothing:] and "no exercise file" not in page[:nothing]


def test_check_outcomes_are_counted_in_words() -> None:
    gradcheck = "mlp_backward.gradcheck"
    rows = [graded_row(name, 8, {gradcheck: None}) for name in ("ann", "bob", "cy")]
    for row in rows[:2]:
        next(c for c in row["checks"] if c["id"] == gradcheck)["status"] = "error"
    page = summary_page(*rows)
    tally = page[page.index(f'<code class="muted">{gradcheck}</code>') :]
    assert tally[: tally.index("</summary>")].endswith(
        '<span class="others muted">2 errors, 1 failed</span>\n      '
    )


def test_which_file_was_graded_is_listed_with_the_reason() -> None:
    both = {
        **graded_row("ann", 9),
        "submission": "exercise11.ipynb",
        "file_choice": "exercise11.py and exercise11.ipynb were both edited: both are graded and the "
        "higher score counts: exercise11.ipynb counts (exercise11.ipynb 9/12, exercise11.py 5/12)",
        "files": {
            "exercise11.py": {"sha256": "1", "score": 5.0},
            "exercise11.ipynb": {"sha256": "2", "score": 9.0},
        },
    }
    page = summary_page(both, graded_row("bob", 12))
    section = page[page.index("Which file was graded (1)") :]
    section = section[: section.index("</section>")]
    assert both["file_choice"] in section and "bob" not in section
    assert 'href="ann/exercise11-ipynb.html"' in section
