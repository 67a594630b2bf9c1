"""Hand-built results for the report and output tests: every feature, deterministic, no grading run."""

from __future__ import annotations

import numpy as np

from grader.result import CheckResult, Finding, Result

HINT = "Your gradients are exactly N times too large: divide dL/dz2 by N."
#: Appears only in hidden checks: no student-facing output may contain it.
SECRET = "SECRET-hidden-input-4242"
#: Student-controlled text that would run script or load a resource if it were not escaped.
PAYLOAD = "<script>console.error('xss')</script><img src=x onerror=\"console.error('xss')\">"
DEFENCES = ["separate process", "rlimit address space 2.0 GiB", "time limit 10 s per call"]
TRACEBACK = '  File "exercise11.py", line 4, in mlp_backward\n    dz2 = p - y\n          ~~^~~\n'
SOURCE = "import numpy as np\n\ndef mlp_backward(X, y, cache):\n    dz2 = p - y\n    return dz2\n"
#: The same, as a report is given it (`grader.report.source.sources_of`).
SOURCES = {"exercise11.py": SOURCE}
WORKED_EXAMPLE = {
    "nodes": [
        {"id": "a", "label": "a", "value": 2.0},
        {"id": "b", "label": "b", "value": -3.0},
        {"id": "c", "label": "c", "value": 10.0},
        {"id": "ab", "label": "a·b", "value": -6.0, "op": "×"},
        {"id": "s", "label": "a·b + c", "value": 4.0, "op": "+"},
        {"id": "L", "label": "L", "value": 16.0, "op": "²"},
    ],
    "edges": [["a", "ab"], ["b", "ab"], ["ab", "s"], ["c", "s"], ["s", "L"]],
    "expected": {"a": -24.0, "b": 16.0, "c": 8.0, "ab": 8.0, "s": 8.0, "L": 1.0},
    "got": {"a": -12.0, "b": 8.0, "c": 8.0, "ab": 8.0, "s": 8.0, "L": 1.0},
}
#: The same example squared as s * s: s is used twice, so its gradient is the sum over two edges;
#: assigned instead of accumulated, it comes out half as large, and so does everything before it.
SQUARED_BY_PRODUCT = {
    **WORKED_EXAMPLE,
    "nodes": [*WORKED_EXAMPLE["nodes"][:5], {"id": "L", "label": "L", "value": 16.0, "op": "×"}],
    "edges": [*WORKED_EXAMPLE["edges"], ["s", "L"]],
    "got": {"a": -12.0, "b": 8.0, "c": 4.0, "ab": 4.0, "s": 4.0, "L": 1.0},
}


def gradient(rows: int = 4, columns: int = 5) -> np.ndarray:
    """A fixed, sign-varying gradient matrix."""
    return np.sin(np.arange(rows * columns, dtype=np.float64) + 1).reshape(rows, columns) / 10


def mlp_result() -> Result:
    """Exercise 11 with one check of each status, a hidden failure and printed output."""
    expected = gradient()
    checks = [
        CheckResult("mlp_forward.reference", "mlp_forward returns the reference loss", "passed", 2.0, 2.0),
        CheckResult(
            "mlp_backward.gradcheck",
            "mlp_backward matches numerical gradients",
            "failed",
            0.0,
            4.0,
            message="dW1 is off: 20 of 20 entries differ; every entry is 6 times the expected value",
            hint=HINT,
            misconception="forgot-divide-by-n",
            details={"case": "case 1", "name": "dW1", "expected": expected, "got": expected * 6},
        ),
        CheckResult(
            "mlp_backward.reference",
            "mlp_backward matches the reference on other sizes",
            "failed",
            1.5,
            4.0,
            visibility="hidden",
            message=f"W1 is off at {SECRET}",
            hint=f"hint about {SECRET}",
            misconception="forgot-divide-by-n",
            details={"name": SECRET, "expected": np.full((2, 2), 4242.0), "got": np.zeros((2, 2))},
        ),
        CheckResult(
            "mlp_backward.shapes",
            "mlp_backward returns the right shapes",
            "error",
            0.0,
            1.0,
            message="TypeError (line 4): unsupported operand",
            details={"case": "case 1", "traceback": TRACEBACK},
        ),
        CheckResult("mlp.speed", "mlp_backward is fast", "timeout", 0.0, 1.0, message="did not finish"),
        CheckResult(
            "mlp.hidden_speed",
            "mlp_backward scales",
            "skipped",
            0.0,
            1.0,
            visibility="after_due_date",
            message="runs on the course autograder",
        ),
    ]
    return Result(
        submission="exercise11.py",
        sha256="ab" * 32,
        exercise="exercise11",
        checks=checks,
        duration_s=0.42,
        stdout="loss 1.0986\n",
        defences=DEFENCES,
        title="Backpropagation by hand through a two-layer MLP",
        misconception_titles={"forgot-divide-by-n": "Forgot to divide by N"},
    )


