"""What a running IPython kernel holds for a check: its namespace, its cells and the notebook's name.

Everything here only reads the kernel's state; the grading itself happens in a forked copy of
the kernel (`grader.inline.fork`), so nothing the checks do can reach these objects.
"""

from __future__ import annotations

import ast
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.notebook.serve import defined_names
from grader.sandbox.stack import Source

#: Where the notebook's path is: JupyterLab / Notebook 7 (`__session__`), VS Code (`__vsc_ipynb_file__`).
NOTEBOOK_NAMES = ("__session__", "__vsc_ipynb_file__")
#: How feedback names the code when the notebook's file name is not known.
UNNAMED = "your notebook"
#: A cell that emptied the namespace (`%reset`, as IPython stores it in `In`).
RESET = re.compile(r"run_line_magic\(['\"]reset['\"]")


@dataclass(frozen=True)
class KernelState:
    """The live kernel as the checks see it: a module-like view of its namespace and its code."""

    module: Any
    names: frozenset[str]
    #: The notebook's file name, or None when the frontend does not say.
    notebook: str | None
    #: Each cell run since the namespace was last reset, by the name feedback gives it ("cell [4]").
    cells: dict[str, str]
    #: The file IPython compiled each cell as -> the cell's name, for tracebacks.
    cell_files: dict[str, str]

    @property
    def filename(self) -> str:
        return self.notebook or UNNAMED

    @property
    def sources(self) -> dict[str, Source]:
        """The cells by the file names IPython compiled them as, to quote where a check hung."""
        return {
            path: Source(f"{self.filename}, {cell}", f"{cell}, ", self.cells[cell])
            for path, cell in self.cell_files.items()
            if cell in self.cells
        }

    @property
    def source(self) -> str:
        """The cells that parse, joined: what static checks read (a cell that does not parse defined
        nothing)."""
        return "\n\n".join(code for code in self.cells.values() if _parses(code))


def shell() -> Any:
    """The running IPython shell, or None outside IPython."""
    if "IPython" not in sys.modules:
        return None
    from IPython import get_ipython

    return get_ipython()


def being_graded() -> bool:
    """Whether this kernel is the grader's own (`grade x.ipynb`, Gradescope): its boot module has
    handed the grader cell its private pipes (`grader.notebook.kernel_boot.channel`)."""
    boot = sys.modules.get("grader.notebook.kernel_boot")
    return bool(getattr(boot, "channel", None))


def state(ipython: Any) -> KernelState:
    """The state of the kernel `ipython` now."""
    history = ipython.user_ns.get("In", [])
    counts: dict[str, int] = dict(getattr(ipython.compile, "_filename_map", {}))
    return KernelState(
        module=ipython.user_module,
        names=frozenset(defined_names(ipython)),
        notebook=notebook_name(ipython),
        cells=_since_reset(history),
        cell_files={path: _cell(count) for path, count in counts.items()},
    )


def notebook_name(ipython: Any) -> str | None:
    """The notebook's file name, from whichever frontend put it in the user's or IPython's namespace."""
    for namespace in (ipython.user_ns, ipython.user_ns_hidden):
        for variable in NOTEBOOK_NAMES:
            value = namespace.get(variable)
            if isinstance(value, str) and value:
                return Path(value).name
    return None


def _since_reset(history: list[Any]) -> dict[str, str]:
    """The cells of `history` (IPython's `In`) after the last `%reset`: earlier definitions are gone."""
    cells: dict[str, str] = {}
    for count, code in enumerate(history):
        if count and isinstance(code, str):
            cells = {} if RESET.search(code) else cells
            cells[_cell(count)] = code
    return cells


def _cell(count: int) -> str:
    return f"cell [{count}]"


def _parses(code: str) -> bool:
    try:
        ast.parse(code)
    except (SyntaxError, ValueError):
        return False
    return True
