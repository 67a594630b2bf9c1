"""Build a Gradescope autograder zip: the grader, the rubrics, the reference, the starters, two scripts.

Gradescope unpacks the zip into /autograder/source, runs `setup.sh` once to build its
image and `run_autograder` for every submission. `AUTOGRADER_ROOT` and `GRADER_PYTHON`
let a test run `run_autograder` in a temporary directory with the current interpreter.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator, Sequence
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

from grader.choice import STARTERS
from grader.course import SUFFIXES
from grader.errors import CourseError
from grader.rubric import Rubric, load
from grader.truth import data_path

SETUP = """\
#!/usr/bin/env bash
# Gradescope runs this once when it builds the autograder image: install the grader
# (unpacked from the zip in /autograder/source) and its dependencies in a virtualenv.
# A C compiler and Python's headers build the audit hook's C dispatch; the install is
# editable because run_autograder's workers import the grader from /autograder/source,
# where an editable install puts the compiled module.
set -euo pipefail
apt-get update
apt-get install -y --no-install-recommends python3 python3-venv python3-pip python3-dev gcc libc6-dev
python3 -m venv /autograder/venv
/autograder/venv/bin/pip install --upgrade pip
/autograder/venv/bin/pip install -e /autograder/source
"""

RUN = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission: grade the exercise files in submission/
# into results/results.json, which is written even when grading itself fails. Both forms
# of an exercise go to the grader, which applies the course's rule (grader.choice: an
# untouched starter gives way to the student's work) exactly as `grade DIR` does.
set -uo pipefail
root="${AUTOGRADER_ROOT:-/autograder}"
python="${GRADER_PYTHON:-$root/venv/bin/python}"
results="$root/results/results.json"
mkdir -p "$root/results"
files=()
for exercise in @EXERCISES@; do
    for candidate in "$root/submission/$exercise.py" "$root/submission/$exercise.ipynb"; do
        if [ -f "$candidate" ]; then files+=("$candidate"); fi
    done
done
# Nothing to grade: grade then names the missing file in a failed results.json.
[ "${#files[@]}" -gt 0 ] || files=("$root/submission/@FIRST@.py")
cd "$root/source"
"$python" -m grader "${files[@]}" --course "$root/source" --no-html --gradescope "$results"
if [ ! -s "$results" ]; then
    cat > "$results" <<'JSON'
@FALLBACK@
JSON
fi
exit 0
"""

#: results.json for when the grader could not even start (written by the shell, not by Python).
FALLBACK = (
    '{"score": 0, "output": "Autograder failed: the grader did not start", "tests": [{"name": '
    '"Autograder failed", "score": 0, "max_score": 0, "status": "failed", "output": "the grader did '
    'not start; see the autograder output", "visibility": "visible"}]}'
)
#: The grader's own source folder, shipped whole.
PACKAGE = Path(__file__).resolve().parents[1]
#: A fixed timestamp makes the zip byte-for-byte reproducible.
EPOCH = (1980, 1, 1, 0, 0, 0)


def build(out: Path, course: Path, rubric_paths: Sequence[Path] = ()) -> list[str]:
    """Write the autograder zip to `out`; returns the exercises it grades.

    `rubric_paths` selects the exercises (default: every rubric of the course); each is
    validated now, so a broken rubric fails here rather than on every submission.
    """
    paths = list(rubric_paths) or sorted((course / "rubrics").glob("exercise*.yaml"))
    rubrics = [load(path) for path in paths]
    if not rubrics:
        raise CourseError(f"{course / 'rubrics'} has no exerciseNN.yaml rubric to build an autograder from")
    for needed in ("pyproject.toml", "reference"):
        if not (course / needed).exists():
            raise CourseError(f"the autograder needs the course's {needed}, and {course} has none")
    exercises = [rubric.exercise for rubric in rubrics]
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        _add(archive, "setup.sh", SETUP.encode(), executable=True)
        _add(archive, "run_autograder", _run_script(exercises).encode(), executable=True)
        for name, path in _course_files(course, rubrics):
            _add(archive, name, path.read_bytes())
    return exercises


def _run_script(exercises: list[str]) -> str:
    return (
        RUN.replace("@EXERCISES@", " ".join(exercises))
        .replace("@FIRST@", exercises[0])
        .replace("@FALLBACK@", FALLBACK)
    )


def _course_files(course: Path, rubrics: list[Rubric]) -> Iterator[tuple[str, Path]]:
    """(name in the zip, file) for everything `pip install` and grading need."""
    for name in ("pyproject.toml", "README.md"):
        if (course / name).is_file():
            yield name, course / name
    yield from _tree(PACKAGE, "grader")
    yield from _tree(course / "reference", "reference")
    for rubric in rubrics:
        yield f"rubrics/{rubric.exercise}.yaml", rubric.path
        for suffix in SUFFIXES:  # the starters, by which the file rule knows untouched work
            starter = course / STARTERS / f"{rubric.exercise}{suffix}"
            if starter.is_file():
                yield f"{STARTERS}/{starter.name}", starter
        shipped = data_path(rubric.path)  # the visible checks' correct values, as the student kit has them
        if shipped.is_file():
            yield f"rubrics/{shipped.name}", shipped


def _tree(folder: Path, prefix: str) -> Iterator[tuple[str, Path]]:
    """Every source file under `folder`: no bytecode, and no extension built for this machine (the
    image builds its own)."""
    for path in sorted(folder.rglob("*")):
        built = path.suffix == ".pyc" or path.name.endswith(tuple(EXTENSION_SUFFIXES))
        if path.is_file() and "__pycache__" not in path.parts and not built:
            yield f"{prefix}/{path.relative_to(folder).as_posix()}", path


def _add(archive: zipfile.ZipFile, name: str, data: bytes, executable: bool = False) -> None:
    info = zipfile.ZipInfo(name, date_time=EPOCH)
    info.external_attr = (0o755 if executable else 0o644) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    archive.writestr(info, data)
