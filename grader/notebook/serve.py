"""The grader cell: sent once the notebook has run, it answers probes from the kernel's namespace.

It runs the ``.py`` worker's loop (:func:`grader.sandbox.serve.serve`) on the
private pipes the kernel process was started with, so results travel exactly as
for a module and never through the kernel's output: nothing a cell prints can
pass for an answer. The cell keeps the kernel busy until the grader says stop.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from grader.notebook import kernel_boot
from grader.sandbox.serve import describe, serve

ENTRY = "grader.notebook.serve"


def source(notebook: str, cells: Mapping[int, str]) -> str:
    """The grader cell's code; ``cells`` maps the kernel's execution counts to the cells' names."""
    args = json.dumps({"notebook": notebook, "cells": list(cells.items())})
    return f"__import__({ENTRY!r}, fromlist=['run']).run({args!r})"


def run(args_json: str) -> None:
    """Inside the kernel: serve probe requests on the kernel's namespace until told to stop."""
    from IPython import get_ipython

    args = json.loads(args_json)
    shell = get_ipython()
    sources = _cell_files(shell, args["notebook"], dict(args["cells"]))
    serve(shell.user_module, defined_names(shell), kernel_boot.channel, lambda exc: describe(exc, sources))


def _cell_files(shell: Any, notebook: str, cells: Mapping[int, str]) -> dict[str, str]:
    """The file IPython compiled each cell as -> how tracebacks name it: ``exercise11.ipynb, code cell 4``."""
    counts: dict[str, int] = getattr(shell.compile, "_filename_map", {})
    return {path: f"{notebook}, {cells[count]}" for path, count in counts.items() if count in cells}


def defined_names(shell: Any) -> list[str]:
    """What the notebook defined: public names, without those IPython put there itself."""
    hidden = shell.user_ns_hidden
    return sorted(
        name
        for name, value in shell.user_ns.items()
        if isinstance(name, str)
        and not name.startswith("_")
        and not (name in hidden and hidden[name] is value)
    )
