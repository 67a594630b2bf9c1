"""Work functions for the pool tests; module-level so that spawned grading processes import them."""

from __future__ import annotations

import os
import signal

from grader.batch.task import Graded, Task


def dies_for_doomed(task: Task) -> str:
    """A grading process killed mid-task for the student "doomed"; a plain outcome for the others."""
    if task.student == "doomed":
        os.kill(os.getpid(), signal.SIGKILL)
    return Graded(
        task.student, {"exercise": task.exercise, "status": "graded", "pid": os.getpid()}, None
    ).dumps()
