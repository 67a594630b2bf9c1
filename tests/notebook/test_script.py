"""The notebook as the static checks see it: IPython syntax cannot hide an import."""

from __future__ import annotations

import ast

import pytest

from grader.checks.static import forbidden_imports
from grader.notebook.document import CodeCell
from grader.notebook.script import Runnable, nothing_runs, python_of, runnable, static_source


@pytest.mark.parametrize(
    ("cell", "python"),
    [
        ("%time y = f()\nimport torch", "pass\nimport torch"),
        ("%%capture out\n%%time\nimport jax", "import jax"),
        ("files = !ls\n?len\nimport os", "pass\npass\nimport os"),
        ("for i in range(3):\n    %time f(i)", "for i in range(3):\n    pass"),
        ("a = b % c", "a = b % c"),
        ("%%bash\nls", None),
        ("%%!\nls", None),
        ("x = = 1", None),
        ("pip install torch\nimport torch", "pass\nimport torch"),
        ("a = (1\n     != 2)", "a = (1\n     != 2)"),
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
    assert "# code cell 3: not Python" in source
    found = forbidden_imports(ast.parse(source), {"torch", "jax", "os"})
    assert [name for name, _ in found] == ["torch", "os"]


def test_a_notebook_runs_unless_no_cell_can() -> None:
    assert nothing_runs([CodeCell(1, "x = = 1"), CodeCell(2, "y = 2")], "n.ipynb") is None
    assert nothing_runs([], "n.ipynb") is None
    assert nothing_runs([CodeCell(2, "def f(:\n    pass")], "n.ipynb") == (
        "n.ipynb has no cell that can run: "
        "code cell 2 has a syntax error at line 1, column 7: invalid syntax: def f(:"
    )
    assert (
        nothing_runs([CodeCell(1, "%%bash\nls")], "n.ipynb")
        == "n.ipynb has no cell that can run: code cell 1 is not Python"
    )


@pytest.mark.parametrize(
    ("cell", "runs"),
    [
        (
            "!pip install numpy\nimport numpy as np",
            Runnable("pass\nimport numpy as np", ("!pip install numpy",)),
        ),
        ("%%bash\npip install numpy", Runnable(None, ("%%bash",))),
        ("%%capture\n%%sh\nls", Runnable(None, ("%%sh",))),
        ("%%capture out\n!!ls\nx = 1", Runnable("%%capture out\npass\nx = 1", ("!!ls",))),
        ("files = !ls\n%pip install scipy", Runnable("pass\npass", ("files = !ls", "%pip install scipy"))),
        ("for p in ps:\n    !pip install {p}", Runnable("for p in ps:\n    pass", ("!pip install {p}",))),
        ("conda install numpy", Runnable("pass", ("conda install numpy",))),  # IPython's automagic
        ("%time f()\npip if x else y", Runnable("%time f()\npip if x else y")),  # Python, no command
        ("a = (1\n     != 2)", Runnable("a = (1\n     != 2)")),
        ("%%html\n!<b>", Runnable("%%html\n!<b>")),  # not Python, and nothing to run
    ],
)
def test_a_cell_runs_without_its_shell_commands_on_lines_of_their_own(cell: str, runs: Runnable) -> None:
    assert runnable(cell) == runs
