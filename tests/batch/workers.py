"""Work functions for the pool tests, and a batch that kills itself at a known point.

Module-level so that spawned grading processes import them; `python -m tests.batch.workers
LINE ARGV...` runs `grade ARGV...` and SIGKILLs it halfway through writing journal line LINE.
"""

from __future__ import annotations

import itertools
import json
import os
import signal
import sys
from typing import Any

from grader.batch.journal import Journal
from grader.batch.task import Graded, Task
from grader.cli import main


def dies_for_doomed(task: Task) -> str:
    """A grading process killed mid-task for the student "doomed"; a plain outcome for the others."""
    if task.student == "doomed":
        os.kill(os.getpid(), signal.SIGKILL)
    return Graded(task.student, {"exercise": task.exercise, "status": "graded", "pid": os.getpid()}).dumps()


def die_while_appending(line: int, argv: list[str]) -> int:
    """Run `grade argv` in this process, SIGKILLed as `kill -9` would do it halfway through writing
    journal line `line` (from 1): every line before it whole, then half a line."""
    appended = itertools.count(1)
    append = Journal.append

    def append_or_die(journal: Journal, row: dict[str, Any]) -> None:
        if next(appended) == line:
            data = json.dumps(row).encode()
            with open(journal.path, "ab") as file:
                file.write(data[: len(data) // 2])
            os.kill(os.getpid(), signal.SIGKILL)
        append(journal, row)

    Journal.append = append_or_die  # type: ignore[method-assign,assignment]
    return main(argv)


if __name__ == "__main__":
    sys.exit(die_while_appending(int(sys.argv[1]), sys.argv[2:]))
