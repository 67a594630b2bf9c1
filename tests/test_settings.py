"""Tolerance and limit precedence: check > command line > environment > rubric > default."""

import pytest

from grader.errors import SettingsError
from grader.settings import Settings, for_check, resolve


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
