"""The hostile corpus: attacks graded through the public API with the course's real exercise 11 rubric.

Every case ends with the right verdict for every check (a wrong answer dressed
up as right still fails), the course's reference/ and rubrics/ and the student's
folder unchanged (see ``grade_hostile``), in bounded time, and with exactly the
integrity findings a TA should see: no more (a plain bug is no attempt), no fewer.
"""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest

from grader.sandbox import audit
from tests.cli_helpers import run_cli
from tests.grading.student_matrix import Expect, assert_verdicts
from tests.hostile.conftest import COURSE, DECOY, Grade, Graded, submission, untouched

BACKWARD = ("mlp_backward.gradcheck", "mlp_backward.reference")
#: A hang costs the time limit once per check it stalls: keep it small.
HANG_TIMEOUT = 2


def backward(status: str, misconception: str | None = None) -> dict[str, str | tuple[str, str | None]]:
    return {check: (status, misconception) for check in BACKWARD}


@dataclass(frozen=True)
class Outcome:
    """What grading must end with: verdicts, the rules of the findings, output, time."""

    expect: Expect = Expect()
    findings: frozenset[str] = frozenset()
    #: Fragments the submission's captured output must contain.
    printed: tuple[str, ...] = ()
    max_seconds: float = 10.0


@dataclass(frozen=True)
class Case:
    source: str | bytes
    outcome: Outcome = Outcome()
    options: dict[str, object] = field(default_factory=dict)


NOT_RUN = Outcome(Expect(status="error", others="error"))
CASES = {
    "correct (control)": Case(submission(None)),
    "loop at import": Case(
        submission("loop_at_import"),
        Outcome(NOT_RUN.expect, max_seconds=HANG_TIMEOUT + 4),
        {"timeout": HANG_TIMEOUT},
    ),
    "loop in a function": Case(
        submission("loop_in_function"),
        Outcome(
            Expect(backward("timeout"), {"mlp_backward.gradcheck": "did not finish within 2 s"}),
            max_seconds=2 * HANG_TIMEOUT + 6,
        ),
        {"timeout": HANG_TIMEOUT},
    ),
    "memory bomb": Case(
        submission("memory_bomb"),
        Outcome(
            Expect(backward("error"), {"mlp_backward.gradcheck": "memory limit exceeded"}),
            printed=("could not lift the memory limit",),
        ),
        {"memory_mb": 1024},
    ),
    "2 GiB of output": Case(submission("output_flood"), Outcome(max_seconds=15)),
    "sys.exit in a function": Case(
        submission("exit_in_function"),
        Outcome(Expect(backward("error"), {"mlp_backward.gradcheck": "SystemExit"})),
    ),
    "os._exit in a function": Case(
        submission("hard_exit_in_function"),
        Outcome(Expect(backward("error"), {"mlp_backward.gradcheck": "the submission's process died"})),
    ),
    "sys.exit at import": Case(submission("exit_at_import"), NOT_RUN),
    "kill the grader": Case(
        submission("kill_grader"),
        Outcome(findings=frozenset({audit.SIGNAL, audit.NATIVE}), printed=("os.kill: PermissionError",)),
    ),
    "patch numpy.allclose, numpy.testing, math.isclose": Case(
        submission("tamper", base="forgot_divide_by_n"),
        Outcome(Expect(backward("failed", "forgot-divide-by-n")), frozenset({audit.TAMPER})),
    ),
    "print and write fake results": Case(
        submission("fake_results", base="forgot_divide_by_n"),
        Outcome(
            Expect(backward("failed", "forgot-divide-by-n")),
            frozenset({audit.FORGED, audit.WRITE_OUTSIDE}),
            printed=tuple(f"{target} PermissionError" for target in ("\nresults.json", "../results.json")),
        ),
    ),
    "copy the solution": Case(
        submission("steal", base=None),
        Outcome(
            Expect(
                {"by-hand.static": "failed"}, {"mlp_backward.gradcheck": "does not define"}, others="error"
            ),
            frozenset({audit.READ_COURSE, audit.READ_OUTSIDE}),
            printed=tuple(
                f"could not steal by {how} {error}"
                for how, error in [
                    ("import", "ModuleNotFoundError"),
                    ("path", "PermissionError"),
                    ("loader", "PermissionError"),
                    ("tests", "PermissionError"),
                    ("hidden seeds", "PermissionError"),
                ]
            ),
        ),
    ),
    "deep recursion": Case(submission("recursion"), Outcome(Expect(backward("error")))),
    "lying __eq__, __float__, __array__": Case(submission("liars"), Outcome(Expect(backward("failed")))),
    "not UTF-8": Case(
        submission(None).replace("# A correct", "# Étudiant: a correct").encode("latin-1"), NOT_RUN
    ),
    "empty file": Case(
        "",
        Outcome(
            Expect({"by-hand.static": "failed"}, {"mlp_forward.reference": "does not define"}, others="error")
        ),
    ),
}
SLOW = {"loop at import", "loop in a function", "2 GiB of output", "os._exit in a function", "deep recursion"}


def check(graded: Graded, outcome: Outcome) -> None:
    assert_verdicts(graded.result, outcome.expect)
    assert graded.result.passed == (outcome.expect == Expect())
    assert graded.rules == outcome.findings, graded.result.integrity
    for fragment in outcome.printed:
        assert fragment in graded.result.stdout
    assert graded.seconds < outcome.max_seconds


@pytest.mark.parametrize(
    "name", [pytest.param(name, marks=[pytest.mark.slow] if name in SLOW else []) for name in CASES]
)
def test_hostile_submission(grade_hostile: Grade, name: str) -> None:
    case = CASES[name]
    check(grade_hostile(case.source, **case.options), case.outcome)


