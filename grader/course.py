"""Where the course lives (rubrics/, reference/) and how its trusted modules are loaded."""

from __future__ import annotations

import hashlib
import importlib.util
import re
import sys
import threading
import types
from collections.abc import Iterator, Mapping
from pathlib import Path

from grader.errors import CourseError

EXERCISE = re.compile(r"exercise\d\d")
#: The kinds of file a submission can be.
SUFFIXES = (".py", ".ipynb")
_LOADING = threading.RLock()


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


class Variants(Mapping[str, object]):
    """Misconception id → wrong variant of the reference, built on first use.

    Variants are needed only to name the mistake behind a failed check, so a
    submission that passes never pays for compiling them.
    """

    def __init__(self, course: Path, exercise: str, reference: types.ModuleType):
        self._path, self._reference = course / "reference" / "mistakes" / f"{exercise}.py", reference
        self._built: dict[str, object] | None = None

    def _all(self) -> dict[str, object]:
        if self._built is None:
            module = _load(self._path)
            self._built = {} if module is None else dict(module.variants(self._reference))
        return self._built

    def __getitem__(self, ident: str) -> object:
        return self._all()[ident]

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


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
