"""The report's evidence builders: relative errors, heatmap colours and pooling, graph layout, excerpts."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from grader.report import source
from grader.report.arrays import array_view, relative_error
from grader.report.graph import graph_view
from grader.report.heatmap import (
    BUCKET_COLOURS,
    MATCH_COLOUR,
    NOT_FINITE_COLOUR,
    WITHIN,
    colour,
    heatmap,
    legend,
)
from grader.settings import Settings
from tests.notebook.conftest import write_notebook
from tests.report import samples


def test_relative_error_handles_zeros_and_non_finite_values() -> None:
    expected = np.array([0.0, 1.0, 2.0, 1.0])
    got = np.array([0.0, 1.5, np.nan, np.inf])
    assert relative_error(expected, got).tolist() == [0.0, 0.5, np.inf, np.inf]


def test_each_decade_of_error_has_its_own_colour_and_one_and_above_a_colour_apart() -> None:
    assert colour(WITHIN) == MATCH_COLOUR
    assert colour(np.inf) == NOT_FINITE_COLOUR
    decades = [colour(x) for x in (1e-6, 5e-4, 5e-3, 5e-2, 0.5, 1.0, 7.0)]
    assert decades[0] == decades[0] and len(set(decades[:6])) == 6  # < 1e-4, 1e-4–1e-3 … 0.1–1, ≥ 1
    assert decades[-1] == decades[-2] == BUCKET_COLOURS[-1]
    assert colour(0.1) != colour(1.0)


def test_the_legend_says_green_is_within_the_checks_tolerance_and_names_the_top_bucket() -> None:
    swatches = legend("rtol=1e-05, atol=1e-07")
    assert (
        swatches[0].colour == MATCH_COLOUR and swatches[0].text == "within tolerance (rtol=1e-05, atol=1e-07)"
    )
    assert [s.text for s in swatches[-2:]] == ["≥ 1", "NaN / inf"]


def test_green_is_the_checks_own_tolerance() -> None:
    expected = np.array([1.0, 2.0, 3.0])
    got = np.array([1.0, 2.002, 3.0])  # 1e-3 off: outside the default tolerance, inside rtol=1e-2
    default = array_view("x", expected, got)
    loose = array_view("x", expected, got, Settings(rtol=1e-2))
    assert default and default.heatmap and default.heatmap.cells[1].colour != MATCH_COLOUR
    assert default.got_grid and default.got_grid[0][1].off
    assert loose and loose.heatmap and {cell.colour for cell in loose.heatmap.cells} == {MATCH_COLOUR}
    assert loose.got_grid and not loose.got_grid[0][1].off
    assert loose.legend[0].text == "within tolerance (rtol=0.01, atol=1e-07)"


def test_one_factor_for_every_entry_is_said_instead_of_a_heatmap_of_one_colour() -> None:
    expected = samples.gradient(6, 10)
    view = array_view("dW1", expected, expected * 6)
    assert view and view.heatmap is None
    assert view.uniform == "every entry of dW1 is 6 times the expected value"
    flipped = array_view("db", np.ones(4), -np.ones(4))
    assert flipped and flipped.uniform == "every entry of db is the expected value with the opposite sign"
    partly = expected.copy()
    partly[0] *= 6
    view = array_view("dW1", expected, partly)
    assert view and view.uniform is None and view.heatmap is not None


def test_heatmap_axes_say_what_they_count() -> None:
    grid = heatmap(np.zeros((3, 4)), "dW1")
    assert (grid.column_title, grid.row_title) == ("column of dW1 →", "row ↓")
    vector = heatmap(np.zeros(4), "db1")
    assert (vector.column_title, vector.row_title, vector.rows) == ("entry of db1 →", None, [])


def test_large_grids_are_pooled_and_keep_the_worst_entry() -> None:
    error = np.full((100, 100), WITHIN)
    error[57, 3] = 1.0
    pooled = heatmap(error, "W")
    assert pooled.block == 3 and len(pooled.cells) == 34 * 34
    worst = [cell for cell in pooled.cells if cell.colour != MATCH_COLOUR]
    assert len(worst) == 1 and worst[0].tip.startswith("rows 57–59, columns 3–5: worst relative error 1")
    assert pooled.cells[0].tip == "rows 0–2, columns 0–2: all within tolerance"


def test_vectors_get_one_row_and_one_dimensional_tips() -> None:
    view = array_view("db1", np.ones(5), np.array([1, 1, 2, 1, 1.0]))
    assert view and view.heatmap and not view.heatmap.rows
    assert view.heatmap.cells[2].tip == "[2] relative error 1"
    assert view.heatmap.cells[0].tip == "[0] within tolerance"


def test_anything_but_arrays_of_numbers_gives_no_comparison() -> None:
    assert array_view("x", None, [1.0]) is None
    assert array_view("x", ["a"], [1.0]) is None


def test_graph_puts_inputs_before_their_consumers_and_the_root_last_in_both_layouts() -> None:
    view = graph_view(samples.WORKED_EXAMPLE)
    assert view is not None
    x = {node.label: node.x for node in view.wide.nodes}
    assert x["a"] < x["a·b"] < x["a·b + c"] < x["L"]
    assert x["c"] == x["a·b"]  # c feeds a·b + c, so it sits one column before it
    y = {node.label: node.y for node in view.tall.nodes}
    assert y["a"] < y["a·b"] < y["a·b + c"] < y["L"] and y["c"] == y["a·b"]
    assert view.tall.width < view.wide.width and view.tall.width <= 340  # fits a phone's card


def test_graph_marks_where_the_error_starts_and_fades_what_inherits_it() -> None:
    view = graph_view(samples.WORKED_EXAMPLE)  # a and b wrong: found from the loss backwards
    assert view and view.wrong == ["a", "b"] and view.first == "a" and view.knock_ons == ["b"]
    told = graph_view(samples.WORKED_EXAMPLE, first_wrong="b")  # the check's own verdict wins
    assert told and told.first == "b" and told.knock_ons == ["a"]
    upstream = {**samples.WORKED_EXAMPLE, "got": {**samples.WORKED_EXAMPLE["got"], "s": 4.0, "ab": 4.0}}
    view = graph_view(upstream)
    assert view and view.first == "a·b + c" and set(view.knock_ons) == {"a", "b", "a·b"}


def test_a_value_used_twice_gets_two_edges_and_each_node_its_operation() -> None:
    view = graph_view(samples.SQUARED_BY_PRODUCT)
    assert view and view.reused == ["a·b + c"]
    into_root = [edge for edge in view.wide.edges if edge.use]
    assert [edge.use for edge in into_root] == [1, 2] and into_root[0].path != into_root[1].path
    assert {node.label: node.op for node in view.wide.nodes} == {
        "a": None,
        "b": None,
        "c": None,
        "a·b": "×",
        "a·b + c": "+",
        "L": "×",
    }


def test_malformed_graphs_are_skipped() -> None:
    cyclic = {**samples.WORKED_EXAMPLE, "edges": [["a", "b"], ["b", "a"]]}
    unknown = {**samples.WORKED_EXAMPLE, "edges": [["a", "zz"]]}
    malformed: list[object] = [
        None,
        {},
        {"nodes": []},
        cyclic,
        unknown,
        {**samples.WORKED_EXAMPLE, "got": None},
    ]
    for data in malformed:
        assert graph_view(data) is None


def test_gradients_arriving_as_zero_dimensional_arrays_are_numbers() -> None:
    got = {key: np.array(value) for key, value in samples.SQUARED_BY_PRODUCT["got"].items()}
    view = graph_view({**samples.SQUARED_BY_PRODUCT, "got": got}, first_wrong="s")
    assert view and view.first == "a·b + c" and set(view.knock_ons) == {"a", "b", "c", "a·b"}
    assert [node.got for node in view.wide.nodes] == ["−12", "8", "4", "4", "4", "1"]


def test_a_missing_gradient_is_marked_as_missing() -> None:
    data: dict[str, object] = {**samples.WORKED_EXAMPLE, "got": {"L": 1.0}}
    view = graph_view(data)
    assert view and {node.label: node.verdict for node in view.wide.nodes}["a"] == "missing"


def test_traceback_frames_keep_the_last_ones_and_skip_caret_lines() -> None:
    text = "".join(f'  File "exercise11.py", line {n}, in f\n    f()\n    ^^^\n' for n in range(1, 10))
    frames = source.frames(text, {})
    assert [f.line for f in frames] == [4, 5, 6, 7, 8, 9]
    assert [line.text for line in frames[-1].lines] == ["f()"]


def test_excerpts_stay_inside_the_file() -> None:
    assert [line.number for line in source.excerpt_at("a\nb\n", 1)] == [1, 2]
    assert source.excerpt_at("a\n", 7) == []


def test_a_problem_is_quoted_from_the_module_or_the_notebook_cell_it_names() -> None:
    module = {"exercise11.py": "a = 1\nb = (\nc = 3\n"}
    lines = source.problem_excerpt(
        "exercise11.py has a syntax error at line 2, column 5", "exercise11.py", module
    )
    assert [(line.number, line.offending) for line in lines] == [(1, False), (2, True), (3, False)]
    cells = {"n.ipynb, code cell 1": "x = 1\n", "n.ipynb, code cell 2": "def f(:\n    pass\n"}
    message = "n.ipynb has no cell that can run: code cell 2 has a syntax error at line 1, column 7"
    assert [line.text for line in source.problem_excerpt(message, "n.ipynb", cells)] == [
        "def f(:",
        "    pass",
    ]
    assert source.problem_excerpt("no line named here", "exercise11.py", module) == []


def test_a_notebook_is_quoted_cell_by_cell_as_its_tracebacks_name_them(tmp_path: Path) -> None:
    notebook = write_notebook(
        tmp_path / "exercise11.ipynb",
        "# md # Title",
        "import numpy as np",
        "%time x = 1\ndef f():\n    return 1",
    )
    sources = source.sources_of(notebook)
    assert sources == {
        "exercise11.ipynb, code cell 1": "import numpy as np",
        "exercise11.ipynb, code cell 2": "%time x = 1\ndef f():\n    return 1",
    }
    traceback = '  File "exercise11.ipynb, code cell 2", line 3, in f\n    return 1\n'
    [frame] = source.frames(traceback, sources)
    assert [(line.number, line.offending) for line in frame.lines] == [(1, False), (2, False), (3, True)]
    (tmp_path / "broken.ipynb").write_text("{not json")
    assert source.sources_of(tmp_path / "broken.ipynb") == {}


def test_the_function_a_check_is_about_is_quoted_whole_the_last_definition_winning() -> None:
    sources = {
        "n.ipynb, code cell 1": "def mlp_backward(X):\n    return 0\n",
        "n.ipynb, code cell 2": "%%time\nz = 1\n",
        "n.ipynb, code cell 3": "!pip install numpy\n@decorate\ndef mlp_backward(X):\n    return X\n",
    }
    found = source.function(["Value", "mlp_backward"], sources)
    assert found and (found.name, found.file, found.more) == ("mlp_backward", "n.ipynb, code cell 3", 0)
    assert [line.number for line in found.lines] == [2, 3, 4]
    assert source.function(["missing"], sources) is None
    long = {"m.py": "def f():\n" + "    x = 1\n" * 60}
    quoted = source.function(["f"], long)
    assert quoted and len(quoted.lines) == source.FUNCTION_LINES and quoted.more == 61 - source.FUNCTION_LINES
