"""A rubric cross-checked with its probes and its course's mistakes, by `grade check-rubric` and by grading.

Each broken course is a temporary copy of exercise 11's with one thing wrong; both commands
must reject it with exit 2 and a message naming the file, the key path, the check and the
problem, before any check runs (never an internal error, never a traceback).
"""

from __future__ import annotations

import functools
import shutil
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from grader.crosscheck import crosscheck, names_of, verified
from grader.errors import RubricError
from grader.probes import exercise13
from grader.probes.base import Probe, Verdict, fixed
from grader.rubric import load
from tests.cli_helpers import run_cli

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "rubrics").glob("*.yaml"))
VARIANTS = (
    "unstable-softmax, forgot-divide-by-n, onehot-not-subtracted, no-relu-mask, transposed-dw, db-by-mean"
)
UNSTABLE_VARIANT = """\
        "unstable-softmax": mutate(
            ref, "unstable-softmax", [("shifted = z - z.max(axis=1, keepdims=True)", "shifted = z")]
        ),
"""


def make_course(where: Path, reference: bool = True) -> Path:
    """A copy of exercise 11's course: its rubric and, unless told otherwise, reference and mistakes."""
    course = where / "course"
    (course / "rubrics").mkdir(parents=True)
    shutil.copy(ROOT / "rubrics" / "exercise11.yaml", course / "rubrics")
    if reference:
        (course / "reference" / "mistakes").mkdir(parents=True)
        shutil.copy(ROOT / "reference" / "exercise11.py", course / "reference")
        shutil.copy(ROOT / "reference" / "mistakes" / "exercise11.py", course / "reference" / "mistakes")
    return course


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} is not in {path} once"
    path.write_text(text.replace(old, new))


def rubric_of(course: Path) -> Path:
    return course / "rubrics" / "exercise11.yaml"


def mistakes_of(course: Path) -> Path:
    return course / "reference" / "mistakes" / "exercise11.py"


def missing_probe(course: Path) -> str:
    edit(rubric_of(course), "probe: mlp_backward\n", "probe: mlp_backwards\n")
    return (
        "checks[2].probe (check mlp_backward.gradcheck): got 'mlp_backwards', expected a probe of "
        "grader.probes.exercise11: mlp_backward, mlp_backward_values, mlp_forward, mlp_forward_large_logits"
    )


def wrong_kind(course: Path) -> str:
    edit(rubric_of(course), "kind: gradcheck\n", "kind: reference\n")
    return (
        "checks[2].kind (check mlp_backward.gradcheck): got 'reference', expected 'gradcheck': "
        "probe 'mlp_backward' is a gradcheck probe"
    )


def unbacked_misconception(course: Path) -> str:
    edit(rubric_of(course), "cases: 2\n    misconceptions: [", "cases: 2\n    misconceptions: [made-up, ")
    edit(
        rubric_of(course),
        "\nmisconceptions:\n",
        "\nmisconceptions:\n  - {id: made-up, title: Made up, hint: None.}\n",
    )
    return (
        "checks[2].misconceptions (check mlp_backward.gradcheck): 'made-up' is recognised by nothing: "
        f"{mistakes_of(course)} has no variant 'made-up' and probe 'mlp_backward' never names it"
    )


def unused_variant(course: Path) -> str:
    halved = '        "halved": mutate(ref, "halved", [("dz2 /= n", "dz2 /= 2 * n")]),\n'
    edit(mistakes_of(course), "    return {\n", "    return {\n" + halved)
    return (
        f"{mistakes_of(course)}: variant 'halved' is listed by no check of the rubric, so it can never name "
        "a mistake (list it under the checks whose probes it gets wrong, or remove it)"
    )


def unlisted_misconception(course: Path) -> str:
    spare = "  - {id: spare, title: Spare, hint: Unused.}\n"
    edit(rubric_of(course), "\nmisconceptions:\n", "\nmisconceptions:\n" + spare)
    return (
        "misconceptions[0].id: 'spare' is listed by no check "
        "(list it under the checks that recognise it, or remove it)"
    )


