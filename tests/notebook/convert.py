"""Turn a student module into the equivalent notebook: one code cell per top-level statement."""

from __future__ import annotations

import ast

import nbformat


def notebook_of(source: str) -> str:
    """The notebook a student who typed ``source`` cell by cell would hand in.

    Comments and blank lines before a statement go into its cell. A module that
    does not parse becomes a single cell, as if the student never split it.
    """
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return _notebook([source])
    lines = source.splitlines()
    starts = [min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]) for node in body]
    bounds = [1, *starts[1:], len(lines) + 1]
    return _notebook(
        ["\n".join(lines[a - 1 : b - 1]).strip("\n") for a, b in zip(bounds, bounds[1:], strict=False)]
    )


def _notebook(cells: list[str]) -> str:
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells if c.strip()])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nbformat.writes(notebook)
