"""A notebook that floods the grader with comm, widget and display messages (issue 10, class 7).

nbclient plays a Jupyter front end and keeps every widget's state and buffers, every
output and display id, in the grader's memory; the driver keeps none of it. Measured
with tracemalloc in the grader's process, around grading a real notebook in a real
kernel: the notebook still earns full marks. (What it prints during and right after
the flood may be lost: when the grader falls behind, the kernel's ZMQ socket drops
messages rather than queue them in the grader.)
"""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import nbformat
import pytest

from grader.api import grade_submission
from tests.hostile.conftest import STUDENTS

pytestmark = pytest.mark.slow

COMMS = 2_000
DISPLAYS = 300
PAYLOAD_BYTES = 50_000
#: What the flood sends: widget states and buffers, state updates, displays (each one a payload).
FLOOD_BYTES = (3 * COMMS + 2 * DISPLAYS) * PAYLOAD_BYTES
#: The most the grader may allocate while grading it, at its peak.
PEAK_BYTES = 48 * 1024**2

FLOOD = f"""
from comm import create_comm
from IPython.display import display

payload = "x" * {PAYLOAD_BYTES}
state = {{"_model_module": "m", "_model_module_version": "1", "_model_name": "M"}}
comms = [
    create_comm(
        target_name="jupyter.widget",
        data={{"state": {{**state, "value": payload, "i": i}}, "buffer_paths": [["data"]]}},
        buffers=[payload.encode()],
    )
    for i in range({COMMS})
]
for i, comm in enumerate(comms):
    comm.send({{"method": "update", "state": {{"value": payload + str(i)}}, "buffer_paths": []}})
for i in range({DISPLAYS}):
    display({{"text/plain": payload, "text/html": payload}}, raw=True, display_id=f"d{{i}}")
"""


def test_comm_widget_and_display_floods_leave_the_graders_memory_bounded(tmp_path: Path) -> None:
    assert FLOOD_BYTES > 4 * PEAK_BYTES  # kept, the flood alone would break the bound
    cells = [(STUDENTS / "correct.py").read_text(), FLOOD]
    path = tmp_path / "exercise11.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells]), path)
    tracemalloc.start()
    try:
        result = grade_submission(path, env={})
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.score == result.max_score, [c.message for c in result.checks if c.status != "passed"]
    assert peak < PEAK_BYTES, f"the grader peaked at {peak / 2**20:.0f} MiB"