BROKEN: dict[str, Callable[[Path], str]] = {
    "a probe that does not exist": missing_probe,
    "a probe of another kind": wrong_kind,
    "a misconception nothing recognises": unbacked_misconception,
}
#: Mistakes no check lists: said by check-rubric, but a rubric grading part of an exercise is valid.
UNUSED: dict[str, Callable[[Path], str]] = {
    "a variant no check uses": unused_variant,
    "a misconception no check lists": unlisted_misconception,
}


@pytest.mark.parametrize("break_it", BROKEN.values(), ids=BROKEN.keys())
def test_check_rubric_rejects_the_course(tmp_path: Path, break_it: Callable[[Path], str]) -> None:
    course = make_course(tmp_path)
    problem = break_it(course)
    code, out, err = run_cli(["check-rubric", str(rubric_of(course))])
    assert (code, out) == (2, "")
    assert err == f"invalid rubric {rubric_of(course)}: {problem}\n"


@pytest.mark.parametrize("break_it", BROKEN.values(), ids=BROKEN.keys())
def test_grading_rejects_the_course_before_any_check_runs(
    tmp_path: Path, break_it: Callable[[Path], str], in_tmp: None
) -> None:
    course = make_course(tmp_path)
    problem = break_it(course)
    target = tmp_path / "exercise11.py"
    shutil.copy(ROOT / "tests" / "students" / "exercise11" / "correct.py", target)
    code, out, err = run_cli([str(target), "--course", str(course), "--no-html"])
    assert (code, out) == (2, "")
    assert err == f"grade: invalid rubric {rubric_of(course)}: {problem}\n"
    assert "Traceback" not in err


@pytest.mark.parametrize("leave_unused", UNUSED.values(), ids=UNUSED.keys())
def test_an_unused_mistake_is_said_but_the_rubric_still_grades(
    tmp_path: Path, leave_unused: Callable[[Path], str], in_tmp: None
) -> None:
    course = make_course(tmp_path)
    note = leave_unused(course)
    code, out, err = run_cli(["check-rubric", str(rubric_of(course))])
    assert (code, err) == (0, "")
    assert out.splitlines()[1] == f"  unused: {note}"
    target = tmp_path / "exercise11.py"
    shutil.copy(ROOT / "tests" / "students" / "exercise11" / "correct.py", target)
    code, _, err = run_cli([str(target), "--course", str(course), "--no-html"])
    assert (code, err) == (0, "")


def test_a_rubric_grading_part_of_an_exercise_is_valid(tmp_path: Path) -> None:
    """A TA's quiz: only the forward checks, so most of the course's mistakes go unlisted."""
    course = make_course(tmp_path)
    rubric = load(rubric_of(course))
    quiz = replace(rubric, checks=rubric.checks[:2])
    assert verified(quiz, course) is quiz
    assert crosscheck(quiz, course).unused


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    course = make_course(tmp_path)
    edit(rubric_of(course), "kind: property\n", "kind: reference\n")
    expected = [
        "checks[1].kind (check mlp_forward.stable): got 'reference', expected 'property': "
        "probe 'mlp_forward_large_logits' is a property probe",
        missing_probe(course),
    ]
    unused_variant(course)
    with pytest.raises(RubricError) as caught:
        verified(load(rubric_of(course)), course)
    assert caught.value.problems == expected


def test_the_shipped_rubrics_pass() -> None:
    code, out, err = run_cli(["check-rubric", *map(str, SHIPPED)])
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == len(SHIPPED) == 8
    assert all(line.startswith(f"{path}: ok (") for line, path in zip(lines, SHIPPED, strict=True))


