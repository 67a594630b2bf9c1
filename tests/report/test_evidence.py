"""The report's evidence builders: relative errors, heatmap colours and pooling, graph layout, excerpts."""

from __future__ import annotations

import numpy as np

from grader.report import source
from grader.report.arrays import array_view, relative_error
from grader.report.graph import graph_view
from grader.report.heatmap import MATCH, MATCH_COLOUR, NOT_FINITE_COLOUR, colour, heatmap
from tests.report import samples


def test_relative_error_handles_zeros_and_non_finite_values() -> None:
    expected = np.array([0.0, 1.0, 2.0, 1.0])
    got = np.array([0.0, 1.5, np.nan, np.inf])
    assert relative_error(expected, got).tolist() == [0.0, 0.5, np.inf, np.inf]


def test_colours_run_from_match_through_amber_to_dark_red() -> None:
    assert colour(0.0) == colour(MATCH) == MATCH_COLOUR
    assert colour(np.inf) == colour(np.nan) == NOT_FINITE_COLOUR
    reds = [int(colour(10.0**k)[3:5], 16) for k in range(-4, 1)]  # green channel fades as the error grows
    assert reds == sorted(reds, reverse=True)
    assert colour(5.0) == colour(1.0)


def test_large_grids_are_pooled_and_keep_the_worst_entry() -> None:
    error = np.zeros((100, 100))
    error[57, 3] = 1.0
    pooled = heatmap(error)
    assert pooled.block == 3 and len(pooled.cells) == 34 * 34
    worst = [cell for cell in pooled.cells if cell.colour != MATCH_COLOUR]
    assert len(worst) == 1 and worst[0].tip.startswith("rows 57–59, columns 3–5")


def test_vectors_get_one_row_and_one_dimensional_tips() -> None:
    view = array_view("db1", np.ones(5), np.array([1, 1, 2, 1, 1.0]))
    assert view and view.heatmap and not view.heatmap.rows
    assert view.heatmap.cells[2].tip == "[2] relative error 1"


def test_anything_but_arrays_of_numbers_gives_no_comparison() -> None:
    assert array_view("x", None, [1.0]) is None
    assert array_view("x", ["a"], [1.0]) is None


def test_graph_puts_inputs_left_of_their_consumers_and_the_root_last() -> None:
    view = graph_view(samples.WORKED_EXAMPLE)
    assert view is not None
    x = {node.label: node.x for node in view.nodes}
    assert x["a"] < x["a·b"] < x["a·b + c"] < x["L = (a·b + c)²"]
    assert x["c"] == x["a·b"]  # c feeds a·b + c, so it sits one column before it
    assert view.wrong == ["a", "b"]


def test_malformed_graphs_are_skipped() -> None:
    cyclic = {**samples.WORKED_EXAMPLE, "edges": [["a", "b"], ["b", "a"]]}
    unknown = {**samples.WORKED_EXAMPLE, "edges": [["a", "zz"]]}
    malformed: list[object] = [None, {}, {"nodes": []}, cyclic, unknown]
    for data in malformed:
        assert graph_view(data) is None


def test_a_missing_gradient_is_marked_as_missing() -> None:
    data: dict[str, object] = {**samples.WORKED_EXAMPLE, "got": {"L": 1.0}}
    view = graph_view(data)
    assert view and {node.label: node.verdict for node in view.nodes}["a"] == "missing"


def test_traceback_frames_keep_the_last_ones_and_skip_caret_lines() -> None:
    text = "".join(f'  File "exercise11.py", line {n}, in f\n    f()\n    ^^^\n' for n in range(1, 10))
    frames = source.frames(text, "exercise11.py", None)
    assert [f.line for f in frames] == [4, 5, 6, 7, 8, 9]
    assert [line.text for line in frames[-1].lines] == ["f()"]


def test_excerpts_stay_inside_the_file() -> None:
    assert [line.number for line in source.excerpt_at("a\nb\n", 1)] == [1, 2]
    assert source.excerpt_at("a\n", 7) == []
    assert source.line_in("a syntax error at line 18, column 30") == 18
