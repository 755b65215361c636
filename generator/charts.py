"""Geometry of the pictures drawn at build time (part of the generate stage): bar charts
of the statistics page and the tile map of the regions. Numbers only, no markup: the SVG
is written by the templates of ``theme/pages/`` (``barres.html.j2``, ``carte.html.j2``).
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass
from typing import Sequence

from .model import Term

# Light to dark; the text on a tile switches to white from DARK_FROM on (contrast ≥ 4.5:1).
PALETTE = ("#f3f4fb", "#c5cae9", "#9fa8da", "#5c6bc0", "#3949ab", "#1a237e")
DARK_FROM = 3


@dataclass(frozen=True)
class Bar:
    lines: tuple[str, ...]  # the label, wrapped
    value: int
    y: float  # top of the bar's row
    width: float

    @property
    def bar_y(self) -> float:
        """Top of the bar, under the label's last line."""
        return self.y + LINE * (len(self.lines) - 1) + 21


@dataclass(frozen=True)
class BarChart:
    id: str
    title: str
    bars: tuple[Bar, ...]
    width: int
    height: int

    @property
    def line(self) -> int:
        """Height of each further line of a wrapped label."""
        return LINE


ROW, VALUE_SPACE = 44, 44  # height of a row (label line + bar); room left for the value
LINE = 18  # height of each further line of a wrapped label
# Labels are 15 units high and the chart 400 wide, shown at most 400 px wide (cmq.css): on a
# phone it shrinks less than a wider one would, and its labels stay about 13 px. A longer label
# is wrapped at this many characters (a line of the chart).
WIDTH, LABEL_CHARS = 400, 44


def bar_chart(id: str, title: str, items: Sequence[tuple[str, int]], width: int = WIDTH) -> BarChart:
    """Horizontal bars, one row each: the label above its bar (wrapped if long), the value at the bar's end."""
    top = max((value for _, value in items), default=0) or 1
    area = width - VALUE_SPACE
    bars, y = [], 0
    for label, value in items:
        lines = tuple(textwrap.wrap(str(label), LABEL_CHARS, break_on_hyphens=False)) or ("",)
        bars.append(Bar(lines, value, y, round(area * value / top, 1)))
        y += ROW + LINE * (len(lines) - 1)
    return BarChart(id, title, tuple(bars), width, max(ROW, y))


@dataclass(frozen=True)
class Tile:
    term: Term
    x: int
    y: int
    campuses: int
    practices: int
    shade: int  # index in PALETTE

    @property
    def fill(self) -> str:
        return PALETTE[self.shade]

    @property
    def dark(self) -> bool:
        return self.shade >= DARK_FROM


@dataclass(frozen=True)
class LegendItem:
    label: str
    fill: str


@dataclass(frozen=True)
class TileMap:
    tiles: tuple[Tile, ...]
    legend: tuple[LegendItem, ...]
    width: int
    height: int
    size: int  # side of a tile
    overseas_y: int | None  # top of the overseas row, for its caption


TILE, GAP = 96, 8
OVERSEAS_ROW = 5  # rows from this one on are the overseas regions


def classes(values: Sequence[int]) -> list[tuple[int, int]]:
    """Up to five ranges (low, high) of positive counts, from the data (0 is its own class)."""
    top = max(values, default=0)
    if top <= 0:
        return []
    steps = min(5, top)
    bounds = [round(top * k / steps) for k in range(steps + 1)]
    ranges, low = [], 1
    for high in bounds[1:]:
        if high >= low:
            ranges.append((low, high))
            low = high + 1
    return ranges


def tile_map(regions: Sequence[Term], campuses: dict[str, int], practices: dict[str, int]) -> TileMap:
    """A schematic map: each region a square at its (column, row) of regions.yml, shaded by
    its number of campuses. Regions without a place on the map are left to the table."""
    placed = [t for t in regions if t.carte]
    ranges = classes([campuses.get(t.id, 0) for t in placed])

    def shade(count: int) -> int:
        return next((i + 1 for i, (low, high) in enumerate(ranges) if low <= count <= high), 0)

    tiles = tuple(Tile(t, t.carte[0] * (TILE + GAP), t.carte[1] * (TILE + GAP), campuses.get(t.id, 0),
                       practices.get(t.id, 0), shade(campuses.get(t.id, 0)))
                  for t in placed if t.carte is not None)  # (placed: for the type checker)
    width = max((t.x for t in tiles), default=0) + TILE
    height = max((t.y for t in tiles), default=0) + TILE
    legend = (LegendItem("aucun campus", PALETTE[0]),) + tuple(
        LegendItem(f"{low} campus" if low == high else f"{low} à {high} campus", PALETTE[i + 1])
        for i, (low, high) in enumerate(ranges))
    overseas = [t.y for t in tiles if t.y >= OVERSEAS_ROW * (TILE + GAP)]
    return TileMap(tiles, legend, width, height, TILE, min(overseas) if overseas else None)
