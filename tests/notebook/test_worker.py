"""The kernel worker: a notebook run in a real Jupyter kernel, answering probes like a module."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tests.notebook.conftest import BOTH_STARTS, RunNotebook
from tests.sandbox.probe_fixtures import ask

pytestmark = pytest.mark.slow

ECHO = "import numpy as np\n\ndef echo(x):\n    return x"


def test_the_namespace_answers_like_a_module(run_notebook: RunNotebook) -> None:
    worker = run_notebook("# md # Exercise", ECHO, "print('hello from cell 3')", "_private = 1")
    assert worker.wait_ready().value == ["echo", "np"]  # nothing IPython put there itself
    x = np.array([[0.1, -0.0], [np.inf, 5e-324]])
    reply = ask(worker, "echo", x)
    assert reply.status == "ok" and reply.value.tobytes() == x.tobytes()
    worker.close()
    assert worker.output == "hello from cell 3\n"


def test_a_failing_cell_is_reported_and_later_cells_still_run(run_notebook: RunNotebook) -> None:
    """Cells are named by their place among the code cells: markdown cells do not count."""
    worker = run_notebook(
        "# md # Title", "x = 1", "# md text", "1 / 0", "def later():\n    return 3", "y = = 2", "print('end')"
    )
    assert worker.wait_ready().value == ["later", "x"]
    assert ask(worker, "later").value == 3
    worker.close()
    assert worker.output == (
        "[student.ipynb] code cell 2 raised ZeroDivisionError: division by zero\n"
        "[student.ipynb] code cell 4 raised SyntaxError: invalid syntax (line 1)\n"
        "end\n"
    )


def test_an_error_in_a_call_names_the_cell_and_its_line(run_notebook: RunNotebook) -> None:
    worker = run_notebook(
        "# md # Exercise",
        ECHO,
        "# md ## Part 2",
        "def helper(x):\n    return x / 0\n\ndef outer(x):\n    return helper(x)",
    )
    reply = ask(worker, "outer", 1)
    assert reply.status == "error" and reply.error is not None
    assert (reply.error.type, reply.error.message, reply.error.line) == (
        "ZeroDivisionError",
        "division by zero",
        2,
    )
    assert 'File "student.ipynb, code cell 2", line 5, in outer' in reply.error.traceback
    assert 'File "student.ipynb, code cell 2", line 2, in helper' in reply.error.traceback
    assert "ipykernel" not in reply.error.traceback and "grader" not in reply.error.traceback


def test_magics_work(run_notebook: RunNotebook) -> None:
    worker = run_notebook(
        "%time a = 1",
        "%%capture captured\nprint('hidden')\nb = 2",
        "%%time\nc = 3",
        "%who_ls",
        "d = a + b + c",
    )
    assert worker.wait_ready().value == ["a", "b", "c", "captured", "d"]
    worker.close()
    assert worker.output.count("Wall time") == 2 and "hidden" not in worker.output
    assert "raised" not in worker.output


def test_plots_inline_work(run_notebook: RunNotebook) -> None:
    pytest.importorskip("matplotlib")
    plot = "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()"
    worker = run_notebook("%matplotlib inline", plot, "after = 1", import_timeout_s=30)
    assert worker.wait_ready().value == ["after", "plt"]
    worker.close()
    assert "raised" not in worker.output, worker.output


def test_nothing_printed_passes_for_a_result(run_notebook: RunNotebook) -> None:
    fake = '{"id": 1, "ok": true, "value": 42}'
    worker = run_notebook(f"print('{fake}')", f"def answer():\n    print('{fake}')\n    return 7")
    assert ask(worker, "answer").value == 7
    worker.close()
    assert worker.output == f"{fake}\n{fake}\n"  # prints during calls are collected too


@BOTH_STARTS
def test_input_fails_at_once_instead_of_waiting(run_notebook: RunNotebook) -> None:
    worker = run_notebook("name = input()", "after = 1", import_timeout_s=30)
    assert worker.wait_ready().value == ["after"]
    worker.close()
    assert "code cell 1 raised StdinNotImplementedError" in worker.output


@BOTH_STARTS
def test_an_overrunning_cell_is_interrupted_and_later_cells_still_run(run_notebook: RunNotebook) -> None:
    worker = run_notebook("import time\n\nwhile True:\n    time.sleep(0.01)", "after = 1", import_timeout_s=1)
    assert worker.wait_ready().value == ["after", "time"]
    worker.close()
    assert worker.output == (
        "[student.ipynb] code cell 1 did not finish within 1 s "
        "(it was running code cell 1, line 4: `time.sleep(0.01)`): interrupted\n"
    )


@BOTH_STARTS
def test_the_whole_notebook_has_a_deadline(run_notebook: RunNotebook) -> None:
    # every interrupt is swallowed: only the deadline of the whole notebook ends this
    stubborn = (
        "import time\nwhile True:\n    try:\n        time.sleep(9)\n    except BaseException:\n        ..."
    )
    worker = run_notebook(stubborn, "after = 1", import_timeout_s=0.3)
    ready = worker.wait_ready()
    assert ready.status == "timeout" and ready.error is not None
    assert ready.error.message == (
        "running the notebook took longer than 1.8 s (it was running code cell 1, line 4: `time.sleep(9)`)"
    )
    assert ask(worker, "after").status == "timeout"  # final, like a module's failed import


@BOTH_STARTS
def test_a_call_timeout_restarts_the_kernel_and_reruns_the_notebook(run_notebook: RunNotebook) -> None:
    worker = run_notebook(
        "print('run')", "import time\n\ndef spin():\n    while True:\n        time.sleep(0.01)", ECHO
    )
    reply = ask(worker, "spin", timeout=0.5)
    assert reply.status == "timeout" and reply.error is not None
    assert reply.error.where == "code cell 2, line 5: `time.sleep(0.01)`"
    assert (
        reply.error.traceback
        == '  File "student.ipynb, code cell 2", line 5, in spin\n    time.sleep(0.01)\n'
    )
    assert ask(worker, "echo", 5).value == 5
    worker.close()
    assert worker.output == "run\nrun\n"


def test_a_kernel_that_dies_in_a_call_is_replaced(run_notebook: RunNotebook) -> None:
    worker = run_notebook(ECHO, "import os\n\ndef die():\n    os._exit(7)")
    reply = ask(worker, "die")
    assert reply.status == "crashed" and reply.error is not None
    assert reply.error.message == "the worker process exited with code 7"
    assert ask(worker, "echo", 1).value == 1


def test_a_flood_of_output_is_capped_and_grading_goes_on(run_notebook: RunNotebook) -> None:
    worker = run_notebook("for i in range(10**5):\n    print(i)", ECHO, output_bytes=1000)
    assert ask(worker, "echo", 2).value == 2
    worker.close()
    assert worker.output.startswith("0\n1\n2\n") and len(worker.output) == 1000


@BOTH_STARTS
def test_a_dead_kernel_is_a_crash_naming_the_cell(run_notebook: RunNotebook) -> None:
    worker = run_notebook("x = 1", "import os\nos._exit(3)", "y = 2")
    ready = worker.wait_ready()
    assert ready.status == "crashed" and ready.error is not None
    assert (
        ready.error.message
        == "the worker process exited with code 3 (code cell 2 was running) while running the notebook"
    )


@BOTH_STARTS
def test_the_memory_limit_applies_to_the_kernel(run_notebook: RunNotebook) -> None:
    worker = run_notebook("import numpy as np\nbig = np.ones(2**28)", "after = 1", memory_bytes=1024 * 2**20)
    assert worker.wait_ready().value == ["after", "np"]
    worker.close()
    assert "code cell 1 raised MemoryError: Unable to allocate 2.00 GiB" in worker.output


@BOTH_STARTS
def test_defences_name_the_kernel_and_its_limits(run_notebook: RunNotebook) -> None:
    worker = run_notebook("x = 1", call_timeout_s=4, import_timeout_s=2)
    worker.wait_ready()
    defences = worker.defences
    assert "Jupyter kernel on Unix sockets only" in defences
    assert "time limit 4 s per call, 12 s for running the notebook" in defences
    assert "time limit 2 s per notebook cell (then the cell is interrupted)" in defences


def test_shell_commands_are_skipped_with_a_note_and_the_rest_of_the_notebook_runs(
    run_notebook: RunNotebook,
) -> None:
    worker = run_notebook(
        "!pip install numpy\nimport numpy as np",
        "%%bash\npip install numpy",
        "files = !ls\n%pip install scipy\nx = 1",
        "def total():\n    return float(np.ones(2).sum()) + x",
    )
    assert worker.wait_ready().value == ["np", "total", "x"]
    assert ask(worker, "total").value == 3
    worker.close()
    assert worker.output == (
        "[student.ipynb] code cell 1: shell commands (`!pip install numpy`) do not run during grading; "
        "install packages before, and keep them if you like: they are skipped, the rest of the cell runs\n"
        "[student.ipynb] code cell 2: shell commands (`%%bash`) do not run during grading; "
        "install packages before, and keep the cell if you like: it is skipped\n"
        "[student.ipynb] code cell 3: shell commands (`files = !ls` and 1 more) do not run during grading; "
        "install packages before, and keep them if you like: they are skipped, the rest of the cell runs\n"
    )
    assert worker.findings == []  # nothing tried to start a program or open a terminal


def test_a_cell_importing_a_module_of_ones_own_says_only_the_notebook_is_graded(
    run_notebook: RunNotebook, tmp_path: Path
) -> None:
    (tmp_path / "utils.py").write_text("def helper():\n    return 1\n")
    worker = run_notebook("x = 1", "from utils import helper", name="exercise11.ipynb")
    assert worker.wait_ready().value == ["x"]
    worker.close()
    assert worker.output == (
        "[exercise11.ipynb] code cell 2 raised ModuleNotFoundError: No module named 'utils' "
        "(exercise11.ipynb imports utils, a module of your own next to it? "
        "Only exercise11.ipynb is graded: put the helpers in it)\n"
    )


def test_a_shell_command_the_grader_cannot_see_fails_at_once_saying_why(run_notebook: RunNotebook) -> None:
    worker = run_notebook("x = 1", "ls", "get_ipython().system('pip install numpy')", "y = 2")
    assert worker.wait_ready().value == ["x", "y"]
    worker.close()
    assert worker.output == (
        "[student.ipynb] code cell 2 raised OSError: shell commands do not run during grading\n"
        "[student.ipynb] code cell 3 raised OSError: shell commands do not run during grading\n"
    )
    assert worker.findings == []
