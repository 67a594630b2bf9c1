"""Which file is graded when a folder holds both `exerciseNN.py` and `exerciseNN.ipynb`.

The course ships both starters side by side, so a student who works in one usually hands
in the other untouched. One rule, the same in `grade PATH...`, `grade batch` and the
Gradescope autograder (SPEC §3):

- a file whose code is the course's untouched starter gives way to the other file;
- when both were edited, both are graded, and the higher score counts;
- when neither was, the `.py` is graded (there is nothing to prefer).

"Untouched" compares *code*, not bytes: opening a notebook rewrites its JSON (ids,
metadata, outputs), so a notebook counts by its code cells and a module by its text, each
normalised (line endings, trailing spaces, blank lines). The starters are the course's
`exercises/` folder; without it no file counts as untouched and both are graded.
Every choice carries a sentence that each output repeats.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.course import exercise_of
from grader.result import Result

#: The course's folder of starters, as `grade assign` writes it.
STARTERS = "exercises"
#: Starters are small; a larger file was certainly edited (and is not read to find out).
MAX_STARTER_BYTES = 1 << 20


@dataclass(frozen=True)
class Choice:
    """The files graded for one exercise of one folder, and why when there was a choice."""

    exercise: str
    graded: tuple[Path, ...]
    #: Said with every result of these files; None when there was nothing to choose.
    reason: str | None = None

    @property
    def both(self) -> bool:
        """Both files were edited: both are graded, the higher score counts."""
        return len(self.graded) > 1


def choose(paths: Sequence[Path], course: Path | None) -> list[Choice]:
    """Apply the rule to `paths` (in their order): a pair of one folder's `exerciseNN.py` and
    `exerciseNN.ipynb` becomes one `Choice`; every other file is its own."""
    pairs: dict[tuple[Path, str], list[Path]] = {}
    for path in paths:
        pairs.setdefault(_pair_key(path), []).append(path)
    starters = Starters(course)
    return [_choice(files, starters) for files in pairs.values()]


def _pair_key(path: Path) -> tuple[Path, str]:
    """Files that form a pair share a key; any other file gets one of its own."""
    exercise = exercise_of(path)
    if exercise is not None and path.stem == exercise and path.suffix in (".py", ".ipynb"):
        return (path.parent, exercise)
    return (path.parent, path.name)


def _choice(files: list[Path], starters: Starters) -> Choice:
    exercise = exercise_of(files[0]) or ""
    if len(files) == 1:
        return Choice(exercise, (files[0],))
    module, notebook = sorted(files, key=lambda p: p.suffix != ".py")
    fresh = {path: starters.untouched(path) for path in (module, notebook)}
    if fresh[module] and fresh[notebook]:
        both = f"{module.name} is graded: it and {notebook.name} are both the untouched starter"
        return Choice(exercise, (module,), both)
    if fresh[module] or fresh[notebook]:
        kept, left = (notebook, module) if fresh[module] else (module, notebook)
        return Choice(exercise, (kept,), f"{kept.name} is graded: {left.name} is the untouched starter")
    return Choice(
        exercise,
        (module, notebook),
        f"{module.name} and {notebook.name} were both edited: both are graded and the higher score counts",
    )


def settle(choice: Choice, results: Sequence[Result]) -> Result:
    """The result that counts for `choice` (the higher score; the `.py` on a tie), once every file
    it graded has its result in `results` (same order); each result is told why it was graded."""
    counted = max(results, key=lambda r: r.score)  # max keeps the first of equals: the .py
    reason = choice.reason
    if reason is not None and choice.both:
        ordered = sorted(results, key=lambda r: r is not counted)
        scores = ", ".join(f"{r.submission} {_points(r)}" for r in ordered)
        reason = f"{reason}: {counted.submission} counts ({scores})"
    for result in results:
        result.file_choice = reason
    return counted


def _points(result: Result) -> str:
    return f"{result.score:g}/{result.max_score:g}"


class Starters:
    """The code fingerprints of the course's starters, read once per exercise."""

    def __init__(self, course: Path | None) -> None:
        self._folder = course / STARTERS if course is not None else None
        self._known: dict[str, set[str]] = {}

    def untouched(self, path: Path) -> bool:
        """Whether `path`'s code is the code of its exercise's starter (either form)."""
        exercise = exercise_of(path)
        if self._folder is None or exercise is None:
            return False
        if exercise not in self._known:
            forms = (self._folder / f"{exercise}{suffix}" for suffix in (".py", ".ipynb"))
            self._known[exercise] = {p for p in map(code_fingerprint, forms) if p is not None}
        mine = code_fingerprint(path)
        return mine is not None and mine in self._known[exercise]


def code_fingerprint(path: Path) -> str | None:
    """A hash of the code of a module or a notebook, normalised; None when it cannot be read."""
    try:
        if path.is_symlink() or not path.is_file() or path.stat().st_size > MAX_STARTER_BYTES:
            return None
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    code = _notebook_code(text) if path.suffix == ".ipynb" else [text]
    if code is None:
        return None
    return hashlib.sha256(_normalised(code).encode()).hexdigest()


def _notebook_code(text: str) -> list[str] | None:
    """The sources of a notebook's code cells, or None when it is not a notebook."""
    try:
        cells = json.loads(text)["cells"]
        sources = [cell["source"] for cell in cells if cell.get("cell_type") == "code"]
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if not all(isinstance(s, str | list) for s in sources):
        return None
    return ["".join(s) if isinstance(s, list) else s for s in sources]


def _normalised(parts: Iterable[str]) -> str:
    lines = (line.rstrip() for part in parts for line in part.splitlines())
    return "\n".join(line for line in lines if line)
