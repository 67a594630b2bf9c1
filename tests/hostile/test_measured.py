"""Nothing the submission's process says about itself decides points (SPEC §6, issue class 4).

Memory and CPU are read by the grader from outside the worker; counters, logs and
trackers kept inside it only explain a failure. Each attack below rewrites what the
old checks trusted and must still lose the points of the thing it did not do.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from grader.sandbox import audit, meter
from tests.hostile.conftest import COURSE, Grade, Graded

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not meter.available(), reason="measuring a process from outside needs Linux /proc"),
]
REFERENCE = COURSE / "reference"


def _with(exercise: str, code: str) -> str:
    """The reference of `exercise` with some of its functions replaced by `code` (defined after it)."""
    return (REFERENCE / f"{exercise}.py").read_text() + "\n\n" + textwrap.dedent(code)


def verdict(graded: Graded, check: str) -> tuple[str, float]:
    found = next(c for c in graded.result.checks if c.id == check)
    return found.status, found.points


JACOBIAN_HIDDEN_FROM_TRACEMALLOC = """
    import tracemalloc

    def softmax_backward(dout, p):
        jacobian = np.einsum("...i,ij->...ij", p, np.eye(p.shape[-1])) - np.einsum("...i,...j->...ij", p, p)
        if tracemalloc.is_tracing():
            tracemalloc.reset_peak()  # what the old, self-reported check read
        return np.einsum("...ij,...i->...j", jacobian, dout)
"""
ZEROS_FOR_THE_LARGE_INPUT = """
    _honest = softmax_backward

    def softmax_backward(dout, p):
        if np.shape(p)[-1] > 1000:  # the memory check's input: answer fast, and wrong
            return np.zeros_like(p)
        return _honest(dout, p)
"""
JACOBIAN_IN_MEMORY_HELD_SINCE_IMPORT = """
    _BUFFER = np.ones(2 * 4096 * 4096)  # 256 MiB, resident before any call is measured

    def softmax_backward(dout, p):
        n, k = np.shape(p)[0], np.shape(p)[-1]
        jacobian = _BUFFER[: n * k * k].reshape(n, k, k)
        np.einsum("ni,nj->nij", -p, p, out=jacobian)
        jacobian[:, np.arange(k), np.arange(k)] += p
        return np.einsum("nij,ni->nj", jacobian, dout)
"""


@pytest.mark.parametrize(
    "attack",
    [JACOBIAN_HIDDEN_FROM_TRACEMALLOC, ZEROS_FOR_THE_LARGE_INPUT, JACOBIAN_IN_MEMORY_HELD_SINCE_IMPORT],
    ids=[
        "Jacobian hidden from tracemalloc",
        "zeros for the large input",
        "Jacobian in memory held since import",
    ],
)
def test_softmax_backward_earns_the_memory_point_only_by_not_building_the_jacobian(
    grade_hostile: Grade, attack: str
) -> None:
    graded = grade_hostile(_with("exercise15", attack), name="exercise15.py", memory_mb=2048)
    assert verdict(graded, "softmax_backward.memory") == ("failed", 0.0)
    assert graded.result.score <= graded.result.max_score - 1


FORWARD_MODE_WITH_A_FORGED_COUNT = """
    import sys

    def jacobian_reverse(f, x):
        jac = jacobian_forward(f, x)
        frame = sys._getframe(1)
        while frame is not None:  # find the grader's evaluation counter and rewrite it
            calls = frame.f_locals.get("calls")
            if isinstance(calls, list) and calls and isinstance(calls[0], int):
                calls[0] = 1
            frame = frame.f_back
        return jac
"""


def test_reverse_mode_cost_is_measured_not_counted(grade_hostile: Grade) -> None:
    graded = grade_hostile(_with("exercise17", FORWARD_MODE_WITH_A_FORGED_COUNT), name="exercise17.py")
    assert verdict(graded, "jacobian_reverse.gradcheck")[0] == "passed"  # the Jacobian itself is right
    assert verdict(graded, "jacobian_reverse.evaluations") == (
        "passed",
        0.0,
    )  # the forged count: worth nothing
    cost = next(c for c in graded.result.checks if c.id == "jacobian_reverse.cost")
    assert (cost.status, cost.points) == ("failed", 0.0)
    assert cost.message and "of CPU" in cost.message


KEEP_EVERY_CACHE_AND_FORGE_THE_TRACKER = """
    import gc

    def checkpoint_sequential(blocks, x, segments):
        caches = []
        for block in blocks:
            x, cache = block.forward(x)
            caches.append(cache)

        def backward(dy):
            for block, cache in zip(reversed(blocks), reversed(caches)):
                dy = block.backward(dy, cache)
            for thing in gc.get_objects():  # make the grader's tracker report a tiny peak
                if type(thing).__name__ == "_Tracker":
                    thing.peak = 1
                    thing.log[:] = [("forward", i) for i in range(len(blocks))] * 2
            return dy

        return x, backward
"""


def test_checkpointing_memory_is_measured_not_tracked(grade_hostile: Grade) -> None:
    graded = grade_hostile(_with("exercise18", KEEP_EVERY_CACHE_AND_FORGE_THE_TRACKER), name="exercise18.py")
    assert verdict(graded, "checkpoint_sequential.gradcheck")[0] == "passed"
    assert verdict(graded, "checkpoint_sequential.memory") == ("failed", 0.0)


FORGED_DEEP_CHAIN = """
    import sys

    from grader.probes import base, exercise12

    def _backward_recursively(self):
        def visit(node):
            for child in node._prev:
                visit(child)
            node._backward()
        self.grad = 1.0
        visit(self)

    Value.backward = _backward_recursively
    # The old check believed this flag and a grad it could compute: depth + 1.
    exercise12.deep_chain = base.Probe(
        lambda module, inputs: {"grad": float(inputs["depth"] + 1), "recursion_error": False},
        kind="property", requires=("Value",), cases=exercise12.deep_chain.cases,
        judge=exercise12.deep_chain.judge, answer=exercise12.deep_chain.answer,
    )
"""


def test_a_replaced_probe_is_reported_and_its_answer_judged_on_the_case(grade_hostile: Grade) -> None:
    graded = grade_hostile(_with("exercise12", FORGED_DEEP_CHAIN), name="exercise12.py")
    deep = next(c for c in graded.result.checks if c.id == "backward.deep")
    assert deep.status in ("failed", "error") and deep.points == 0.0, deep.message
    assert "replaced the grader's probe deep_chain" in graded.messages(audit.TAMPER)


def test_meter_reads_a_process_from_outside() -> None:
    """The meter sees what a child uses, although the child reports nothing about itself."""
    program = (
        "import sys; sys.stdin.readline(); b = bytearray(64 << 20); print(flush=True); sys.stdin.readline()"
    )
    child = subprocess.Popen(
        [sys.executable, "-c", program], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        gauge = meter.Meter(child.pid)
        gauge.start()
        child.stdin.write("\n")
        child.stdin.flush()
        child.stdout.readline()  # the child has touched its 64 MiB
        used = gauge.stop()
    finally:
        child.kill()
        child.wait()
    assert used.memory_bytes >= 64 << 20
    assert 0 <= used.cpu_s < 10
