"""The audit hook's two dispatches, C and Python: the same refusals and findings, different costs.

Each dispatch runs in a fresh interpreter (tests/sandbox/audit_driver.py), since an
installed hook stays for good; "Python" is the fallback where the C extension is missing.
"""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from grader.sandbox import audit
from grader.sandbox.process import GRADER_ROOT
from tests.sandbox.conftest import TESTS_ROOT, Submit

C_BUILT = importlib.util.find_spec("grader.sandbox._audit") is not None
NOT_BUILT = "the C dispatch is not built here (no C compiler or Python headers at install time)"
DISPATCHES = [pytest.param("C", marks=pytest.mark.skipif(not C_BUILT, reason=NOT_BUILT)), "Python"]

STUDENT = """
    import ctypes
    import os
    import socket
    import subprocess
    import sys
    import threading

    SOLUTION = {solution!r}
    OUTSIDE = {outside!r}

    def read_solution():
        open(SOLUTION).close()

    def list_solutions():
        os.listdir(os.path.dirname(SOLUTION))

    def read_outside():
        open(os.path.join(OUTSIDE, "keep")).close()

    def write_outside():
        open(os.path.join(OUTSIDE, "escaped.txt"), "w").close()

    def delete_outside():
        os.remove(os.path.join(OUTSIDE, "keep"))

    def read_itself():
        with open(__file__) as f:
            return len(f.read()) > 0

    def write_to_the_null_device():
        with open(os.devnull, "w") as f:
            return f.write("nothing")

    def spawn():
        subprocess.run(["true"])

    def system():
        os.system("true")

    def signal_the_parent():
        os.kill(os.getppid(), 0)

    def signal_itself():
        os.kill(os.getpid(), 0)

    def open_an_internet_socket():
        socket.socket(socket.AF_INET).close()

    def look_up_a_host():
        socket.getaddrinfo("localhost", 80)

    def load_native_code():
        ctypes.CDLL(None)

    def call_id():
        return sum(id(i) > 0 for i in range(1000))

    def read_solution_from_threads():
        refused = []

        def read():
            for _ in range(50):
                try:
                    read_solution()
                except PermissionError:
                    refused.append(id(refused))

        threads = [threading.Thread(target=read) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return len(refused)

    def read_solution_in_a_subinterpreter():
        try:
            import _interpreters as interpreters
        except ImportError:  # before Python 3.13
            import _xxsubinterpreters as interpreters
        interpreter = interpreters.create()
        try:
            interpreters.run_string(interpreter, f"open({{SOLUTION!r}}).close()")
        finally:
            interpreters.destroy(interpreter)
        return "read"

    def trace_the_hook():
        seen = set()

        def tracer(frame, event, arg):
            seen.add(frame.f_code.co_filename)

        sys.settrace(tracer)
        sys.setprofile(tracer)
        try:
            read_solution()
        except PermissionError:
            pass
        finally:
            sys.settrace(None)
            sys.setprofile(None)
        return sorted(name for name in seen if "grader" in name)
"""

#: Student function -> the exception it meets (None: it runs), the rules it is reported under, its value.
EXPECTED: dict[str, tuple[str | None, set[str], Any]] = {
    "read_solution": ("PermissionError", {audit.READ_COURSE}, None),
    "list_solutions": ("PermissionError", {audit.READ_COURSE}, None),
    "read_outside": ("PermissionError", {audit.READ_OUTSIDE}, None),
    "write_outside": ("PermissionError", {audit.WRITE_OUTSIDE}, None),
    "delete_outside": ("PermissionError", {audit.WRITE_OUTSIDE}, None),
    "read_itself": (None, set(), True),
    "write_to_the_null_device": (None, set(), 7),
    "spawn": ("PermissionError", {audit.SPAWN}, None),
    "system": ("PermissionError", {audit.SPAWN}, None),
    "signal_the_parent": ("PermissionError", {audit.SIGNAL}, None),
    "signal_itself": (None, set(), None),
    "open_an_internet_socket": ("PermissionError", {audit.NETWORK}, None),
    "look_up_a_host": ("PermissionError", {audit.NETWORK}, None),
    "load_native_code": (None, {audit.NATIVE}, None),
    "call_id": (None, set(), 1000),
    "read_solution_from_threads": (None, {audit.READ_COURSE}, 200),
    "trace_the_hook": (None, {audit.READ_COURSE}, []),
    # CPython gives a Python hook no sight of other interpreters; neither has the C one (the OS layers do).
    "read_solution_in_a_subinterpreter": (None, set(), "read"),
}

Drive = Callable[..., dict[str, Any]]


