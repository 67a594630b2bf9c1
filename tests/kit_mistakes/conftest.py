"""The student kit, simulated: a course folder with the rubrics (and their truth files) and the
starters, but no `reference/` — no solutions, no wrong variants to name mistakes with."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

COURSE = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("kit")
    for part in ("rubrics", "exercises"):
        shutil.copytree(COURSE / part, folder / part)
    return folder
