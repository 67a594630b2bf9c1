"""Run by test_audit.py in a fresh interpreter: install the audit hook, call a student's functions.

    python -m tests.sandbox.audit_driver CONFIG_JSON

Audit hooks cannot be removed, so each dispatch gets its own process. The config
names the ``workdir`` holding ``student.py``, the ``functions`` to call, the
``dispatch`` ("Python" hides the C extension, as where it was not built), a ``log``
file the report callback appends to (outside the sandbox: only the hook's recursion
guard lets it through) and whether to ``count`` the events that reach Python.
Prints one JSON object: the defences, each call's outcome, findings and counts, all findings.
"""

from __future__ import annotations

import collections
import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import Any

from grader.sandbox import audit
from grader.sandbox.policy import sandbox_paths
from grader.sandbox.process import GRADER_ROOT


def main(config: dict[str, Any]) -> None:
    if config["dispatch"] == "Python":
        sys.modules["grader.sandbox._audit"] = None  # type: ignore[assignment]  # as if never built
    reached = _count_events() if config["count"] else collections.Counter()
    workdir = Path(config["workdir"])
    found: list[tuple[str, str]] = []

    def report(rule: str, message: str) -> None:
        with open(config["log"], "a") as log:  # an audited write outside the sandbox
            log.write(f"{rule}: {message}\n")
        found.append((rule, message))

    os.chdir(workdir)
    defences = audit.install(sandbox_paths(workdir, GRADER_ROOT), report, str(workdir / "student.py"))
    student = _import(workdir / "student.py")
    calls = {}
    for name in config["functions"]:
        before, counted = len(found), reached.copy()
        outcome = _call(getattr(student, name))
        calls[name] = {**outcome, "findings": found[before:], "reached": reached - counted}
    print(json.dumps({"defences": defences, "calls": calls, "findings": found}))


def _count_events() -> collections.Counter[str]:
    """Count each event the hook's Python side receives (this wrapper would hide who acted)."""
    reached: collections.Counter[str] = collections.Counter()
    hook = audit.Audit.hook

    def counting(self: audit.Audit, event: str, args: tuple[Any, ...]) -> None:
        reached[event] += 1
        hook(self, event, args)

    audit.Audit.hook = counting  # type: ignore[method-assign]
    return reached


def _import(path: Path) -> Any:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _call(function: Any) -> dict[str, Any]:
    try:
        return {"error": None, "value": function()}
    except Exception as exc:
        return {"error": type(exc).__name__, "value": str(exc)}


if __name__ == "__main__":
    main(json.loads(sys.argv[1]))
