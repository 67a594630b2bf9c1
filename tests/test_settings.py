"""Tolerance and limit precedence: check > command line > environment > rubric > default."""

import shutil
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import pytest

import grader
from grader.api import limits_for
from grader.errors import SettingsError
from grader.rubric import load
from grader.sandbox.supervisor import Limits
from grader.settings import Settings, for_check, resolve

COURSE = Path(__file__).resolve().parent.parent
SHIPPED = sorted((COURSE / "rubrics").glob("*.yaml"))
#: The gradient check of exercise 11's rubric, where a test pins a tolerance.
PROBE = "    probe: mlp_backward\n"


def test_defaults() -> None:
    assert resolve() == Settings()


def test_each_layer_overrides_the_one_below() -> None:
    rubric = {"rtol": 1e-3, "atol": 1e-6, "eps": 1e-5, "timeout": 5}
    env = {"GRADER_RTOL": "1e-4", "GRADER_ATOL": "1e-8"}
    cli = {"rtol": "2e-4"}
    settings = resolve(cli=cli, env=env, rubric=rubric)
    assert (settings.rtol, settings.atol, settings.eps, settings.timeout) == (2e-4, 1e-8, 1e-5, 5.0)
    checked = for_check(settings, {"rtol": 0.5})
    assert (checked.rtol, checked.atol) == (0.5, 1e-8)


def test_errors_name_the_source() -> None:
    with pytest.raises(SettingsError, match=r"invalid rtol 'abc' from GRADER_RTOL: expected a float"):
        resolve(env={"GRADER_RTOL": "abc"})
    with pytest.raises(SettingsError, match=r"invalid timeout '-3' from the command line: expected a pos"):
        resolve(cli={"timeout": "-3"})
    with pytest.raises(SettingsError, match=r"invalid memory_mb '1.5' from GRADER_MEMORY_MB"):
        resolve(env={"GRADER_MEMORY_MB": "1.5"})


def test_empty_environment_values_are_ignored() -> None:
    assert resolve(env={"GRADER_ATOL": ""}) == Settings()


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_a_shipped_rubric_restates_no_default(path: Path) -> None:
    """Defaults live in `Settings` alone: a rubric's top level states only what differs from them.
    (A check's own value equal to a default is no copy: it pins the check against `--rtol`.)"""
    defaults = asdict(Settings())
    restated = {name: value for name, value in load(path).defaults.items() if value == defaults[name]}
    assert restated == {}


def test_the_workers_default_limits_are_the_settings_defaults() -> None:
    assert replace(limits_for(Settings()), cpu_seconds=None) == Limits()


@pytest.mark.slow
def test_a_checks_own_tolerance_survives_a_global_one(tmp_path: Path) -> None:
    """Six times off passes under rtol=10 from the call, unless the check states its own rtol."""
    target = tmp_path / "exercise11.py"
    shutil.copy(COURSE / "tests" / "students" / "exercise11" / "forgot_divide_by_n.py", target)
    shipped = COURSE / "rubrics" / "exercise11.yaml"
    pinned = tmp_path / "exercise11.yaml"
    pinned.write_text(shipped.read_text().replace(PROBE, PROBE + "    tolerances: {rtol: 1.0e-5}\n"))

    def gradcheck(rubric: Path) -> dict[str, Any]:
        result = grader.grade(target, rubric=rubric, rtol=10)
        return next(check for check in result["checks"] if check["id"] == "mlp_backward.gradcheck")

    assert gradcheck(shipped)["status"] == "passed"
    kept = gradcheck(pinned)
    assert kept["status"] == "failed"
    assert "rtol=1e-05" in kept["message"]
