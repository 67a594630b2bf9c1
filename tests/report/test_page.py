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


def page(result: Result | None = None, sources: dict[str, str] | None = samples.SOURCES) -> str:
    return render(result or samples.mlp_result(), sources, NOW)


def text_of(html: str) -> str:
    """The page's visible words, roughly: tags dropped, entities kept."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_header_shows_exercise_score_time_and_hash() -> None:
    html = page()
    words = text_of(html)
    assert "Backpropagation by hand through a two-layer MLP" in words
    assert "2 / 13" in words  # before release: the hidden check's 1.5 points are not shown
    assert "2025-01-02 03:04" in words
    assert "sha256 " + "ab" * 6 + "…" in words and "ab" * 7 not in html  # the JSON has it whole


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
    assert ">6</td>" in html  # yours ÷ expected shows the factor
    # every entry off by one factor: said in words, not drawn as a heatmap of one colour
    assert "every entry of dW1 is 6 times the expected value" in html and '<svg class="heat"' not in html


def test_a_heatmap_says_what_its_axes_and_colours_mean() -> None:
    result = samples.mlp_result()
    expected = samples.gradient()
    got = expected.copy()
    got[2] *= 6
    result.checks[1].details.update(got=got)
    html = page(result)
    assert html.count("<rect x=") == 20  # one cell per entry of the 4×5 gradient
    assert "column of dW1 →" in html and "row ↓" in html
    words = text_of(html)
    assert "within tolerance (rtol=1e-05, atol=1e-07)" in words and "≥ 1" in words


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
    html = page(sources=None)
    assert re.search(r'<li class="offending"><span class="n">4</span>dz2 = p - y</li>', html)


def test_a_submission_that_could_not_run_points_at_its_line() -> None:
    html = page(samples.broken_result())
    assert "could not be run" in html
    assert re.search(r'<li class="offending"><span class="n">3</span>def mlp_backward', html)
    assert 'class="card check' not in html  # no per-check sections repeating "not run"


def test_engine_graph_marks_where_the_error_starts() -> None:
    html = page(samples.engine_result(), sources=None)
    assert "the error starts at a" in html and "inherits it (b)" in html
    assert '<g class="node first"' in html and '<g class="node knock-on"' in html
    assert "your grad −12" in html and "expected grad −24" in html and "op ²" in html
    assert html.count('marker-end="url(#arrow-1w)"') == html.count('marker-end="url(#arrow-1t)"') == 5


def test_a_value_used_twice_is_drawn_with_two_edges() -> None:
    result = samples.engine_result()
    result.checks[0].details = {"graph": samples.SQUARED_BY_PRODUCT}
    html = page(result, sources=None)
    assert html.count('marker-end="url(#arrow-1w)"') == 6 and html.count('class="edge reused"') == 4
    assert "a·b + c is used twice: two edges, whose gradients add up" in text_of(html)


def test_large_arrays_list_the_worst_entries_and_pool_the_heatmap() -> None:
    html = page(samples.engine_result(), sources=None)
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


def test_code_in_messages_and_hints_is_shown_as_code_and_stays_escaped() -> None:
    result = samples.mlp_result()
    result.checks[1].hint = "Divide `dz2` by `N` <b>once</b>"
    result.checks[1].message = "it was running line 4: `<script>x</script>`"
    html = page(result)
    assert "Divide <code>dz2</code> by <code>N</code> &lt;b&gt;once&lt;/b&gt;" in html
    assert "<code>&lt;script&gt;x&lt;/script&gt;</code>" in html


def test_a_mistake_seen_by_several_checks_is_explained_once_and_referred_to() -> None:
    result = samples.mlp_result()
    result.released = True  # the hidden check, with the same mistake, gets its section too
    html = page(result)
    assert html.count("Recognised mistake") == 2 and html.count(samples.HINT) == 1
    assert 'explained under <a href="#check-mlp_backward.gradcheck">' in html


def test_the_function_a_failing_check_is_about_is_quoted_once() -> None:
    result = samples.mlp_result()
    result.checks[1].details["about"] = ["mlp_backward"]
    result.checks[4].details["about"] = ["mlp_backward"]  # the timeout, with no traceback
    html = page(result)
    assert "Your <code>mlp_backward</code>" in html
    assert re.search(r'<span class="n">3</span>def mlp_backward\(X, y, cache\):', html)
    assert 'is quoted under <a href="#check-mlp_backward.gradcheck">' in html


def test_the_sandbox_is_folded_away_under_a_plain_title() -> None:
    html = page()
    assert "<details>\n    <summary>How your code was run</summary>" in html
    assert samples.DEFENCES[1] in html


def test_a_decimal_score_fits_the_gauge() -> None:
    result = samples.mlp_result()
    result.checks[0].points = 1.25
    html = page(result)
    assert '<text x="85" y="78" text-anchor="middle" class="score">1.25</text>' in html
    assert "of 13 · 10%" in html
