"""Expected versus got for one returned array: whole grids when small, the worst entries when large.

An entry is wrong when it is outside the check's tolerance (atol + rtol·|expected|, as
the check judged it); how wrong is its relative error |got − expected| / max(|expected|,
FLOOR): the floor keeps entries that should be zero from dividing by zero, and a wrong
entry where zero was expected still shows as a large error. When every entry is off by
one factor, the view says so in words instead of drawing a heatmap of one colour.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from grader.checks.compare import constant_factor, factor_words
from grader.report.heatmap import Heatmap, Swatch, heatmap, legend, severity
from grader.settings import Settings

FLOOR = 1e-7
#: Arrays with at most this many entries are shown whole.
SMALL = 40
WORST = 8
#: The grader's own tolerance, for a comparison whose check did not say its own.
DEFAULT = Settings()


@dataclass(frozen=True)
class Cell:
    text: str
    #: Outside the check's tolerance: highlighted in tables.
    off: bool = False


@dataclass(frozen=True)
class Entry:
    index: str
    expected: str
    got: str
    ratio: str
    error: Cell


@dataclass(frozen=True)
class ArrayView:
    name: str
    expected_shape: str
    got_shape: str
    #: Small arrays: every entry, as rows of cells (a vector is one row).
    expected_grid: list[list[Cell]] | None
    got_grid: list[list[Cell]] | None
    #: yours ÷ expected entry by entry: a constant factor (N, 1/N, −1) shows at once.
    ratio_grid: list[list[Cell]] | None
    #: Large arrays: the entries furthest from the expected values.
    worst: list[Entry]
    heatmap: Heatmap | None
    #: The heatmap's key, which names the tolerance its green stands for.
    legend: list[Swatch] = field(default_factory=list)
    #: "every entry of dW1 is 6 times the expected value", when one factor explains every entry.
    uniform: str | None = None

    @property
    def same_shape(self) -> bool:
        return self.expected_shape == self.got_shape


def array_view(name: str, expected: Any, got: Any, tol: Settings = DEFAULT) -> ArrayView | None:
    """The comparison to draw, or None when either side is not an array of numbers; `tol` is the
    tolerance the check judged with."""
    if expected is None or got is None:
        return None
    try:
        e, g = (np.asarray(x, dtype=np.float64) for x in (expected, got))
    except (TypeError, ValueError):
        return None
    if e.shape != g.shape:
        return ArrayView(name, _shape(e), _shape(g), _grid(e), _grid(g), None, worst=[], heatmap=None)
    error = relative_error(e, g)
    with np.errstate(all="ignore"):
        off = ~(np.abs(g - e) <= tol.atol + tol.rtol * np.abs(e))
    uniform = _uniform(name, e, g, tol)
    shown = severity(error, ~off)
    return ArrayView(
        name=name,
        expected_shape=_shape(e),
        got_shape=_shape(g),
        expected_grid=_grid(e),
        got_grid=_grid(g, off),
        ratio_grid=_grid(ratio(e, g), off, _factor) if e.size > 1 else None,
        worst=_worst(e, g, error, off) if e.size > SMALL else [],
        heatmap=heatmap(shown if shown.ndim == 1 else _rows(shown), name)
        if e.size > 1 and not uniform
        else None,
        legend=legend(tol.describe_tolerance()),
        uniform=uniform,
    )


def _uniform(name: str, expected: np.ndarray, got: np.ndarray, tol: Settings) -> str | None:
    """The sentence for an array whose every entry is one factor times the expected one."""
    if expected.size < 2 or not (np.isfinite(expected).all() and np.isfinite(got).all()):
        return None
    factor = constant_factor(got, expected, tol)
    return f"every entry of {name} is {factor_words(factor)}" if factor is not None else None


@np.errstate(all="ignore")
def relative_error(expected: np.ndarray, got: np.ndarray) -> np.ndarray:
    """Elementwise relative error; inf where got is not finite but expected is."""
    error = np.abs(got - expected) / np.maximum(np.abs(expected), FLOOR)
    error = np.where(np.isfinite(got) | ~np.isfinite(expected), error, np.inf)
    return np.where(got == expected, 0.0, error)


@np.errstate(all="ignore")
def ratio(expected: np.ndarray, got: np.ndarray) -> np.ndarray:
    """got / expected, NaN where expected is zero or got is not finite."""
    return np.where((expected != 0) & np.isfinite(got), got / np.where(expected != 0, expected, 1.0), np.nan)


def number(x: float, digits: int = 4) -> str:
    """A short rendering with a typographic minus; NaN and inf spelled out."""
    return "NaN" if math.isnan(x) else f"{x:.{digits}g}".replace("-", "−")


def _shape(a: np.ndarray) -> str:
    return "scalar" if a.ndim == 0 else str(tuple(a.shape))


def _rows(a: np.ndarray) -> np.ndarray:
    """The array as a 2-D grid: a scalar or vector is one row; extra leading axes fold into the rows."""
    return a.reshape(1, -1) if a.ndim <= 1 else a.reshape(-1, a.shape[-1])


def _grid(
    a: np.ndarray, off: np.ndarray | None = None, show: Callable[[float], str] = number
) -> list[list[Cell]] | None:
    """Every entry of a small array; entries flagged in `off` are highlighted."""
    if a.size > SMALL:
        return None
    flags = np.zeros(a.shape, dtype=bool) if off is None else off
    return [
        [Cell(show(v), bool(f)) for v, f in zip(row, frow, strict=True)]
        for row, frow in zip(_rows(a), _rows(flags), strict=True)
    ]


def _factor(x: float) -> str:
    return "—" if math.isnan(x) else number(x, 3)


def _worst(expected: np.ndarray, got: np.ndarray, error: np.ndarray, off: np.ndarray) -> list[Entry]:
    order = np.argsort(-np.nan_to_num(error, nan=np.inf).ravel(), kind="stable")[:WORST]
    ratios = ratio(expected, got)
    entries = []
    for flat in order:
        index = np.unravel_index(int(flat), expected.shape)
        where = "[" + ", ".join(str(int(i)) for i in index) + "]"
        err = float(error[index])
        entries.append(
            Entry(
                where,
                number(expected[index]),
                number(got[index]),
                _factor(ratios[index]),
                Cell(number(err), bool(off[index])),
            )
        )
    return entries
