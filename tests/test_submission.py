"""Reading a submission: a syntax error quotes the submitted file, whatever the current directory holds;
a module of the student's own beside the submission is named as not graded."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.api import NOT_INSTALLED, grade_submission
from grader.submission import own_module, read
from grader.syntax import source_line, syntax_problem

STUDENTS = Path(__file__).resolve().parent / "students"
#: Another file of the submission's name in the directory the grader runs from: Python, asked for
#: a SyntaxError's text, reads the file by name and would quote this one.
DECOY = "# not the submission\n" * 40


@pytest.fixture
def decoy_here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working directory holding a different exercise11.py; returns the folder to hand in from."""
    (tmp_path / "exercise11.py").write_text(DECOY)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sub").mkdir()
    return tmp_path / "sub"


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        (  # found by the parser
            (STUDENTS / "exercise11" / "syntax_error.py").read_text(),
            "exercise11.py has a syntax error at line 18, column 30: "
            "expected ':': def mlp_backward(X, y, cache)",
        ),
        (  # found by the compiler, after parsing
            "import numpy as np\n\nreturn np.zeros(3)\n",
            "exercise11.py has a syntax error at line 3, column 1: "
            "'return' outside function: return np.zeros(3)",
        ),
        (  # Python counts this column in bytes: it is said in characters
            's = "ééé"; break\n',
            "exercise11.py has a syntax error at line 1, column 12: 'break' outside loop: s = \"ééé\"; break",
        ),
        (
            "x = 1\r\ny = (\r\n",
            "exercise11.py has a syntax error at line 2, column 5: '(' was never closed: y = (",
        ),
    ],
)
def test_a_syntax_error_quotes_the_submitted_line_not_a_file_of_the_same_name(
    decoy_here: Path, source: str, problem: str
) -> None:
    path = decoy_here / "exercise11.py"
    path.write_text(source, newline="")
    assert read(Path("sub/exercise11.py")).problem == problem


@pytest.mark.slow
def test_grading_a_syntax_error_from_a_folder_with_another_file_of_its_name_quotes_the_submission(
    decoy_here: Path,
) -> None:
    shutil.copy(STUDENTS / "exercise11" / "syntax_error.py", decoy_here / "exercise11.py")
    result = grade_submission(Path("sub/exercise11.py"), env={})
    assert (result.status, result.score) == ("error", 0)
    assert result.message == (
        "exercise11.py has a syntax error at line 18, column 30: expected ':': def mlp_backward(X, y, cache)"
    )


@pytest.mark.slow
def test_a_traceback_quotes_the_submitted_line_not_a_file_of_the_same_name(decoy_here: Path) -> None:
    shutil.copy(STUDENTS / "exercise11" / "raises.py", decoy_here / "exercise11.py")
    result = grade_submission(Path("sub/exercise11.py"), env={})
    backward = next(check for check in result.checks if check.id == "mlp_backward.gradcheck")
    assert backward.message is not None and "ValueError (line 20): shapes do not line up" in backward.message
    assert "    raise ValueError('shapes do not line up')" in backward.details["traceback"]
    assert "not the submission" not in backward.details["traceback"]


def test_a_submission_s_syntax_warnings_stay_off_the_graders_stderr(
    capfd: pytest.CaptureFixture[str],
) -> None:
    assert syntax_problem("same = 1 is 1\n", "exercise11.py") is None
    assert capfd.readouterr().err == ""


def test_a_cell_with_a_syntax_error_quotes_its_own_line() -> None:
    assert syntax_problem("x = 1\ny = [\n", "cell 3") == (
        "cell 3 has a syntax error at line 2, column 5: '[' was never closed: y = ["
    )


@pytest.mark.parametrize(
    ("source", "number", "line"),
    [
        ("a\nb\n", 2, "b"),
        ("a\r\nb\rc\n", 3, "c"),
        ("a = 1\x0c  # a form feed ends no line\nb\n", 2, "b"),
        ("a\n", 5, ""),
        ("print('\x1b[2J')\n", 1, "print('␛[2J')"),
        ("x = '" + "y" * 1000 + "'\n", 1, "x = '" + "y" * 294 + "…"),
    ],
)
def test_source_lines_are_counted_as_python_counts_them_and_quoted_inert(
    source: str, number: int, line: str
) -> None:
    assert source_line(source, number) == line


#: The helpers tests/students/exercise11/imports_helper.py keeps in a module of its own.
UTILS = """import numpy as np


def relu(z):
    return np.maximum(z, 0.0)


def softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)
"""


@pytest.mark.slow
@pytest.mark.parametrize("helpers", ["utils.py", "utils/__init__.py"])
def test_importing_a_module_of_ones_own_beside_the_submission_says_only_the_submission_is_graded(
    tmp_path: Path, helpers: str
) -> None:
    target = tmp_path / "exercise11.py"
    shutil.copy(STUDENTS / "exercise11" / "imports_helper.py", target)
    (tmp_path / helpers).parent.mkdir(exist_ok=True)
    (tmp_path / helpers).write_text(UTILS)
    result = grade_submission(target, env={})
    assert (result.status, result.score) == ("error", 0)
    assert result.message == (
        "exercise11.py imports utils (line 4), a module of your own next to it? "
        "Only exercise11.py is graded: put the helpers in it"
    )


@pytest.mark.slow
def test_importing_a_module_found_nowhere_says_it_is_not_installed(tmp_path: Path) -> None:
    target = tmp_path / "exercise11.py"
    shutil.copy(STUDENTS / "exercise11" / "imports_helper.py", target)
    result = grade_submission(target, env={})
    assert result.message == (
        "importing exercise11.py failed at line 4: "
        f"ModuleNotFoundError: No module named 'utils': {NOT_INSTALLED}"
    )


@pytest.mark.parametrize(
    ("error_type", "message", "module"),
    [
        ("ModuleNotFoundError", "No module named 'utils'", "utils"),
        ("ModuleNotFoundError", "No module named 'utils.plots'", "utils"),
        ("ModuleNotFoundError", "No module named 'numpyy'", None),  # not beside it
        ("ImportError", "No module named 'utils'", None),
        ("ModuleNotFoundError", "No module named '/etc/passwd'", None),  # a name, never a path
        ("ModuleNotFoundError", "No module named '..'", None),
    ],
)
def test_a_module_of_ones_own_is_one_beside_the_submission(
    tmp_path: Path, error_type: str, message: str, module: str | None
) -> None:
    (tmp_path / "utils.py").write_text(UTILS)
    assert own_module(tmp_path / "exercise11.py", error_type, message) == module
