"""summary.html: tallies over the class, student text escaped."""

from __future__ import annotations

from grader.batch.discover import Ignored
from grader.batch.summary import ClassSummary, histogram
from tests.batch.rowsfor import RUBRICS, error_row, graded_row

HOSTILE = "<img src=x onerror=alert(1)>"


def render(*rows: dict[str, object], ignored: list[Ignored] | None = None) -> str:
    summary = ClassSummary([str(r["student"]) for r in rows], RUBRICS, ignored or [])
    for row in rows:
        summary.add(row)
    return summary.render()


def test_histogram_puts_full_marks_in_the_last_bar() -> None:
    bars = histogram([0.0, 0.05, 0.5, 0.99, 1.0])
    assert [bar.count for bar in bars] == [2, 0, 0, 0, 0, 1, 0, 0, 0, 2]
    assert bars[9].label == "90–100%" and bars[0].height == bars[9].height > bars[5].height


def test_misconceptions_are_counted_per_student_most_frequent_first() -> None:
    gradcheck = "mlp_backward.gradcheck"
    page = render(
        graded_row(
            "ann", 8, {gradcheck: "forgot-divide-by-n", "mlp_backward.reference": "forgot-divide-by-n"}
        ),
        graded_row("bob", 8, {gradcheck: "forgot-divide-by-n"}),
        graded_row("cy", 8, {gradcheck: "no-relu-mask"}),
        graded_row("dee", 12),
    )
    by_n = page.index("Forgot to divide by N")
    assert by_n < page.index("ReLU gradient not masked")
    assert '<td class="num">2</td>' in page[by_n : by_n + 300]
    assert '<td class="num">1 / 4</td>' in page  # mlp_backward.gradcheck passed once in four


def test_student_text_is_escaped_and_links_are_quoted() -> None:
    finding = {"rule": "signal-process", "message": f"tried {HOSTILE}"}
    page = render(
        graded_row(HOSTILE, 3, integrity=[finding]),
        error_row("bob smith", f"exercise11.py has a syntax error: {HOSTILE}"),
        ignored=[Ignored(HOSTILE, "not a student folder or a .py/.ipynb file")],
    )
    assert HOSTILE not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert 'href="%3Cimg%20src%3Dx%20onerror%3Dalert%281%29%3E/exercise11.html"' in page
    assert 'href="bob%20smith/exercise11.html"' in page


def test_an_empty_class_still_renders() -> None:
    page = render()
    assert '0</div><div class="what">students' in page and "Every submission was graded." in page
