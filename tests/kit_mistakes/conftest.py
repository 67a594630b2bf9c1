"""The student kit: the course's generated `grader/kit/` folder (`grade assign` writes it), which holds
the rubrics (hidden checks by title and points only), their truth files and the starters, but no
`reference/` — no solutions, no wrong variants to name mistakes with."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.studentkit import kit_folder

COURSE = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def kit() -> Path:
    folder = kit_folder(COURSE)
    assert folder is not None and (folder / "rubrics").is_dir(), "no student kit: run `grade assign`"
    return folder
