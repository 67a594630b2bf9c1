"""Scores that can be trusted: what a submission gets is what its code earns.

Each test grades a hostile or degenerate submission through the public API with the
course's real rubrics and bounds the score it may reach; ``grade_hostile`` also checks
that the course's files and the student's folder are untouched.
"""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from grader.checks.base import FORGED, OUT_OF_TIME
from grader.checks.gradcheck import CONDITIONAL, FLAT, WRONG_FUNCTION
from grader.sandbox import audit
from grader.text import MESSAGE_CHARS, TRACEBACK_CHARS
from tests.hostile.conftest import COURSE, Grade, Graded, submission

STUDENTS = COURSE / "tests" / "students"

#: Submissions that do none of the work but are perfectly consistent: constant forwards whose
#: gradients are zero, orders and passes that do nothing, engines that compute nothing.
NOTHING = {
    "exercise11": """
        import numpy as np

        def mlp_forward(X, y, W1, b1, W2, b2):
            z1 = X @ W1 + b1
            a1 = np.maximum(z1, 0)
            z2 = a1 @ W2 + b2
            return 0.0, (z1, a1, np.full_like(z2, 1 / z2.shape[1]), W2)

        def mlp_backward(X, y, cache):
            z1, a1, p, W2 = cache
            d, h = X.shape[1], z1.shape[1]
            return np.zeros((d, h)), np.zeros(h), np.zeros(W2.shape), np.zeros(p.shape[1])
    """,
    "exercise12": """
        class Value:
            def __init__(self, data, _children=()):
                self.data, self.grad, self._prev, self._backward = 0.0, 0.0, tuple(_children), lambda: None

            def _op(self, *others):
                return Value(0.0, (self, *[o for o in others if isinstance(o, Value)]))

            __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _op
            __truediv__ = __rtruediv__ = __pow__ = __neg__ = _op
            relu = tanh = exp = log = _op

            def backward(self):
                self.grad = 1.0
    """,
    "exercise13": """
        def topological_order(root):
            return [root]

        def backward(root):
            root.grad = 1.0
    """,
    "exercise14": """
        import numpy as np

        def unbroadcast(grad, shape):
            return np.zeros(shape)

        class Tensor:
            def __init__(self, data, _children=()):
                data = np.asarray(data, dtype=float)
                self.data, self.grad, self._prev = np.zeros_like(data), np.zeros_like(data), tuple(_children)

            def _op(self, *others, **kwargs):
                return Tensor(self.data, (self,))

            __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _op
            __matmul__ = __rmatmul__ = __neg__ = _op
            relu = exp = log = _op

            def sum(self, axis=None, keepdims=False):
                return Tensor(np.zeros_like(self.data.sum(axis=axis, keepdims=keepdims)), (self,))

            def backward(self):
                self.grad = np.ones_like(self.data)
    """,
    "exercise15": """
        import numpy as np

        def softmax(z):
            z = np.asarray(z, dtype=float)
            return np.full_like(z, 1 / z.shape[-1])

        def softmax_backward(dout, p):
            return np.zeros_like(np.asarray(p, dtype=float))

        def softmax_cross_entropy_backward(z, y):
            return np.zeros_like(np.asarray(z, dtype=float))
    """,
    "exercise16": """
        import numpy as np

        def layernorm_forward(x, gamma, beta, eps=1e-5):
            return np.zeros_like(x) + beta

        def layernorm_backward(dout, x, gamma, eps=1e-5):
            return np.zeros_like(x), np.zeros_like(gamma), np.zeros_like(gamma)
    """,
    "exercise17": """
        import numpy as np

        class Dual:
            def __init__(self, value, tangent=0.0):
                self.value, self.tangent = 0.0, 0.0

            def _op(self, *others):
                return Dual(0.0)

            __add__ = __radd__ = __sub__ = __rsub__ = __mul__ = __rmul__ = _op
            __truediv__ = __rtruediv__ = __pow__ = __neg__ = _op

        def exp(x):
            return Dual(0.0) if isinstance(x, Dual) else 0.0

        log = relu = exp

        def jvp(f, x, v):
            fx = f([Dual(xi) for xi in x])
            return [0.0] * len(fx), [0.0] * len(fx)

        def jacobian_forward(f, x):
            return np.zeros((len(f([Dual(xi) for xi in x])), len(x)))

        jacobian_reverse = jacobian_forward
    """,
    "exercise18": """
        import numpy as np

        def checkpoint_sequential(blocks, x, segments):
            return np.asarray(x, dtype=float), lambda dy: np.zeros_like(np.asarray(dy, dtype=float))
    """,
}
#: What such a submission may keep: the static check (nothing forbidden is imported).
STATIC = {"exercise15": 0.5}


