"""The HTML report's content: what it shows, what it hides, and that student text stays inert."""

from __future__ import annotations

import re
from datetime import datetime, timezone

import numpy as np

from grader.report.page import render
from grader.result import CheckResult, Failure, Result
from grader.visibility import PENDING
from tests.report import samples

NOW = datetime(2025, 1, 2, 3, 4, tzinfo=timezone.utc)


def page(result: Result | None = None, source: str | None = samples.SOURCE) -> str:
    return render(result or samples.mlp_result(), source, NOW)


def text_of(html: str) -> str:
    """The page's visible words, roughly: tags dropped, entities kept."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_header_shows_exercise_score_time_and_hash() -> None:
    words = text_of(page())
    assert "Backpropagation by hand through a two-layer MLP" in words
    assert "2 / 13" in words  # before release: the hidden check's 1.5 points are not shown
    assert "2025-01-02 03:04" in words
    assert "ab" * 32 in words


def test_the_header_says_which_file_was_graded_and_why_only_when_there_was_a_choice() -> None:
    result = samples.mlp_result()
    assert 'class="choice"' not in page(result)
    result.file_choice = "exercise11.ipynb is graded: exercise11.py is the untouched starter"
    assert result.file_choice in text_of(page(result))


def test_a_failed_check_names_the_mistake_by_title_with_hint_and_evidence() -> None:
    html = page()
    assert "Forgot to divide by N" in html and "forgot-divide-by-n" not in html
    assert samples.HINT in html
    assert "dW1 in case 1" in html
    assert html.count("<rect") >= 20  # the heatmap: one cell per entry of the 4×5 gradient
    assert ">6</td>" in html  # yours ÷ expected shows the factor


def test_hidden_checks_show_title_and_maximum_points_only_before_release() -> None:
    html = page()
    words = text_of(html)
    assert samples.SECRET not in html
    assert "4242" not in html
    assert "mlp_backward matches the reference on other sizes" in html
    assert "– / 4" in words and "1.5 / 4" not in words  # no points earned shown
    assert PENDING["hidden"] in words
    assert "2 / 13" in words and "4 more points still to be released" in words  # the score shown


def test_after_release_everything_shows() -> None:
    result = samples.mlp_result()
    result.released = True
    words = text_of(page(result))
    assert "1.5 / 4" in words and "3.5 / 13" in words and samples.SECRET in words
    assert "still to be released" not in words


def test_a_hidden_failure_is_not_counted_as_failed() -> None:
    assert "1 failed" in text_of(page()) and "1 hidden" in text_of(page())


def test_skipped_checks_say_why_even_when_hidden() -> None:
    assert "skipped: runs on the course autograder" in text_of(page())


def test_prints_are_shown_and_said_to_stop_where_hidden_checks_began() -> None:
    result = samples.mlp_result()
    assert "loss 1.0986" in page(result)
    assert "before the hidden checks ran" in text_of(page(result))
    result.checks = [c for c in result.checks if not c.hidden]
    assert "before the hidden checks ran" not in text_of(page(result))


def test_traceback_highlights_the_offending_line_in_context() -> None:
    html = page()
    offending = re.findall(r'<li class="offending"><span class="n">(\d+)</span>([^<]*)</li>', html)
    assert offending == [("4", "    dz2 = p - y")]
    assert "def mlp_backward(X, y, cache):" in html  # the line before, for context


def test_without_the_source_the_traceback_line_itself_is_shown() -> None:
    html = page(source=None)
    assert re.search(r'<li class="offending"><span class="n">4</span>dz2 = p - y</li>', html)


def test_a_submission_that_could_not_run_points_at_its_line() -> None:
    html = page(samples.broken_result())
    assert "could not be run" in html
    assert re.search(r'<li class="offending"><span class="n">3</span>def mlp_backward', html)
    assert 'class="card check' not in html  # no per-check sections repeating "not run"


def test_engine_graph_marks_the_wrong_nodes() -> None:
    html = page(samples.engine_result(), source=None)
    assert "wrong gradient at a, b" in html
    assert "your grad −12" in html and "expected grad −24" in html
    assert html.count('marker-end="url(#arrow-1)"') == 5  # one arrow per edge


def test_large_arrays_list_the_worst_entries_and_pool_the_heatmap() -> None:
    html = page(samples.engine_result(), source=None)
    assert "the 8 entries furthest from the expected values" in html
    assert "<th>[0, 13]</th>" in html
    assert "worst of each 2×2 block" in html


def test_a_check_without_graph_or_array_data_draws_neither() -> None:
    result = samples.mlp_result()
    result.checks = [CheckResult("c", "a check", "failed", 0.0, 1.0, message="wrong", details={"graph": {}})]
    html = page(result)
    assert '<svg class="graph"' not in html and '<svg class="heat"' not in html


def test_shape_mismatch_shows_both_shapes_without_a_heatmap() -> None:
    result = samples.mlp_result()
    details = {"name": "dW1", "expected": np.zeros((4, 5)), "got": np.zeros((5, 4))}
    result.checks = [CheckResult("c", "shapes", "failed", 0.0, 1.0, message="transposed?", details=details)]
    html = page(result)
    assert "expected shape (4, 5), yours (5, 4)" in html
    assert '<svg class="heat"' not in html


def test_student_text_is_escaped_everywhere() -> None:
    html = page(samples.hostile_result(), samples.source_with_payload())
    assert "<script" not in html.lower()
    assert "<img" not in html.lower()
    # stdout twice, message, mistake, name, case, traceback, source, integrity, defences
    assert html.count("&lt;script&gt;") >= 8


def test_the_page_is_self_contained() -> None:
    html = page()
    assert "Content-Security-Policy" in html and "default-src 'none'" in html
    assert not re.search(r"""(src|href)=["']?(https?:|//)""", html)
    assert "@import" not in html and "url(http" not in html


def test_each_distinct_failure_after_the_first_is_listed() -> None:
    result = samples.mlp_result()
    result.checks[1].failures = [
        Failure(["case 1"], "dW1 is off"),
        Failure(["case 2"], "db2 has shape (1, 3), expected (3,)"),
    ]
    assert "also, case 2: db2 has shape (1, 3), expected (3,)" in text_of(page(result))
