"""The probe the sandbox tests send, and the grader-side helper that sends it.

``call`` runs inside the worker, so this module imports nothing but the stdlib.
"""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from grader.sandbox.supervisor import Reply, Worker

#: Dotted name of :func:`call`, resolved inside the worker.
CALL = "tests.sandbox.probe_fixtures.call"


def call(module: ModuleType, inputs: dict[str, Any]) -> Any:
    """The probe: ``module.<inputs["name"]>(*inputs["args"])``."""
    return getattr(module, inputs["name"])(*inputs["args"])


def ask(worker: Worker, name: str, *args: Any, timeout: float | None = None) -> Reply:
    """Grader side: call the student's function ``name`` through the probe above."""
    return worker.call(CALL, {"name": name, "args": list(args)}, timeout=timeout)