def _source(text: str) -> str:
    return textwrap.dedent(text).lstrip()


def kit(tmp_path: Path, truth: bool = True) -> Path:
    """A course as students get it: the rubrics (and the correct values they ship with), no solutions."""
    course = tmp_path / "kit"
    shutil.copytree(COURSE / "rubrics", course / "rubrics")
    if not truth:
        for path in (course / "rubrics").glob("*.truth.json"):
            path.unlink()
    return course


def graded_checks(graded: Graded) -> dict[str, tuple[str, float]]:
    return {c.id: (c.status, c.points) for c in graded.result.checks}


@pytest.mark.slow
@pytest.mark.parametrize("exercise", sorted(NOTHING))
def test_consistent_nothing_earns_only_the_static_point(grade_hostile: Grade, exercise: str) -> None:
    graded = grade_hostile(_source(NOTHING[exercise]), name=f"{exercise}.py")
    assert graded.result.score == pytest.approx(STATIC.get(exercise, 1.0)), graded_checks(graded)


@pytest.mark.slow
@pytest.mark.parametrize("exercise", sorted(NOTHING))
def test_without_solutions_the_shipped_truth_judges_the_same(
    grade_hostile: Grade, exercise: str, tmp_path: Path
) -> None:
    graded = grade_hostile(_source(NOTHING[exercise]), name=f"{exercise}.py", course_dir=kit(tmp_path))
    assert graded.result.score == pytest.approx(STATIC.get(exercise, 1.0)), graded_checks(graded)
    gradients = [c for c in graded.result.checks if c.id.endswith(".gradcheck")]
    assert all(c.status == "failed" for c in gradients)
    assert not any(CONDITIONAL.split(":")[0] in (c.message or "") for c in gradients)


@pytest.mark.slow
def test_the_quoted_attack_fails_the_gradient_check_because_its_forward_is_wrong(
    grade_hostile: Grade,
) -> None:
    graded = grade_hostile(_source(NOTHING["exercise11"]))
    check = next(c for c in graded.result.checks if c.id == "mlp_backward.gradcheck")
    assert check.status == "failed" and check.points == 0
    assert check.message is not None and "the loss of mlp_forward is off" in check.message
    assert WRONG_FUNCTION in check.message


@pytest.mark.slow
def test_without_any_correct_values_a_constant_function_is_refused(
    grade_hostile: Grade, tmp_path: Path
) -> None:
    """The last fallback checks against the submission's own function, and says so; it refuses a flat one."""
    constant = grade_hostile(_source(NOTHING["exercise11"]), course_dir=kit(tmp_path, truth=False))
    check = next(c for c in constant.result.checks if c.id == "mlp_backward.gradcheck")
    assert check.status == "failed" and FLAT in (check.message or "")
    correct = grade_hostile(submission(None), course_dir=kit(tmp_path / "again", truth=False))
    check = next(c for c in correct.result.checks if c.id == "mlp_backward.gradcheck")
    assert check.status == "passed" and "this verdict holds only if the loss of mlp_forward is right" in (
        check.message or ""
    )


NON_FINITE = """
    import numpy as np

    def mlp_forward(X, y, W1, b1, W2, b2):
        z1 = X @ W1 + b1
        a1 = np.maximum(z1, 0)
        z2 = a1 @ W2 + b2
        return float("nan"), (z1 * np.nan, a1 * np.nan, np.full_like(z2, np.nan), W2 * np.nan)

    def mlp_backward(X, y, cache):
        z1, a1, p, W2 = cache
        nan = float("nan")
        return np.full((X.shape[1], z1.shape[1]), nan), np.full(z1.shape[1], np.inf), W2 * nan, p[0] * nan
"""


