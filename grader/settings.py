"""Grading settings, resolved in one place with one documented precedence.

For every setting the first source that sets it wins:

    rubric check  >  command line  >  GRADER_* environment  >  rubric top level  >  default

A check's own value wins because it is the course author's statement that this check
needs it (e.g. a looser `rtol` for a float32-sensitive comparison, or a tighter one that
a global `--rtol` must not loosen); everything else is a default that the person running
the grader may override. The command line and the keywords of `grader.grade` are one layer.

The defaults are written once, in `Settings`: rubrics state only what differs from them,
and `grader.sandbox.supervisor.Limits` takes its defaults from here (this module is plain
data, cheap for the sandbox to import).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from grader.errors import SettingsError

#: Environment variable for each setting.
ENV = {
    "atol": "GRADER_ATOL",
    "rtol": "GRADER_RTOL",
    "eps": "GRADER_EPS",
    "timeout": "GRADER_TIMEOUT",
    "memory_mb": "GRADER_MEMORY_MB",
    "output_kb": "GRADER_OUTPUT_KB",
}


@dataclass(frozen=True)
class Settings:
    """Everything a check needs to know about tolerances and limits; the fields' defaults are the grader's."""

    atol: float = 1e-7
    rtol: float = 1e-5
    eps: float = 1e-6
    timeout: float = 10.0
    memory_mb: int = 2048
    output_kb: int = 64

    def describe_tolerance(self) -> str:
        return f"rtol={self.rtol:g}, atol={self.atol:g}"


def parse_value(name: str, raw: Any, source: str) -> float | int:
    """Validate one setting: a finite positive number (an integer for sizes)."""
    kind = int if name in ("memory_mb", "output_kb") else float
    try:
        if isinstance(raw, bool):
            raise ValueError
        value = kind(raw)
    except (TypeError, ValueError):
        raise SettingsError(f"invalid {name} {raw!r} from {source}: expected a {kind.__name__}") from None
    if not math.isfinite(value) or value <= 0:
        raise SettingsError(f"invalid {name} {raw!r} from {source}: expected a positive number")
    return value


def resolve(
    *,
    cli: Mapping[str, Any] | None = None,
    env: Mapping[str, str] | None = None,
    rubric: Mapping[str, Any] | None = None,
) -> Settings:
    """Settings for a whole submission: command line > environment > rubric > defaults."""
    settings = Settings()
    layers = [
        (rubric or {}, "the rubric"),
        ({n: env[v] for n, v in ENV.items() if env and env.get(v)}, "the environment"),
        (cli or {}, "the command line"),
    ]
    for values, source in layers:
        settings = _apply(settings, values, source)
    return settings


def for_check(base: Settings, check: Mapping[str, Any]) -> Settings:
    """Apply a rubric check's own overrides, which win over everything else."""
    return _apply(base, check, "the rubric check")


def given(**values: Any) -> dict[str, Any]:
    """The settings a caller set (not None), as `resolve` takes them from the command line."""
    return {name: value for name, value in values.items() if value is not None}


def _apply(settings: Settings, values: Mapping[str, Any], source: str) -> Settings:
    """`settings` with `values` validated and applied; a name that is no setting is a bug of the caller."""
    unknown = sorted(set(values) - set(ENV))
    if unknown:
        raise TypeError(f"unknown setting(s) {', '.join(unknown)} from {source} (known: {', '.join(ENV)})")
    changes: dict[str, Any] = {
        name: parse_value(name, raw, _source_of(name, source)) for name, raw in values.items()
    }
    return replace(settings, **changes)


def _source_of(name: str, source: str) -> str:
    return f"{ENV[name]}" if source == "the environment" else source
