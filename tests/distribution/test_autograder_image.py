"""The Gradescope autograder end to end: setup.sh's image, then run_autograder on honest and cheating work.

Slow: the image is built once per session (see conftest.py), then each test is a grader run.
Where the tests run as root the workers run as `nobody` (GRADER_WORKER_USER), and the course
must stay out of their reach without help from Landlock or seccomp: the cheaters show it.
"""

from __future__ import annotations

import hashlib
import shutil
import stat
import subprocess
from pathlib import Path

import pytest

from tests.distribution.cheaters import BUGGY, THEFTS, cheater
from tests.distribution.conftest import COURSE, EXERCISES, SYSTEM_PATH, Image
from tests.notebook.convert import notebook_of
from tests.sandbox.worker_user import USER, switchable_user

pytestmark = pytest.mark.slow

STUDENTS = COURSE / "tests" / "students"
#: What the student who forgot to divide by N earns on exercise 11 (of 12).
BUGGY_SCORE = 4.0
#: The thefts the sandbox sees (and reports) even when it cannot stop them: reading the course, importing it.
SEEN = ("open the course's file", "walk the image for exercise11.py", "import reference")
#: The thefts that look in the course: as root, with no sandbox at all, they succeed.
READ_THE_COURSE = ("open the course's file", "walk the image for exercise11.py")
#: A notebook cell that says who runs it.
WHO = '\nimport os\nprint("uid", os.getuid())\n'


def python(image: Image) -> str:
    return str(image.root / "venv" / "bin" / "python")


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_setup_installs_the_grader_and_no_solution(image: Image) -> None:
    probe = "import grader, importlib.util as u; print(grader.__file__); print(u.find_spec('reference'))"
    where, spec = subprocess.run(
        [python(image), "-I", "-c", probe], capture_output=True, text=True, check=True
    ).stdout.split()
    assert Path(where).is_relative_to(image.root / "venv") and spec == "None"
    solutions = {digest(p) for p in (COURSE / "reference").rglob("*.py") if p.stat().st_size}
    copies = [
        p
        for folder in ("venv", "source")
        for p in (image.root / folder).rglob("*")
        if p.is_file() and not p.is_symlink() and digest(p) in solutions
    ]
    assert copies == []


def test_setup_builds_the_audit_hooks_c_dispatch_where_a_compiler_is(image: Image) -> None:
    headers = subprocess.run(
        [python(image), "-I", "-c", "import sysconfig; print(sysconfig.get_paths()['include'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    if not shutil.which("cc", path=SYSTEM_PATH) or not (Path(headers) / "Python.h").is_file():
        pytest.skip("no C compiler or no Python headers here: the C dispatch is optional")
    subprocess.run([python(image), "-I", "-c", "import grader.sandbox._audit"], check=True)


def test_setup_moves_the_course_where_only_root_reads_it(image: Image) -> None:
    course = image.root / "course"
    assert sorted(p.name for p in course.iterdir()) == ["exercises", "reference", "rubrics"]
    assert stat.S_IMODE(course.stat().st_mode) == 0o700
    assert not (image.root / "source" / "course").exists()


def test_the_workers_user_runs_the_grader_but_cannot_read_the_course(image: Image) -> None:
    switchable_user()
    runs = subprocess.run([python(image), "-I", "-c", "import grader.sandbox.serve"], user=USER)
    assert runs.returncode == 0
    solution = image.root / "course" / "reference" / "exercise11.py"
    peek = subprocess.run(["cat", str(solution)], user=USER, capture_output=True, text=True)
    assert peek.returncode != 0 and "Permission denied" in peek.stderr


@pytest.mark.parametrize("how", THEFTS)
def test_with_no_sandbox_at_all_the_workers_user_finds_no_solution(image: Image, how: str) -> None:
    """What a submission does where Landlock, seccomp and the audit hook are all missing, as the
    workers' user (nothing found) and, for contrast, as root (the thefts that look in the course work)."""
    uid = switchable_user().pw_uid
    theft = [python(image), "-I", "-c", cheater(how)]
    as_user = subprocess.run(theft, user=USER, cwd="/", capture_output=True, text=True)
    assert f"uid {uid} found no solution" in as_user.stdout, as_user.stderr
    as_root = subprocess.run(theft, cwd="/", capture_output=True, text=True)
    assert ("uid 0 stole the solution" in as_root.stdout) == (how in READ_THE_COURSE), as_root.stderr


def test_a_correct_submission_earns_full_marks(image: Image) -> None:
    data = image.run({"exercise11.py": (STUDENTS / "exercise11" / "correct.py").read_text()})
    assert data["score"] == 12.0 == sum(test["max_score"] for test in data["tests"])


def test_a_buggy_submission_earns_its_usual_score_and_hint(image: Image) -> None:
    data = image.run({"exercise11.py": BUGGY.read_text()})
    assert data["score"] == BUGGY_SCORE
    assert len(data["tests"]) == 5
    backward = next(t for t in data["tests"] if t["name"].startswith("mlp_backward matches numerical"))
    assert "Hint: Your gradients are exactly N times too large" in backward["output"]


@pytest.mark.parametrize("how", THEFTS)
def test_a_cheater_earns_what_its_own_code_earns(image: Image, how: str) -> None:
    uid = switchable_user().pw_uid
    data = image.run({"exercise11.py": cheater(how)})
    assert data["score"] == BUGGY_SCORE
    assert f"uid {uid} found no solution" in data["output"]
    if how in SEEN:
        assert "integrity: tried to" in data["output"]


def test_without_a_submission_results_are_still_written(image: Image) -> None:
    data = image.run({})
    assert data["score"] == 0
    assert data["tests"][0]["name"] == "Autograder failed"
    assert "exercise11.py: no such file or directory" in data["tests"][0]["output"]


def test_the_notebook_beside_an_untouched_starter_is_graded(image: Image) -> None:
    """The student worked in the notebook and handed in the starter .py too, as the course ships them."""
    solved = notebook_of((STUDENTS / "exercise11" / "correct.py").read_text())
    data = image.run(
        {"exercise11.py": (COURSE / "exercises" / "exercise11.py").read_text(), "exercise11.ipynb": solved}
    )
    assert data["score"] == 12.0
    assert "exercise11.ipynb is graded: exercise11.py is the untouched starter" in data["output"]


def test_notebooks_graded_in_a_row_run_in_kernels_of_the_workers_user(image: Image) -> None:
    """Two notebooks: the grader forks their kernels from a fork server, which runs as root."""
    files = {f"{e}.ipynb": notebook_of((STUDENTS / e / "correct.py").read_text() + WHO) for e in EXERCISES}
    data = image.run(files)
    assert data["score"] == sum(test["max_score"] for test in data["tests"])
    if image.user is not None:
        assert data["output"].count(f"uid {switchable_user().pw_uid}") == len(EXERCISES)