@pytest.mark.slow
@pytest.mark.parametrize("truth", [True, False], ids=["with correct values", "own function only"])
def test_non_finite_answers_never_pass(grade_hostile: Grade, tmp_path: Path, truth: bool) -> None:
    course = None if truth else kit(tmp_path, truth=False)
    graded = grade_hostile(_source(NON_FINITE), course_dir=course)
    assert graded.result.score == 1.0, graded_checks(graded)
    assert all(c.status != "passed" for c in graded.result.checks if c.id != "by-hand.static")


#: Appended to a correct exercise 11: the worker's answering function replaced by one that sends
#: answers of every wrong shape (the takeover SPEC §6 describes).
MALFORMED = """
import itertools

from grader.sandbox import protocol, serve

JUNK = itertools.cycle([
    {"grads": "all good"},
    {"grads": {"W1": [[1.0]]}, "loss": 0.0, "extra": 1},
    {"loss": 1.0, "p": "fine"},
    [1.0] * 10,
    {"grads": {"W1": [[[[[[[[[[1.0]]]]]]]]]]}},
    {"score": 12},
    None,
])


def _forged(module, request, explain, report):
    return protocol.encode({"id": request["id"], "ok": True, "value": next(JUNK)})


serve.answer = _forged
"""


@pytest.mark.slow
def test_answers_no_probe_produces_earn_nothing_and_are_reported(grade_hostile: Grade) -> None:
    graded = grade_hostile(submission(None) + MALFORMED)
    assert graded.result.score == 1.0, graded_checks(graded)
    asked = [c for c in graded.result.checks if c.id != "by-hand.static"]
    assert all(c.status == "error" and FORGED in (c.message or "") for c in asked), graded_checks(graded)
    assert "replaced grader.sandbox.serve.answer" in graded.messages(audit.TAMPER)
    assert any(FORGED in message for message in graded.messages(audit.TAMPER))


#: Appended to a correct exercise 11: the third call of mlp_backward (the hidden check's first
#: case) is wrong, the fourth hangs, the fifth would be right.
FAIL_THEN_HANG = """
import time

_calls = [0]
_honest = mlp_backward


def mlp_backward(X, y, cache):
    _calls[0] += 1
    grads = _honest(X, y, cache)
    if _calls[0] == 3:
        return tuple(2 * g for g in grads)
    if _calls[0] == 4:
        time.sleep(60)
    return grads
"""


@pytest.mark.slow
def test_cases_after_a_timeout_never_ran_and_earn_nothing(grade_hostile: Grade) -> None:
    graded = grade_hostile(submission(None) + FAIL_THEN_HANG, timeout=1)
    hidden = next(c for c in graded.result.checks if c.id == "mlp_backward.reference")
    assert (hidden.status, hidden.points) == ("failed", 0.0)  # case 1 failed, case 2 hung, case 3 never ran
    assert graded.result.score == 8.0


