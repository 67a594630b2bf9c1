"""Where the course lives (rubrics/, reference/) and how its trusted modules are loaded."""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
import threading
import types
from pathlib import Path

EXERCISE = re.compile(r"exercise\d\d")
_LOADING = threading.RLock()


class CourseError(ValueError):
    """The course directory or one of its files is missing or unusable."""


def find_course(course: Path | None = None) -> Path:
    """The directory holding `rubrics/`: given, or the one the package is installed from."""
    candidate = course if course is not None else Path(__file__).resolve().parent.parent
    if not (candidate / "rubrics").is_dir():
        where = f"{candidate} has no rubrics/ folder"
        raise CourseError(f"cannot find the course: {where} (pass --course DIR)")
    return candidate


def exercise_of(path: Path) -> str | None:
    """`exercise11` for `exercise11.py`, `exercise11.ipynb` or `exercise11_v2.py`."""
    match = EXERCISE.search(path.stem)
    return match.group(0) if match else None


def rubric_path(course: Path, exercise: str) -> Path:
    path = course / "rubrics" / f"{exercise}.yaml"
    if not path.is_file():
        raise CourseError(f"unknown exercise {exercise}: no rubric {path}")
    return path


def load_reference(course: Path, exercise: str) -> types.ModuleType | None:
    """The reference solution, or None where the course ships without solutions."""
    return _load(course / "reference" / f"{exercise}.py")


def load_variants(course: Path, exercise: str, reference: types.ModuleType) -> dict[str, object]:
    """Misconception id → wrong variant of the reference (empty when none are shipped)."""
    module = _load(course / "reference" / "mistakes" / f"{exercise}.py")
    if module is None:
        return {}
    variants: dict[str, object] = module.variants(reference)
    return variants


def _load(path: Path) -> types.ModuleType | None:
    """Import a course file by path, once per process, under a name unique to that path.

    Locked: grading threads (a Dask worker's) must never see a half-executed module.
    """
    with _LOADING:
        return _load_unlocked(path)


def _load_unlocked(path: Path) -> types.ModuleType | None:
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:12]
    name = f"_course_{digest}_{path.stem}"
    if name in sys.modules:
        return sys.modules[name]
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise CourseError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except Exception:
        del sys.modules[name]
        raise
    return module
