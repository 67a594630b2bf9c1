"""Starters are generated from the reference and kept in sync with it."""

import importlib.util
import json
import re
import textwrap
from pathlib import Path

import nbformat
import pytest

from grader.assign import RegionError, assign, reference_files, starter, strip_solutions
from tests.cli_helpers import run_cli

COURSE = Path(__file__).resolve().parent.parent
REFERENCES = reference_files(COURSE)

SOURCE = textwrap.dedent('''\
    """Statement."""


    class Value:
        def __init__(self, data):
            self.data = data

        def __add__(self, other):
            # BEGIN SOLUTION
            return Value(self.data + other.data)
            # END SOLUTION


    def f(x):
        y = 2
        # BEGIN SOLUTION
        return x * y
        # END SOLUTION
''')


def test_regions_become_stubs_named_after_their_function() -> None:
    out = strip_solutions(SOURCE)
    assert 'raise NotImplementedError("Value.__add__: your code here")' in out
    assert '    raise NotImplementedError("f: your code here")' in out
    assert "self.data + other.data" not in out and "x * y" not in out
    assert "self.data = data" in out and "y = 2" in out


@pytest.mark.parametrize(
    ("source", "problem"),
    [
        ("def f():\n    # BEGIN SOLUTION\n    pass\n", "2: # BEGIN SOLUTION is never closed"),
        ("def f():\n    pass\n    # END SOLUTION\n", "3: # END SOLUTION without # BEGIN SOLUTION"),
        ("# BEGIN SOLUTION\nx = 1\n# END SOLUTION\n", "1: # BEGIN SOLUTION outside a function body"),
        (
            "def f():\n    # BEGIN SOLUTION\n    # BEGIN SOLUTION\n    pass\n",
            "3: nested # BEGIN SOLUTION (opened at line 2)",
        ),
    ],
)
def test_malformed_regions_are_reported_with_line(source: str, problem: str) -> None:
    with pytest.raises(RegionError, match=re.escape(problem)):
        strip_solutions(source, "ref.py")


def test_all_eight_exercises_have_a_reference() -> None:
    assert [p.stem for p in REFERENCES] == [f"exercise{n}" for n in range(11, 19)]


@pytest.mark.parametrize("reference", REFERENCES, ids=lambda p: p.stem)
def test_starter_imports_and_every_region_raises(reference: Path, tmp_path: Path) -> None:
    made = starter(reference)
    target = tmp_path / f"{made.stem}.py"
    target.write_text(made.python)
    spec = importlib.util.spec_from_file_location(made.stem, target)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.__doc__ and len(module.__doc__) > 200, "the statement is the module docstring"
    assert made.python.count("NotImplementedError") == reference.read_text().count("# BEGIN SOLUTION")
    assert made.python.rstrip().endswith(f"grade {made.stem}.py")


@pytest.mark.parametrize("reference", REFERENCES, ids=lambda p: p.stem)
def test_notebook_starter_is_valid_and_carries_the_statement(reference: Path) -> None:
    made = starter(reference)
    nb = nbformat.reads(made.notebook, as_version=4)
    nbformat.validate(nb)
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith(f"# {made.stem}")
    assert f"grade {made.stem}.ipynb" in nb.cells[-1].source
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert code.count("NotImplementedError") == made.python.count("NotImplementedError")
    assert json.loads(made.notebook)["nbformat"] == 4


def test_exercises_folder_is_in_sync_with_reference() -> None:
    code, out, err = run_cli(["assign", "--check"])
    assert (code, out, err) == (
        0,
        "exercises/, the shipped values and the student kit are in sync with reference/\n",
        "",
    )


def test_assign_writes_then_check_passes(tmp_path: Path) -> None:
    (tmp_path / "reference").mkdir()
    (tmp_path / "rubrics").mkdir()
    (tmp_path / "reference" / "exercise99.py").write_text(SOURCE)
    assert [p.name for p in assign(tmp_path, check=True)] == ["exercise99.py", "exercise99.ipynb"]
    code, out, _ = run_cli(["assign", "--course", str(tmp_path)])
    assert code == 0 and "exercises/exercise99.py: written" in out
    assert assign(tmp_path, check=True) == []
    (tmp_path / "exercises" / "exercise99.py").write_text("stale\n")
    code, out, err = run_cli(["assign", "--check", "--course", str(tmp_path)])
    assert code == 1 and "exercises/exercise99.py: out of date" in out and "run `grade assign`" in err