@pytest.mark.slow
def test_one_wall_clock_cap_bounds_a_submission_across_worker_restarts(
    grade_hostile: Grade, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every call kills the worker after a slow import: restarts alone would take many limits."""
    from grader import api

    monkeypatch.setattr(api, "SUBMISSION_TIMEOUTS", 3)
    slow = "import os, time\ntime.sleep(0.8)\n" + submission(None) + "\n_f = mlp_forward\n"
    slow += "def mlp_forward(*args):\n    os._exit(3)\n"
    graded = grade_hostile(slow, timeout=1)
    assert graded.seconds < 3 * 1 + 2
    assert any(
        c.message == OUT_OF_TIME or (c.message or "").endswith(OUT_OF_TIME) for c in graded.result.checks
    )
    assert graded.result.score <= 1.0


#: Appended to a correct exercise 11: everything mlp_backward sees is printed, named in an attempt
#: to open a file, and raised in a later call — the channels a hidden input could leak through.
LEAKER = """
import os

_seen = []
_honest_backward = mlp_backward


def mlp_backward(X, y, cache):
    _seen.append(repr(float(X[0][0])))
    print("saw", _seen[-1])
    try:
        open("/leak-" + _seen[-1])
    except OSError:
        pass
    return _honest_backward(X, y, cache)
"""


@pytest.mark.slow
def test_nothing_the_submission_saw_in_a_hidden_check_reaches_what_students_see(grade_hostile: Grade) -> None:
    from grader.probes import exercise11
    from grader.rubric import load

    rubric = load(COURSE / "rubrics" / "exercise11.yaml")
    hidden = next(c for c in rubric.checks if c.visibility != "visible")
    secrets = [
        repr(float(case.inputs["X"][0][0]))
        for case in exercise11.mlp_backward_values.cases(hidden.seed, hidden.cases)
    ]
    graded = grade_hostile(submission(None) + LEAKER)
    assert "saw" in graded.result.stdout  # what it printed during the visible checks is kept
    shown = graded.result.stdout + " ".join(f.message for f in graded.result.integrity)
    shown += " ".join(c.message or "" for c in graded.result.checks)
    assert not any(secret in shown for secret in secrets)


@pytest.mark.slow
def test_a_printed_score_does_not_let_hidden_findings_through(grade_hostile: Grade) -> None:
    """The grader's own look at the output adds a finding of its own; it must not shift which
    findings are withheld."""
    from grader.probes import exercise11
    from grader.rubric import load

    rubric = load(COURSE / "rubrics" / "exercise11.yaml")
    hidden = next(c for c in rubric.checks if c.visibility != "visible")
    cases = exercise11.mlp_backward_values.cases(hidden.seed, hidden.cases)
    secrets = [repr(float(case.inputs["X"][0][0])) for case in cases]
    graded = grade_hostile("print('{\"score\": 12}')\n" + submission(None) + LEAKER)
    assert audit.FORGED in graded.rules
    assert not any(secret in finding.message for finding in graded.result.integrity for secret in secrets)


def test_the_graders_own_files_hold_no_solution() -> None:
    """No line of a reference solution region appears in the package the worker can import (class 11)."""
    from grader.assign import BEGIN, END, reference_files

    grader_code = "\n".join(p.read_text() for p in (COURSE / "grader").rglob("*.py"))
    grader_lines = {line.strip() for line in grader_code.splitlines()}
    for reference in reference_files(COURSE):
        inside = False
        for line in reference.read_text().splitlines():
            stripped = line.strip()
            if stripped in (BEGIN, END):
                inside = stripped == BEGIN
            elif inside and len(stripped) > 25 and not stripped.startswith(("#", "return", '"""', "def ")):
                assert stripped not in grader_lines, f"{reference.name}: {stripped}"


#: Graded alone as exercise 15: every function of the probes that could stand for a softmax, tried
#: in turn (the probes used to carry a stable softmax and a cross-entropy).
BORROW = """
import numpy as np

from grader.probes import exercise15 as probes

_candidates = [f for name, f in vars(probes).items() if callable(f) and not isinstance(f, type)]


def softmax(z):
    for candidate in _candidates:
        try:
            p = np.asarray(candidate(z), dtype=float)
        except Exception:
            continue
        if p.shape == np.shape(z):
            return p
    raise NotImplementedError("nothing to borrow")


def softmax_backward(dout, p):
    raise NotImplementedError


softmax_cross_entropy_backward = softmax_backward
"""


@pytest.mark.slow
def test_the_probes_lend_no_solution_to_borrow(grade_hostile: Grade) -> None:
    graded = grade_hostile(textwrap.dedent(BORROW), name="exercise15.py")
    assert graded.result.score == 0.5, graded_checks(graded)  # the static check only


#: Appended to a correct exercise 11: answers far larger than any honest one, and messages of megabytes.
FLOODS = """
from grader.sandbox import protocol, serve

_calls = [0]


def _flood(module, request, explain, report):
    _calls[0] += 1
    if _calls[0] % 2:
        return b'{"id": %d, "ok": true, "value": [' % request["id"] + b"0," * (12 << 20) + b"0]}\\n"
    error = {"type": "E" * 10**6, "message": "m" * 10**7, "traceback": "t" * 10**6, "line": 1}
    return protocol.encode({"id": request["id"], "ok": False, "error": error})


serve.answer = _flood
"""


@pytest.mark.slow
def test_huge_answers_and_messages_stay_bounded_in_the_grader(grade_hostile: Grade) -> None:
    graded = grade_hostile(submission(None) + FLOODS)
    assert graded.result.score == 1.0
    for check in graded.result.checks:
        assert len(check.message or "") < 4 * MESSAGE_CHARS
        assert len(check.details.get("traceback", "")) <= TRACEBACK_CHARS
