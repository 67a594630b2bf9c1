"""Load and validate a rubric YAML file, whole, before any student code runs.

Every problem is reported with the file, the key path, the bad value and what was
expected; unknown keys are errors so that a typo never silently drops a setting.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import yaml

from grader.errors import RubricError, SettingsError
from grader.settings import parse_value

KINDS = ("gradcheck", "reference", "property", "resource", "static")
VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")
TOLERANCES = ("atol", "rtol", "eps")
ID = re.compile(r"^[a-z0-9][a-z0-9_.\-]*$")

TOP_KEYS = {"exercise", "title", "tolerances", "timeout", "checks", "misconceptions"}
CHECK_KEYS = {
    "id", "title", "kind", "points", "probe", "hint", "visibility", "timeout",
    "tolerances", "cases", "seed", "misconceptions", "forbid_imports", "max_ratio",
}  # fmt: skip
KIND_KEYS = {
    "gradcheck": {"probe", "cases", "seed", "tolerances", "misconceptions"},
    "reference": {"probe", "cases", "seed", "tolerances", "misconceptions"},
    "property": {"probe", "cases", "seed", "misconceptions"},
    "resource": {"probe", "seed", "max_ratio", "misconceptions"},
    "static": {"forbid_imports"},
}
MISCONCEPTION_KEYS = {"id", "title", "hint"}


@dataclass(frozen=True)
class Misconception:
    id: str
    title: str
    hint: str


@dataclass(frozen=True)
class Check:
    id: str
    title: str
    kind: str
    points: float
    probe: str | None = None
    hint: str | None = None
    visibility: str = "visible"
    cases: int = 1
    seed: int = 0
    misconceptions: tuple[str, ...] = ()
    forbid_imports: tuple[str, ...] = ()
    max_ratio: float = 4.0
    overrides: Mapping[str, float] = field(default_factory=dict)


#: What a check that does not say gets: written once, in `Check`.
CHECK_DEFAULTS = {f.name: f.default for f in fields(Check)}


@dataclass(frozen=True)
class Rubric:
    path: Path
    exercise: str
    title: str
    checks: tuple[Check, ...]
    misconceptions: Mapping[str, Misconception]
    defaults: Mapping[str, float] = field(default_factory=dict)

    @property
    def max_score(self) -> float:
        return sum(check.points for check in self.checks)


def load(path: Path) -> Rubric:
    """Read and validate `path`; raise RubricError listing every problem."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RubricError(path, [f"cannot read the file: {exc.strerror}"]) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise RubricError(path, [f"{where}not valid YAML ({getattr(exc, 'problem', exc)})"]) from None
    problems: list[str] = []
    rubric = _Validator(problems).rubric(path, data)
    if problems or rubric is None:
        raise RubricError(path, problems)
    return rubric


