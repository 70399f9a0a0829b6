"""Bar charts drawn server-side as SVG geometry (the template draws rects and text; no JavaScript)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bar:
    label: str
    value: int
    x: float
    y: float
    width: float
    height: float


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    max_value: int


def column_chart(
    items: list[tuple[str, int]], *, width: int = 720, height: int = 220, pad: int = 28
) -> Chart:
    """Vertical bars, e.g. requests per week."""
    top = max([v for _, v in items] + [1])
    slot = (width - 2 * pad) / max(1, len(items))
    inner = height - 2 * pad
    bars = []
    for i, (label, value) in enumerate(items):
        h = inner * value / top
        bars.append(Bar(label, value, pad + i * slot + slot * 0.15, pad + inner - h, slot * 0.7, h))
    return Chart(width, height, bars, top)


def row_chart(
    items: list[tuple[str, int]], *, width: int = 720, row: int = 26, label_width: int = 200
) -> Chart:
    """Horizontal bars, e.g. requests by domain or the status funnel."""
    top = max([v for _, v in items] + [1])
    span = width - label_width - 60
    bars = [
        Bar(label, value, label_width, i * row + 4, max(1.0, span * value / top) if value else 0, row - 8)
        for i, (label, value) in enumerate(items)
    ]
    return Chart(width, max(row, row * len(items) + 8), bars, top)
