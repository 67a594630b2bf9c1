"""A grid of relative errors as heatmap geometry, so the wrong row or column jumps out.

Only numbers and colours are computed here; `templates/svg.html` draws them. An entry
within the check's tolerance is green; the others fall in buckets of relative error,
one decade each, with a top bucket "≥ 1" in a colour of its own (an entry off by 10 %
and one off by 100 % must not look alike). Large grids are pooled into blocks (each
block shows its worst entry) to keep the SVG small.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: Upper bounds of the buckets of relative error outside the tolerance; past the last is "≥ 1".
BOUNDS = (1e-4, 1e-3, 1e-2, 1e-1, 1.0)
#: One colour per bucket, amber to dark red, then a dark purple for "≥ 1".
BUCKET_COLOURS = ("#fee391", "#fec44f", "#fe9929", "#ec7014", "#b83c04", "#4a1a5c")
MATCH_COLOUR = "#cdebc5"
NOT_FINITE_COLOUR = "#1f2328"
#: What pooled cells hold for "every entry within tolerance" (below any relative error).
WITHIN = -1.0
MAX_CELLS = 48
WIDTH = 320
#: Room for the index labels and the axis title, left and above the cells.
MARGIN = 40


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
    #: What the axes count, e.g. "column of dW1" and "row"; no row title for a vector.
    column_title: str
    row_title: str | None


def colour(severity: float) -> str:
    """The fill for one entry: `WITHIN` (or any negative) is green; else its relative error's bucket."""
    severity = float(severity)
    if not math.isfinite(severity):
        return NOT_FINITE_COLOUR
    if severity < 0:
        return MATCH_COLOUR
    bucket = next((k for k, bound in enumerate(BOUNDS) if severity < bound), len(BOUNDS))
    return BUCKET_COLOURS[bucket]


def legend(tolerance: str) -> list[Swatch]:
    """The key under every heatmap: green is within `tolerance`, then the buckets, then not finite."""
    labels = [f"< {BOUNDS[0]:g}"]
    labels += [f"{low:g} – {high:g}" for low, high in zip(BOUNDS, BOUNDS[1:], strict=False)]
    labels.append(f"≥ {BOUNDS[-1]:g}")
    swatches = [Swatch(MATCH_COLOUR, f"within tolerance ({tolerance})")]
    swatches += [Swatch(c, text) for c, text in zip(BUCKET_COLOURS, labels, strict=True)]
    return swatches + [Swatch(NOT_FINITE_COLOUR, "NaN / inf")]


def severity(error: np.ndarray, within: np.ndarray) -> np.ndarray:
    """A cell's value: `WITHIN` for an entry within tolerance, else its relative error (inf: not finite)."""
    return np.where(within, WITHIN, np.where(np.isnan(error), np.inf, error))


def heatmap(grid: np.ndarray, name: str) -> Heatmap:
    """Cells for a 1-D or 2-D array of severities (see `severity`) of the array called `name`."""
    vector = grid.ndim == 1
    block = max(1, math.ceil(max(grid.shape) / MAX_CELLS))
    pooled = _pool(grid.reshape(1, -1) if vector else grid, block)
    rows, columns = pooled.shape
    size = max(8.0, min(32.0, WIDTH / columns))
    top = MARGIN if not vector else MARGIN - 14
    cells = [
        Rect(MARGIN + j * size, top + i * size, size, colour(pooled[i, j]), _tip(i, j, block, pooled, vector))
        for i in range(rows)
        for j in range(columns)
    ]
    return Heatmap(
        width=MARGIN + columns * size + 2,
        height=top + rows * size + 2,
        cells=cells,
        rows=[] if vector else _labels(rows, size, block, MARGIN),
        columns=_labels(columns, size, block, MARGIN),
        block=block,
        column_title=f"{'entry' if vector else 'column'} of {name} →",
        row_title=None if vector else "row ↓",
    )


def _labels(count: int, size: float, block: int, offset: float) -> list[Label]:
    """Index labels along one axis, at least 14 px apart."""
    every = max(1, math.ceil(14 / size))
    return [Label(offset + (k + 0.5) * size, str(k * block)) for k in range(0, count, every)]


def _pool(grid: np.ndarray, block: int) -> np.ndarray:
    """Each block × block tile replaced by its worst entry."""
    if block == 1:
        return grid
    rows = math.ceil(grid.shape[0] / block) * block
    columns = math.ceil(grid.shape[1] / block) * block
    padded = np.full((rows, columns), -np.inf)
    padded[: grid.shape[0], : grid.shape[1]] = grid
    return padded.reshape(rows // block, block, columns // block, block).max(axis=(1, 3))


def _tip(i: int, j: int, block: int, grid: np.ndarray, vector: bool) -> str:
    value = float(grid[i, j])
    if value < 0:
        error = "within tolerance"
    else:
        error = f"relative error {value:.3g}" if math.isfinite(value) else "not finite"
    if block == 1:
        return f"[{j}] {error}" if vector else f"[{i}, {j}] {error}"
    span = f"entries {j * block}–{(j + 1) * block - 1}"
    if not vector:
        span = f"rows {i * block}–{(i + 1) * block - 1}, columns {j * block}–{(j + 1) * block - 1}"
    return f"{span}: {'all ' if value < 0 else 'worst '}{error}"
