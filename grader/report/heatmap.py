"""A grid of relative errors as heatmap geometry, so the wrong row or column jumps out.

Only numbers and colours are computed here; `templates/svg.html` draws them. Large
grids are pooled into blocks (each block shows its worst entry) to keep the SVG small.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: Relative errors up to this are drawn as matching (the default rtol).
MATCH = 1e-5
#: Relative errors from this up are drawn in the darkest red.
WORST = 1.0
#: Colours from just above MATCH to WORST, interpolated on a log scale.
STOPS = ((0xFE, 0xE3, 0x91), (0xFE, 0x99, 0x29), (0xD9, 0x48, 0x01), (0x8C, 0x0D, 0x04))
MATCH_COLOUR = "#dcefd8"
NOT_FINITE_COLOUR = "#2b2b2b"
MAX_CELLS = 48
WIDTH = 320
LABEL = 26


@dataclass(frozen=True)
class Rect:
    x: float
    y: float
    size: float
    colour: str
    tip: str


@dataclass(frozen=True)
class Label:
    at: float
    text: str


@dataclass(frozen=True)
class Swatch:
    colour: str
    text: str


@dataclass(frozen=True)
class Heatmap:
    width: float
    height: float
    cells: list[Rect]
    rows: list[Label]
    columns: list[Label]
    #: Rows and columns per cell when the grid was pooled (1 otherwise).
    block: int


def colour(error: float) -> str:
    """The fill for one relative error: pale green when it matches, amber to dark red above."""
    error = float(error)
    if not math.isfinite(error):
        return NOT_FINITE_COLOUR
    if error <= MATCH:
        return MATCH_COLOUR
    t = (math.log10(min(error, WORST)) - math.log10(MATCH)) / (math.log10(WORST) - math.log10(MATCH))
    position = t * (len(STOPS) - 1)
    low = min(int(position), len(STOPS) - 2)
    mix = position - low
    rgb = (round(a + (b - a) * mix) for a, b in zip(STOPS[low], STOPS[low + 1], strict=True))
    return "#" + "".join(f"{c:02x}" for c in rgb)


def legend() -> list[Swatch]:
    steps = [Swatch(MATCH_COLOUR, f"≤ {MATCH:g}")]
    steps += [Swatch(colour(10.0**k), f"{10.0**k:g}") for k in range(-4, 1)]
    return steps + [Swatch(NOT_FINITE_COLOUR, "NaN / inf")]


def heatmap(error: np.ndarray) -> Heatmap:
    """Cells for a 1-D or 2-D array of relative errors (inf or NaN where a value is not finite)."""
    vector = error.ndim == 1
    block = max(1, math.ceil(max(error.shape) / MAX_CELLS))
    grid = _pool(error.reshape(1, -1) if vector else error, block)
    rows, columns = grid.shape
    size = max(8.0, min(32.0, WIDTH / columns))
    cells = [
        Rect(LABEL + j * size, LABEL + i * size, size, colour(grid[i, j]), _tip(i, j, block, grid, vector))
        for i in range(rows)
        for j in range(columns)
    ]
    return Heatmap(
        width=LABEL + columns * size + 2,
        height=LABEL + rows * size + 2,
        cells=cells,
        rows=[] if vector else _labels(rows, size, block),
        columns=_labels(columns, size, block),
        block=block,
    )


def _labels(count: int, size: float, block: int) -> list[Label]:
    """Index labels along one axis, at least 14 px apart."""
    every = max(1, math.ceil(14 / size))
    return [Label(LABEL + (k + 0.5) * size, str(k * block)) for k in range(0, count, every)]


def _pool(error: np.ndarray, block: int) -> np.ndarray:
    """Each block × block tile replaced by its worst error (non-finite counts as worst)."""
    if block == 1:
        return error
    worst = np.where(np.isfinite(error), error, np.inf)
    rows = math.ceil(error.shape[0] / block) * block
    columns = math.ceil(error.shape[1] / block) * block
    padded = np.full((rows, columns), -np.inf)
    padded[: error.shape[0], : error.shape[1]] = worst
    return padded.reshape(rows // block, block, columns // block, block).max(axis=(1, 3))


def _tip(i: int, j: int, block: int, grid: np.ndarray, vector: bool) -> str:
    value = float(grid[i, j])
    error = f"relative error {value:.3g}" if math.isfinite(value) else "not finite"
    if block == 1:
        return f"[{j}] {error}" if vector else f"[{i}, {j}] {error}"
    span = f"entries {j * block}–{(j + 1) * block - 1}"
    if not vector:
        span = f"rows {i * block}–{(i + 1) * block - 1}, columns {j * block}–{(j + 1) * block - 1}"
    return f"{span}: worst {error}"