def test_a_misconception_the_probe_names_needs_no_variant(tmp_path: Path) -> None:
    """Without its variant, `unstable-softmax` is still named by the stability property's verdict,
    but no longer recognised by the reference check, whose value probe names nothing itself."""
    course = make_course(tmp_path)
    edit(mistakes_of(course), UNSTABLE_VARIANT, "")
    assert crosscheck(load(rubric_of(course)), course).problems == (
        "checks[0].misconceptions (check mlp_forward.reference): 'unstable-softmax' is recognised by "
        f"nothing: {mistakes_of(course)} has no variant 'unstable-softmax' and probe 'mlp_forward' never "
        "names it",
    )


def test_without_the_reference_what_needs_it_is_said_not_checked(tmp_path: Path) -> None:
    kit = make_course(tmp_path, reference=False)
    code, out, err = run_cli(["check-rubric", str(rubric_of(kit))])
    assert (code, err) == (0, "")
    assert out.splitlines()[1] == (
        f"  not checked: mistake variants ({kit} has no reference/exercise11.py): "
        f"whether they back {VARIANTS}, and whether each is used"
    )
    alone = tmp_path / "exercise11.yaml"
    shutil.copy(rubric_of(kit), alone)
    assert crosscheck(load(alone), None).unchecked == (
        f"mistake variants (no course directory): whether they back {VARIANTS}, and whether each is used",
    )


def test_without_the_reference_probes_and_kinds_are_still_checked(tmp_path: Path) -> None:
    kit = make_course(tmp_path, reference=False)
    problems = [missing_probe(kit)]
    edit(rubric_of(kit), "kind: property\n", "kind: reference\n")
    problems.append(
        "checks[1].kind (check mlp_forward.stable): got 'reference', expected 'property': "
        "probe 'mlp_forward_large_logits' is a property probe"
    )
    found = crosscheck(load(rubric_of(kit)), kit)
    assert sorted(found.problems) == sorted(problems)
    assert found.unchecked  # the variants, said not checked


def test_an_exercise_without_probes(tmp_path: Path) -> None:
    rubric = tmp_path / "exercise19.yaml"
    rubric.write_text((ROOT / "rubrics" / "exercise11.yaml").read_text().replace("exercise11", "exercise19"))
    code, _, err = run_cli(["check-rubric", str(rubric)])
    assert code == 2
    assert err.startswith(
        f"invalid rubric {rubric}: exercise: got 'exercise19', expected an exercise with probes "
        "(there is no grader.probes.exercise19)"
    )


CONSTANT = "by-a-constant"


def by_constant(inputs: Any, observed: Any, expected: Any) -> Verdict:
    return Verdict(False, "wrong", CONSTANT)


def by_argument(name: str, inputs: Any, observed: Any, expected: Any) -> Verdict:
    return Verdict(False, "wrong", name)


def by_closure(name: str) -> Callable[[Any, Any, Any], Verdict]:
    def judge(inputs: Any, observed: Any, expected: Any) -> Verdict:
        return Verdict(False, "wrong", name if observed else "by-a-literal")

    return judge


def property_probe(judge: Callable[..., Verdict] | None, **raises: Verdict) -> Probe:
    return Probe(lambda module, inputs: None, "property", (), fixed({}), judge=judge, raises=raises)


@pytest.mark.parametrize(
    ("probe", "named"),
    [
        (property_probe(None, RecursionError=Verdict(False, "deep", "by-raises")), {"by-raises"}),
        (property_probe(by_constant), {CONSTANT}),
        (property_probe(by_closure("by-a-closure")), {"by-a-closure", "by-a-literal"}),
        (property_probe(functools.partial(by_argument, "by-a-partial")), {"by-a-partial"}),
        (exercise13.backward_calls, {"forward-order", "duplicate-nodes"}),  # through helpers of its module
    ],
    ids=["raises", "module constant", "closure and literal", "partial", "helper functions"],
)
def test_every_way_a_probe_names_a_misconception_is_found(probe: Probe, named: set[str]) -> None:
    assert named <= names_of(probe)
