"""Build a Gradescope autograder zip: the installable grader apart from the course's data, two scripts.

Gradescope unpacks the zip into /autograder/source, runs `setup.sh` once to build its image
and `run_autograder` for every submission. The zip holds `project/` (pyproject.toml and the
`grader` package: what `pip install` needs, no solution) and `course/` (the rubrics, the
reference solutions and their mistakes, the starters). `setup.sh` installs the first into a
virtualenv and moves the second where only root reads it; `run_autograder` runs the grader as
root and its workers as an unprivileged user (docs/security.md, "The course autograder"). Both
take the root as their argument (default /autograder), so a test can run them elsewhere.
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
# Gradescope runs this once when it builds the autograder image: `setup.sh [ROOT]`, ROOT being
# /autograder by default, where the zip was unpacked into ROOT/source. It installs the grader,
# without the solutions, into the virtualenv ROOT/venv, then moves the course's data (rubrics,
# reference solutions and their mistakes, starters) to ROOT/course, which only root may read, and
# makes the unprivileged user the workers run as (GRADER_WORKER_USER, default grader-worker).
# apt-get installs Python and a C compiler (for the audit hook's optional C dispatch) unless
# GRADER_SKIP_APT=1 says the image has them already (or there is no apt-get).
set -euo pipefail
root="${1:-/autograder}"
user="${GRADER_WORKER_USER:-grader-worker}"
umask 022  # the venv must be readable by the workers' user
if command -v apt-get > /dev/null && [ -z "${GRADER_SKIP_APT:-}" ]; then
    apt-get update
    apt-get install -y --no-install-recommends python3 python3-venv python3-pip python3-dev gcc libc6-dev
fi
python3 -m venv "$root/venv"
python="$root/venv/bin/python"
"$python" -m pip install --upgrade pip
# Not editable: the grader is copied into site-packages, where the workers import it from.
"$python" -m pip install "$root/source/project"
if "$python" -I -c 'import importlib.util as u; u.find_spec("reference").name' 2> /dev/null; then
    echo "setup.sh: the solutions are importable from $root/venv; the autograder would hand them out" >&2
    exit 1
fi
if ! "$python" -I -c 'import grader.sandbox._audit' 2> /dev/null; then
    echo "setup.sh: no C compiler: the audit hook dispatches its events in Python (slower)" >&2
fi
mv -T "$root/source/course" "$root/course"  # fails rather than nest, should it run twice
chmod -R go= "$root/course"
if [ "$(id -u)" = 0 ] && ! id "$user" > /dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
fi
"""

RUN = """\
#!/usr/bin/env bash
# Gradescope runs this for every submission: grade the exercise files in submission/
# into results/results.json, which is written even when grading itself fails. Both forms
# of an exercise go to the grader, which applies the course's rule (grader.choice: an
# untouched starter gives way to the student's work) exactly as `grade DIR` does.
# The grader (root) reads the course; its workers run as GRADER_WORKER_USER, who cannot.
# `run_autograder [ROOT]`: ROOT is /autograder by default.
set -uo pipefail
root="${1:-/autograder}"
results="$root/results/results.json"
export GRADER_WORKER_USER="${GRADER_WORKER_USER:-grader-worker}"
mkdir -p "$root/results"
files=()
for exercise in @EXERCISES@; do
    for candidate in "$root/submission/$exercise.py" "$root/submission/$exercise.ipynb"; do
        if [ -f "$candidate" ]; then files+=("$candidate"); fi
    done
done
# Nothing to grade: grade then names the missing file in a failed results.json.
[ "${#files[@]}" -gt 0 ] || files=("$root/submission/@FIRST@.py")
"$root/venv/bin/python" -I -m grader "${files[@]}" --course "$root/course" --no-html --gradescope "$results"
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
#: What `pip install` needs beside the package, where the course has it.
PROJECT_FILES = ("pyproject.toml", "README.md", "MANIFEST.in")
#: The zip's folders: the installable grader, and the course's data (setup.sh moves it out of reach).
PROJECT, COURSE = "project", "course"
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
        for name, path in [*_project_files(course), *_course_files(course, rubrics)]:
            _add(archive, name, path.read_bytes())
    return exercises


def _run_script(exercises: list[str]) -> str:
    return (
        RUN.replace("@EXERCISES@", " ".join(exercises))
        .replace("@FIRST@", exercises[0])
        .replace("@FALLBACK@", FALLBACK)
    )


def _project_files(course: Path) -> Iterator[tuple[str, Path]]:
    """(name in the zip, file) for what `pip install` builds the grader from: no solution among them."""
    for name in PROJECT_FILES:
        if (course / name).is_file():
            yield f"{PROJECT}/{name}", course / name
    yield from _tree(PACKAGE, f"{PROJECT}/grader")


def _course_files(course: Path, rubrics: list[Rubric]) -> Iterator[tuple[str, Path]]:
    """(name in the zip, file) for the course's data grading reads: for the grader's eyes only."""
    yield from _tree(course / "reference", f"{COURSE}/reference")
    for rubric in rubrics:
        yield f"{COURSE}/rubrics/{rubric.exercise}.yaml", rubric.path
        for suffix in SUFFIXES:  # the starters, by which the file rule knows untouched work
            starter = course / STARTERS / f"{rubric.exercise}{suffix}"
            if starter.is_file():
                yield f"{COURSE}/{STARTERS}/{starter.name}", starter
        shipped = data_path(rubric.path)  # the visible checks' correct values, as the student kit has them
        if shipped.is_file():
            yield f"{COURSE}/rubrics/{shipped.name}", shipped


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