def test_output_flood_is_capped(grade_hostile: Grade) -> None:
    result = grade_hostile(submission("output_flood"), output_kb=16).result
    assert result.passed and 0 < len(result.stdout.encode()) <= 16 * 1024


def test_forged_gradient_check_fails_against_the_correct_function(grade_hostile: Grade) -> None:
    """The probe runs in the student's process and can be made to agree with any gradient; the
    numerical gradient that counts comes from the correct function, in the grader."""
    graded = grade_hostile(submission("forge_gradcheck", base="forgot_divide_by_n"))
    by_id = {c.id: c for c in graded.result.checks}
    for check in BACKWARD:
        assert (by_id[check].status, by_id[check].misconception) == ("failed", "forgot-divide-by-n")
    assert graded.result.score < graded.result.max_score
    assert graded.messages(audit.TAMPER) == ["replaced grader.probes.base.GradProblem.answer"]


def test_tampering_names_every_replaced_helper(grade_hostile: Grade) -> None:
    graded = grade_hostile(submission("tamper", base="forgot_divide_by_n"))
    replaced = {m.removeprefix("replaced ") for m in graded.messages(audit.TAMPER)}
    assert replaced == {
        "math.isclose",
        "numpy.allclose",
        "numpy.isclose",
        "numpy.array_equal",
        "numpy.testing.assert_allclose",
        "numpy.testing.assert_array_equal",
    }


DECOY_TEXT = "a decoy for tests/hostile\n"


@pytest.fixture
def decoys() -> Iterator[list[Path]]:
    """Files planted in the course's reference/ and rubrics/ for the vandal to attack.

    Decoys, not the real files: should a defence fail, nothing of value is lost.
    """
    planted = []
    for folder in ("reference", "rubrics"):
        decoy = COURSE / folder / f"_hostile_{uuid.uuid4().hex}{DECOY}"
        decoy.write_text(DECOY_TEXT)
        planted.append(decoy)
    yield planted
    for decoy in planted:
        decoy.unlink(missing_ok=True)


def test_vandal_deletes_and_writes_nothing_not_even_in_its_own_directory(
    decoys: list[Path], grade_hostile: Grade
) -> None:
    source = submission("vandal").replace("DECOYS: list[str] = []", f"DECOYS = {list(map(str, decoys))!r}")
    refused = ("exercise11.py", "exercise11_helper.py", "cache", *(decoy.name for decoy in decoys))
    outcome = Outcome(
        findings=frozenset({audit.WRITE_OUTSIDE, audit.DELETE}),
        printed=tuple(f"{name} PermissionError" for name in refused),
    )
    check(grade_hostile(source), outcome)
    assert [decoy.read_text() for decoy in decoys] == [DECOY_TEXT] * len(decoys)


def test_spawned_processes_never_start(grade_hostile: Grade) -> None:
    graded = grade_hostile(submission("spawner"))
    check(graded, Outcome(findings=frozenset({audit.SPAWN, audit.NATIVE}), printed=("processes started: 0",)))
    assert not _processes_with("31.4159")


def test_network_is_out_of_reach(grade_hostile: Grade) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        server.setblocking(False)
        port = server.getsockname()[1]
        graded = grade_hostile(submission("network").replace("PORT = 0", f"PORT = {port}"))
        with pytest.raises(BlockingIOError):
            server.accept()
    check(graded, Outcome(findings=frozenset({audit.NETWORK, audit.NATIVE}), printed=("refused",)))


def test_command_line_reports_the_grader_result_not_the_forged_one(student_dir: Path, tmp_path: Path) -> None:
    path = student_dir / "exercise11.py"
    path.write_text(submission("fake_results", base="forgot_divide_by_n"))
    with untouched(student_dir):
        code, _, stderr = run_cli([str(path), "--json", str(tmp_path / "result.json"), "--no-html"])
    assert code == 1, stderr
    result = json.loads((tmp_path / "result.json").read_text())
    assert result["score"] < result["max_score"]
    assert {f["rule"] for f in result["integrity"]} == {audit.FORGED, audit.WRITE_OUTSIDE}


@pytest.mark.slow
def test_command_line_gives_up_on_a_hanging_import(student_dir: Path, tmp_path: Path) -> None:
    path = student_dir / "exercise11.py"
    path.write_text(submission("loop_at_import"))
    with untouched(student_dir):
        code, stdout, stderr = run_cli([str(path), "--timeout", str(HANG_TIMEOUT), "--no-html"])
    assert code == 1, stderr
    assert "did not finish importing within 2 s" in stdout


NOTEBOOK_ATTACK = f"""
import os, subprocess
for attempt in (
    lambda: open({str(COURSE / "reference" / "exercise11.py")!r}),
    lambda: os.kill(os.getppid(), 9),
    lambda: subprocess.Popen(["sleep", "31.4159"]),
):
    try:
        attempt()
    except OSError as exc:
        print("refused:", type(exc).__name__)
"""


@pytest.mark.slow
def test_a_notebook_runs_under_the_same_sandbox(grade_hostile: Grade) -> None:
    cells = [nbformat.v4.new_code_cell(submission(None)), nbformat.v4.new_code_cell(NOTEBOOK_ATTACK)]
    notebook = nbformat.writes(nbformat.v4.new_notebook(cells=cells))
    graded = grade_hostile(notebook, name="exercise11.ipynb")
    check(graded, Outcome(findings=frozenset({audit.READ_COURSE, audit.SIGNAL, audit.SPAWN}), max_seconds=20))
    assert graded.result.stdout.count("refused: PermissionError") == 3


def _processes_with(marker: str) -> list[int]:
    """Pids whose command line contains ``marker`` (Linux /proc; nothing elsewhere)."""
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if marker.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found