def engine_result() -> Result:
    """Exercise 12: the worked example's graph with two wrong gradients, and a large array."""
    big_expected = gradient(12, 50)
    big_got = big_expected.copy()
    big_got[:, 13] *= -1  # one wrong column in a large array: only the worst entries are listed
    checks = [
        CheckResult(
            "value.worked_example",
            "backward() on L = (a·b + c)²",
            "failed",
            0.0,
            3.0,
            message="a.grad is -12, expected -24",
            hint="Accumulate with += in __mul__.",
            details={"graph": WORKED_EXAMPLE},
        ),
        CheckResult(
            "value.large",
            "gradients of a wide layer",
            "failed",
            0.0,
            2.0,
            message="grad is off in column 13",
            details={"name": "grad", "expected": big_expected, "got": big_got},
        ),
    ]
    return Result(
        submission="exercise12.py",
        sha256="cd" * 32,
        exercise="exercise12",
        checks=checks,
        duration_s=0.1,
        stdout="/tmp/grader-worker-k2j4x9/exercise12.py:7: RuntimeWarning: overflow encountered in exp\n",
        defences=DEFENCES,
        title="A scalar autograd engine",
    )


def broken_result() -> Result:
    """A submission that could not be run at all (syntax error at line 3)."""
    message = "exercise11.py has a syntax error at line 3, column 28: expected ':'"
    checks = [
        CheckResult("mlp_backward.gradcheck", "mlp_backward matches numerical gradients", "error", 0.0, 4.0,
                    message="not run: " + message),
        CheckResult("mlp_backward.reference", "mlp_backward matches the reference", "error", 0.0, 4.0,
                    visibility="hidden", message="not run: " + message),
    ]  # fmt: skip
    return Result(
        submission="exercise11.py",
        sha256="ef" * 32,
        exercise="exercise11",
        checks=checks,
        status="error",
        message=message,
        defences=DEFENCES,
    )


def hostile_result() -> Result:
    """Every piece of student-controlled text carries an HTML/script payload."""
    checks = [
        CheckResult(
            "mlp_backward.gradcheck",
            "mlp_backward matches numerical gradients",
            "error",
            0.0,
            4.0,
            message=f"ValueError (line 4): {PAYLOAD}",
            misconception=PAYLOAD,
            details={
                "name": PAYLOAD,
                "expected": np.ones(3),
                "got": np.zeros(3),
                "case": PAYLOAD,
                "traceback": f'  File "exercise11.py", line 4, in {PAYLOAD}\n    {PAYLOAD}\n',
            },
        )
    ]
    return Result(
        submission="exercise11.py",
        sha256="00" * 32,
        exercise="exercise11",
        checks=checks,
        stdout=PAYLOAD + "\n" + PAYLOAD,
        integrity=[Finding("forbidden-import", f"imports {PAYLOAD}")],
        defences=[PAYLOAD],
    )


def source_with_payload() -> dict[str, str]:
    """The hostile submission's code, as a report is given it (`grader.report.source.sources_of`)."""
    return {"exercise11.py": f"import numpy as np\n\n\ndef f():\n    raise ValueError({PAYLOAD!r})\n"}