@pytest.fixture(scope="module")
def drive(tmp_path_factory: pytest.TempPathFactory) -> Drive:
    """``drive(dispatch, functions, count=False)``: the driver's report, once per distinct run."""
    done: dict[tuple[str, tuple[str, ...], bool], dict[str, Any]] = {}

    def drive(dispatch: str, functions: tuple[str, ...], count: bool = False) -> dict[str, Any]:
        key = (dispatch, functions, count)
        if key not in done:
            done[key] = _run_driver(tmp_path_factory.mktemp(dispatch), dispatch, functions, count)
        return done[key]

    return drive


def _run_driver(tmp: Path, dispatch: str, functions: tuple[str, ...], count: bool) -> dict[str, Any]:
    workdir, outside = tmp / "work", tmp / "outside"
    workdir.mkdir()
    outside.mkdir()
    (outside / "keep").write_text("keep me")
    solution = GRADER_ROOT / "reference" / "exercise11.py"
    student = STUDENT.format(solution=str(solution), outside=str(outside))
    (workdir / "student.py").write_text(textwrap.dedent(student))
    log = outside / "findings.log"
    config = {"dispatch": dispatch, "workdir": str(workdir), "functions": functions, "count": count}
    done = subprocess.run(
        [sys.executable, "-m", "tests.sandbox.audit_driver", json.dumps({**config, "log": str(log)})],
        cwd=TESTS_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.replace(str(tmp), "<tmp>"))  # the same for both runs
    result["log"] = log.read_text().replace(str(tmp), "<tmp>").splitlines() if log.exists() else []
    result["outside"] = sorted(p.name for p in outside.iterdir())
    return result


@pytest.mark.parametrize("dispatch", DISPATCHES)
def test_each_action_is_refused_or_allowed_and_reported_the_same_with_either_dispatch(
    drive: Drive, dispatch: str
) -> None:
    calls = drive(dispatch, tuple(EXPECTED))["calls"]
    for name, (error, rules, value) in EXPECTED.items():
        call = calls[name]
        assert call["error"] == error, (name, call)
        assert {rule for rule, _ in call["findings"]} == rules, (name, call)
        if error is None:
            assert call["value"] == value, (name, call)
        else:
            assert call["value"].startswith("the grader's sandbox does not allow this"), (name, call)


@pytest.mark.skipif(not C_BUILT, reason=NOT_BUILT)
def test_both_dispatches_give_identical_outcomes_and_messages(drive: Drive) -> None:
    c, python = (drive(dispatch, tuple(EXPECTED)) for dispatch in ("C", "Python"))
    assert c["calls"] == python["calls"]


@pytest.mark.parametrize("dispatch", DISPATCHES)
def test_a_refused_action_does_not_happen(drive: Drive, dispatch: str) -> None:
    """The file written outside is not there, the file deleted outside still is."""
    assert drive(dispatch, tuple(EXPECTED))["outside"] == ["findings.log", "keep"]


@pytest.mark.parametrize("dispatch", DISPATCHES)
def test_the_hooks_own_reporting_is_not_audited(drive: Drive, dispatch: str) -> None:
    """The report callback writes outside the sandbox: the recursion guard lets the hook's own work pass."""
    result = drive(dispatch, tuple(EXPECTED))
    assert result["findings"] and result["log"] == [f"{rule}: {m}" for rule, m in result["findings"]]


@pytest.mark.parametrize("dispatch", DISPATCHES)
def test_the_label_names_the_dispatch_in_force(drive: Drive, dispatch: str) -> None:
    """Without the extension (as where no compiler was present) the Python hook is installed and named."""
    name = audit.C_DISPATCH if dispatch == "C" else audit.PYTHON_DISPATCH
    assert drive(dispatch, ("call_id",))["defences"] == [audit.LABEL.format(name)]


@pytest.mark.parametrize("dispatch", DISPATCHES)
def test_an_event_the_hook_ignores_reaches_python_only_without_the_c_dispatch(
    drive: Drive, dispatch: str
) -> None:
    calls = drive(dispatch, ("call_id", "read_itself"), count=True)["calls"]
    assert calls["call_id"]["reached"] == ({} if dispatch == "C" else {"builtins.id": 1000})
    assert calls["read_itself"]["reached"]["open"] == 1


@pytest.mark.skipif(not C_BUILT, reason=NOT_BUILT)
def test_a_confined_worker_loads_the_c_dispatch(submit: Submit) -> None:
    """The worker imports the compiled module after Landlock and seccomp are in force."""
    worker = submit("def ok():\n    return 1\n")
    worker.wait_ready()
    assert audit.LABEL.format(audit.C_DISPATCH) in worker.defences
