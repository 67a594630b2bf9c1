"""Compare what the submission returned with what was expected, and say how it differs.

Everything here runs in the grader on plain data received from the student process.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader.answers import numeric_list
from grader.settings import Settings


@dataclass
class Mismatch:
    """Where and how a returned value differs from the expected one."""

    name: str
    message: str
    expected: np.ndarray | None = None
    got: np.ndarray | None = None
    details: dict[str, Any] = field(default_factory=dict)


#: A wrong answer within this relative error of the correct one everywhere is a near miss: unless
#: its cause is said, it reads as rounding.
NEAR_MISS = 1e-2


class NotJudgeable(Exception):
    """The correct answer itself is not finite here: the case cannot decide anything (a course bug)."""


def compare(got: Any, expected: Any, tol: Settings, name: str = "the result") -> Mismatch | None:
    """First mismatch between two plain structures (dicts, lists, arrays, numbers), or None.

    Strict, for points: every key and item must be there and nothing else, and a non-finite
    value never matches (NaN is not NaN; an infinite expectation makes no tolerance vacuous).
    """
    return _first(got, expected, tol, name, strict=True)


def matches(got: Any, wrong: Any, tol: Settings) -> bool:
    """Whether ``got`` is what a wrong variant produced: the same values, and NaN or inf where it has them.

    Used only to name a mistake, never to award points.
    """
    return _first(got, wrong, tol, "the result", strict=False) is None


def _first(got: Any, expected: Any, tol: Settings, name: str, strict: bool) -> Mismatch | None:
    if isinstance(expected, Mapping):
        if not isinstance(got, Mapping):
            return Mismatch(name, f"{name} has the wrong structure")
        for key, want in expected.items():
            if key not in got:
                return Mismatch(key, f"{key} is missing")
            found = _first(got[key], want, tol, key, strict)
            if found:
                return found
        extra = [key for key in got if key not in expected]
        return (
            Mismatch(name, f"{name} has unexpected parts: {', '.join(map(str, extra[:3]))}")
            if extra
            else None
        )
    if isinstance(expected, list) and not numeric_list(expected):
        if not isinstance(got, list) or len(got) != len(expected):
            return Mismatch(name, f"{name} should have {len(expected)} items")
        for i, (g, e) in enumerate(zip(got, expected, strict=True)):
            found = _first(g, e, tol, f"{name}[{i}]", strict)
            if found:
                return found
        return None
    if isinstance(expected, str | bool) or expected is None:
        if type(got) is not type(expected) or got != expected:
            return Mismatch(name, f"{name} is {got!r}, expected {expected!r}")
        return None
    return compare_arrays(got, expected, tol, name, strict=strict)


def compare_arrays(got: Any, expected: Any, tol: Settings, name: str, strict: bool = True) -> Mismatch | None:
    """Shape, finiteness, then values within `atol + rtol*|expected|`, with a diagnosis.

    ``strict`` (for points): any non-finite value in ``got`` fails, and a non-finite
    ``expected`` raises NotJudgeable. Otherwise non-finite entries match where both have them.
    """
    try:
        g = np.asarray(got, dtype=np.float64)
    except (TypeError, ValueError):
        return Mismatch(name, f"{name} is not a number or an array of numbers")
    e = np.asarray(expected, dtype=np.float64)
    if g.shape != e.shape:
        return Mismatch(name, _shape_message(g, e, tol, name, strict), e, g)
    if strict and not np.isfinite(e).all():
        where = f" at {_index(np.argwhere(~np.isfinite(e))[0])}" if e.ndim else ""
        raise NotJudgeable(f"the correct value of {name} is not finite{where}")
    same_non_finite = (g == e) | (np.isnan(g) & np.isnan(e)) if not strict else np.zeros(g.shape, bool)
    bad = ~np.isfinite(g) & ~same_non_finite
    if bad.any():
        where = f" at {_index(np.argwhere(bad)[0])}" if g.ndim else ""
        what = "NaN" if np.isnan(g[bad]).any() else "inf"
        return Mismatch(name, f"{name} is {what}{where} where a finite value was expected", e, g)
    with np.errstate(all="ignore"):
        error = np.abs(g - e)
        allowed = tol.atol + tol.rtol * np.abs(e)
    wrong = ~(error <= allowed) & ~same_non_finite
    if not wrong.any():
        return None
    return Mismatch(name, _value_message(name, g, e, wrong, tol), e, g, {"wrong": int(wrong.sum())})


@np.errstate(all="ignore")
def near_miss(got: Any, expected: Any, tol: Settings) -> float | None:
    """The largest relative error of an answer close to the correct one everywhere, or None."""
    g, e = np.asarray(got, dtype=np.float64), np.asarray(expected, dtype=np.float64)
    if g.shape != e.shape or not (np.isfinite(g).all() and np.isfinite(e).all()) or not g.size:
        return None
    worst = float(np.max(np.abs(g - e) / np.maximum(np.abs(e), tol.atol)))
    return worst if worst <= NEAR_MISS else None


def _shape_message(g: np.ndarray, e: np.ndarray, tol: Settings, name: str, strict: bool) -> str:
    message = f"{name} has shape {g.shape}, expected {e.shape}"
    if g.ndim == e.ndim >= 2 and g.shape == e.shape[::-1]:
        return message + ": transposed?"
    if g.size == e.size and _squeezed(g.shape) == _squeezed(e.shape):
        reshaped = compare_arrays(g.reshape(e.shape), e, tol, name, strict)
        values = reshaped.message if reshaped else "its values are right"
        return f"{message}: {_unit_axes(g.shape, e.shape)}; reshaped to {e.shape}, {values}"
    if _broadcasts_to(e.shape, g.shape):
        return message + ": did you forget to sum over the broadcast axes?"
    return message


def _squeezed(shape: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(size for size in shape if size != 1)


def _unit_axes(got: tuple[int, ...], expected: tuple[int, ...]) -> str:
    """How two shapes with the same sizes differ in their length-1 axes (what keepdims=True or a
    reshape changes), the sizes being right."""
    extra = got.count(1) - expected.count(1)
    axes = "axis" if abs(extra) == 1 else "axes"
    if extra > 0:
        return f"{'an' if extra == 1 else extra} extra length-1 {axes} (keepdims=True, or a reshape?)"
    if extra < 0:
        count = "a" if extra == -1 else -extra
        return f"{count} missing length-1 {axes} (keepdims=True forgotten, or a reshape?)"
    return "its length-1 axes are in other places (a reshape?)"


def _broadcasts_to(small: tuple[int, ...], big: tuple[int, ...]) -> bool:
    """Whether numpy broadcasting turns `small` into the larger shape `big`."""
    try:
        return small != big and np.broadcast_shapes(small, big) == big
    except ValueError:
        return False


@np.errstate(all="ignore")
def _value_message(name: str, g: np.ndarray, e: np.ndarray, wrong: np.ndarray, tol: Settings) -> str:
    relative = np.abs(g - e) / np.maximum(np.abs(e), tol.atol)
    relative = np.where(wrong, relative, -1.0)
    worst = np.unravel_index(int(np.argmax(relative)), g.shape) if g.ndim else ()
    where = f" at {_index(worst)}" if g.ndim else ""
    count = f"{int(wrong.sum())} of {g.size} entries differ; " if g.size > 1 else ""
    message = (
        f"{name} is off: {count}max relative error {relative[worst]:.3g}{where} "
        f"(expected {e[worst]:.6g}, got {g[worst]:.6g}; tolerance {tol.describe_tolerance()})"
    )
    factor = constant_factor(g, e, tol)
    if factor is not None:
        message += f"; {'every entry' if g.size > 1 else 'it'} is {factor_words(factor)}"
    return message


@np.errstate(all="ignore")
def constant_factor(got: np.ndarray, expected: np.ndarray, tol: Settings) -> float | None:
    """The constant c with got ≈ c·expected (c ≠ 1), if there is one: a telling diagnosis."""
    mask = np.abs(expected) > 10 * tol.atol
    if mask.sum() < 1 or (np.abs(got[~mask]) > 10 * tol.atol).any():
        return None
    ratios = got[mask] / expected[mask]
    c = float(np.median(ratios))
    if abs(c) < 1e-12 or np.isclose(c, 1.0, rtol=tol.rtol * 10):
        return None
    if mask.sum() == 1 and not _simple(c):
        return None  # any two numbers have a ratio: only a whole factor (or 1/n) tells something
    return c if np.allclose(ratios, c, rtol=1e-6, atol=0) else None


def _simple(c: float) -> bool:
    whole = abs(c) if abs(c) >= 1 else 1 / abs(c)
    return whole <= 1000 and abs(whole - round(whole)) < 1e-6


def factor_words(c: float) -> str:
    if np.isclose(c, -1.0):
        return "the expected value with the opposite sign"
    if abs(c) >= 1:
        return f"{c:.6g} times the expected value"
    return f"the expected value divided by {1 / c:.6g}"


def _index(index: Any) -> str:
    return "[" + ", ".join(str(int(i)) for i in index) + "]"