class _Validator:
    """Walks the parsed YAML, collecting problems instead of stopping at the first."""

    def __init__(self, problems: list[str]):
        self.problems = problems

    def fail(self, where: str, value: Any, expected: str) -> None:
        self.problems.append(f"{where}: got {value!r}, expected {expected}")

    def keys(self, where: str, data: Mapping[str, Any], allowed: set[str]) -> None:
        for key in sorted(set(data) - allowed, key=str):
            prefix = f"{where}." if where else ""
            self.problems.append(f"{prefix}{key}: unknown key (allowed: {', '.join(sorted(allowed))})")

    def get(
        self, data: Mapping[str, Any], where: str, key: str, ok: Callable[[Any], bool],
        expected: str, default: Any = None, required: bool = False,
    ) -> Any:  # fmt: skip
        path = f"{where}.{key}" if where else key
        if key not in data:
            if required:
                self.problems.append(f"{path}: missing, expected {expected}")
            return default
        value = data[key]
        if not ok(value):
            self.fail(path, value, expected)
            return default
        return value

    def rubric(self, path: Path, data: Any) -> Rubric | None:
        if not isinstance(data, dict):
            self.fail("(top level)", data, "a mapping with keys exercise, title, checks")
            return None
        self.keys("", data, TOP_KEYS)
        exercise = self.get(data, "", "exercise", _name, "a name like exercise11", "", True)
        title = self.get(data, "", "title", _text, "a non-empty string", "", True)
        defaults = dict(self.tolerances(data, ""))
        timeout = self.number(data, "", "timeout")
        if timeout is not None:
            defaults["timeout"] = timeout
        misconceptions = self.misconceptions(data.get("misconceptions", []))
        raw_checks = self.get(data, "", "checks", _nonempty_list, "a non-empty list", [], True)
        checks = [self.check(f"checks[{i}]", c, misconceptions) for i, c in enumerate(raw_checks)]
        seen: set[str] = set()
        for i, check in enumerate(checks):
            if check and check.id in seen:
                self.fail(f"checks[{i}].id", check.id, "an id not used by another check")
            seen.add(check.id if check else "")
        if self.problems:
            return None
        return Rubric(path, exercise, title, tuple(c for c in checks if c), misconceptions, defaults)

    def tolerances(self, data: Mapping[str, Any], where: str) -> dict[str, float]:
        raw = self.get(data, where, "tolerances", _mapping, "a mapping of atol, rtol, eps", {})
        place = f"{where}.tolerances" if where else "tolerances"
        self.keys(place, raw, set(TOLERANCES))
        return {k: v for k in TOLERANCES if (v := self.number(raw, place, k)) is not None}

    def number(self, data: Mapping[str, Any], where: str, key: str) -> float | None:
        if key not in data:
            return None
        try:
            return float(parse_value(key, data[key], "the rubric"))
        except SettingsError:
            self.fail(f"{where}.{key}" if where else key, data[key], "a positive number")
            return None

    def misconceptions(self, raw: Any) -> dict[str, Misconception]:
        if not isinstance(raw, list):
            self.fail("misconceptions", raw, "a list of {id, title, hint}")
            return {}
        found: dict[str, Misconception] = {}
        for i, item in enumerate(raw):
            where = f"misconceptions[{i}]"
            if not isinstance(item, dict):
                self.fail(where, item, "a mapping with id, title, hint")
                continue
            self.keys(where, item, MISCONCEPTION_KEYS)
            ident = self.get(item, where, "id", _ident, "an id like forgot-divide-by-n", "", True)
            title = self.get(item, where, "title", _text, "a non-empty string", "", True)
            hint = self.get(item, where, "hint", _text, "a non-empty string", "", True)
            if ident in found:
                self.fail(f"{where}.id", ident, "an id not used by another misconception")
            found[ident] = Misconception(ident, title, hint)
        return found

    def check(self, where: str, raw: Any, known: Mapping[str, Misconception]) -> Check | None:
        if not isinstance(raw, dict):
            self.fail(where, raw, "a mapping with id, title, kind, points")
            return None
        kind = self.get(raw, where, "kind", lambda v: v in KINDS, f"one of {', '.join(KINDS)}",
                        None, True)  # fmt: skip
        allowed = CHECK_KEYS if kind is None else CHECK_KEYS - _other_kind_keys(kind)
        self.keys(where, raw, allowed)
        ident = self.get(raw, where, "id", _ident, "an id like mlp_backward.gradcheck", "", True)
        names = self.get(raw, where, "misconceptions", _names, "a list of ids", [])
        for name in names:
            if name not in known:
                self.fail(f"{where}.misconceptions", name, "an id listed under misconceptions")
        overrides = self.tolerances(raw, where)
        timeout = self.number(raw, where, "timeout")
        if timeout is not None:
            overrides["timeout"] = timeout
        needs_probe = kind not in (None, "static")
        return Check(
            id=ident,
            title=self.get(raw, where, "title", _text, "a non-empty string", "", True),
            kind=kind or "",
            points=float(self.get(raw, where, "points", _points, "a number >= 0", 0.0, True)),
            probe=self.get(raw, where, "probe", _ident, "a probe name", None, needs_probe),
            hint=self.get(raw, where, "hint", _text, "a non-empty string"),
            visibility=self.get(
                raw,
                where,
                "visibility",
                lambda v: v in VISIBILITIES,
                f"one of {', '.join(VISIBILITIES)}",
                CHECK_DEFAULTS["visibility"],
            ),  # fmt: skip
            cases=self.get(raw, where, "cases", _count, "an integer >= 1", CHECK_DEFAULTS["cases"]),
            seed=self.get(raw, where, "seed", _integer, "an integer", CHECK_DEFAULTS["seed"]),
            misconceptions=tuple(names),
            forbid_imports=tuple(
                self.get(
                    raw,
                    where,
                    "forbid_imports",
                    _names,
                    "a list of module names",
                    [],
                    kind == "static",
                )
            ),
            max_ratio=float(
                self.get(raw, where, "max_ratio", _points, "a number >= 0", CHECK_DEFAULTS["max_ratio"])
            ),
            overrides=overrides,
        )


def _other_kind_keys(kind: str) -> set[str]:
    own = KIND_KEYS[kind]
    return {key for other, keys in KIND_KEYS.items() if other != kind for key in keys} - own


def _text(v: Any) -> bool:
    return isinstance(v, str) and bool(v.strip())


def _name(v: Any) -> bool:
    return isinstance(v, str) and re.fullmatch(r"exercise\d\d", v) is not None


def _ident(v: Any) -> bool:
    return isinstance(v, str) and ID.match(v) is not None


def _names(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) and x for x in v)


def _mapping(v: Any) -> bool:
    return isinstance(v, dict)


def _nonempty_list(v: Any) -> bool:
    return isinstance(v, list) and bool(v)


def _integer(v: Any) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def _count(v: Any) -> bool:
    return _integer(v) and v >= 1


def _points(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and v >= 0
