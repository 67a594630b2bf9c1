"""Deletes what it can: its own directory, then decoys the test planted in the course; writes files.

``DECOYS`` is replaced by the test with paths of files it made in the course's
``reference/`` and ``rubrics/`` (so a failed defence destroys nothing of value).
Every attempt is refused: the worker's own directory is read-only too.
"""

import os
import shutil
from pathlib import Path

DECOYS: list[str] = []


def attempt(target, action):
    try:
        action(target)
    except OSError as exc:
        print(Path(target).name, type(exc).__name__)


for name in os.listdir("."):
    attempt(name, os.remove)
attempt("exercise11_helper.py", lambda path: Path(path).write_text("# written next to the submission\n"))
attempt("cache", os.mkdir)
for decoy in map(Path, DECOYS):
    for vandalise in (os.remove, shutil.rmtree, lambda path: path.write_text("defaced")):
        attempt(decoy, vandalise)
