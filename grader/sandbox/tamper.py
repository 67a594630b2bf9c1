"""Notice when the submission replaces functions a naive grader would trust.

This grader compares in its own process, so replacing ``numpy.allclose`` in the
worker changes no score; but the attempt shows intent, and a TA should see it.
Identities are taken before the submission is imported and compared after the
import and after every call.
"""

from __future__ import annotations

import functools
import importlib
import sys
from collections.abc import Iterable
from typing import Any

#: (module, attribute path): comparison helpers, the streams, the probes' own helpers and the
#: worker's loop (replacing it is how a submission would answer the grader's requests itself).
WATCHED = (
    ("math", "isclose"),
    ("numpy", "allclose"),
    ("numpy", "isclose"),
    ("numpy", "array_equal"),
    ("numpy", "asarray"),
    ("numpy", "array"),
    ("builtins", "float"),
    ("builtins", "isinstance"),
    ("grader.sandbox.protocol", "plain"),
    ("grader.sandbox.protocol", "encode"),
    ("grader.probes.base", "as_array"),
    ("grader.probes.base", "as_float"),
    ("grader.probes.base", "unpack"),
    ("grader.probes.base", "GradProblem.answer"),
    ("grader.sandbox.protocol", "decode"),
    ("grader.sandbox.serve", "serve"),
    ("grader.sandbox.serve", "answer"),
    ("grader.sandbox.serve", "_resolve_probe"),
)
#: Watched only once the submission imports them, since importing numpy.testing up front
#: would add ~150 ms to every grading; a replacement is told by where it was defined.
ON_IMPORT = (
    ("numpy.testing", "assert_allclose"),
    ("numpy.testing", "assert_array_equal"),
    ("numpy.testing", "assert_array_almost_equal"),
    ("numpy.testing", "assert_almost_equal"),
)
#: The print streams, watched only where the worker owns them (a notebook kernel replaces them itself).
STREAMS = (("sys", "stdout"), ("sys", "stderr"))


class Watch:
    """The original objects behind :data:`WATCHED` and anything included later, to compare against."""

    def __init__(self) -> None:
        self._originals: dict[tuple[str, str], Any] = {}
        self.include(WATCHED)

    def include(self, names: Iterable[tuple[str, str]]) -> None:
        """Take the current objects behind ``names`` as the originals."""
        for module, attr in names:
            importlib.import_module(module)
            self._originals[module, attr] = _current(module, attr)

    def replaced(self) -> list[str]:
        """Dotted names whose object is no longer the original."""
        swapped = [
            (module, attr)
            for (module, attr), original in self._originals.items()
            if _current(module, attr) is not original
        ]
        swapped += [
            (module, attr)
            for module, attr in ON_IMPORT
            if module in sys.modules and not _from_numpy(_current(module, attr))
        ]
        return [f"{module}.{attr}" for module, attr in swapped]


def _current(module: str, attr: str) -> Any:
    try:
        return functools.reduce(getattr, attr.split("."), sys.modules.get(module))
    except Exception:  # a module the student swapped in may raise anything on lookup
        return None


def _from_numpy(obj: Any) -> bool:
    try:
        return str(getattr(obj, "__module__", "")).startswith("numpy")
    except Exception:  # an object built to raise on attribute access is not numpy's
        return False
