"""The notebook as the static checks see it: IPython syntax cannot hide an import."""

from __future__ import annotations

import pytest

from grader.checks.static import forbidden_imports
from grader.notebook.document import CodeCell
from grader.notebook.script import nothing_runs, python_of, static_source


@pytest.mark.parametrize(
    ("cell", "python"),
    [
        ("%time y = f()\nimport torch", "pass\nimport torch"),
        ("%%capture out\n%%time\nimport jax", "import jax"),
        ("files = !ls\n?len\nimport os", "pass\npass\nimport os"),
        ("for i in range(3):\n    %time f(i)", "for i in range(3):\n    pass"),
        ("a = b % c", "a = b % c"),
        ("%%bash\nls", None),
        ("x = = 1", None),
    ],
)
def test_python_of_a_cell(cell: str, python: str | None) -> None:
    assert python_of(cell) == python


def test_no_cell_hides_the_imports_of_another() -> None:
    cells = [
        CodeCell(1, "%%capture\nimport torch"),
        CodeCell(3, "x = = 1\nimport jax"),
        CodeCell(4, "import os"),
    ]
    source = static_source(cells)
    assert "# cell 3: not Python" in source
    assert [name for name, _ in forbidden_imports(source, {"torch", "jax", "os"})] == ["torch", "os"]


def test_a_notebook_runs_unless_no_cell_can() -> None:
    assert nothing_runs([CodeCell(1, "x = = 1"), CodeCell(2, "y = 2")], "n.ipynb") is None
    assert nothing_runs([], "n.ipynb") is None
    assert nothing_runs([CodeCell(2, "def f(:\n    pass")], "n.ipynb") == (
        "n.ipynb has no cell that can run: "
        "cell 2 has a syntax error at line 1, column 7: invalid syntax: def f(:"
    )
    assert (
        nothing_runs([CodeCell(1, "%%bash\nls")], "n.ipynb")
        == "n.ipynb has no cell that can run: cell 1 is not Python"
    )
