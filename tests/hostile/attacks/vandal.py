"""Deletes what it can: its own directory, then decoys the test planted in the course; writes files.

``DECOYS`` is replaced by the test with paths of files it made in the course's
``reference/`` and ``rubrics/`` (so a failed defence destroys nothing of value).
"""

import os
import shutil
from pathlib import Path

DECOYS: list[str] = []

for name in os.listdir("."):
    os.remove(name)
Path("exercise11_helper.py").write_text("# written next to the submission\n")
for decoy in map(Path, DECOYS):
    for vandalise in (os.remove, shutil.rmtree, lambda path: path.write_text("defaced")):
        try:
            vandalise(decoy)
        except OSError as exc:
            print(decoy.name, type(exc).__name__)
