"""Inline SVG charts drawn on the server: no JavaScript, no library, print as they show.

Pure Python: functions return SVG markup as text, every label escaped. The views mark it
safe. Colours come from CSS classes (see reports.css), so print and screen can differ.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from html import escape


def _scale(values: Sequence[Decimal | None]) -> tuple[Decimal, Decimal]:
    present = [value for value in values if value is not None]
    if not present:
        return Decimal(0), Decimal(1)
    low = min(min(present), Decimal(0))
    high = max(max(present), Decimal(0))
    if high == low:
        high = low + 1
    return low, high


def sparkline(
    values: Sequence[Decimal | None],
    previous: Sequence[Decimal | None] = (),
    *,
    width: int = 120,
    height: int = 32,
    label: str = "",
) -> str:
    """A small line chart of the months (this year solid, last year dashed)."""
    if not any(value is not None for value in values):
        return ""
    low, high = _scale([*values, *previous])
    count = max(len(values), len(previous), 2)

    def points(series: Sequence[Decimal | None]) -> str:
        coordinates = []
        for index, value in enumerate(series):
            if value is None:
                continue
            x = Decimal(index) * (width - 4) / (count - 1) + 2
            y = (high - value) * (height - 4) / (high - low) + 2
            coordinates.append(f"{float(x):.1f},{float(y):.1f}")
        return " ".join(coordinates)

    zero = float((high - 0) * (height - 4) / (high - low) + 2)
    parts = [
        f'<svg class="sparkline" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{escape(label)}">',
        f'<line class="axis" x1="0" x2="{width}" y1="{zero:.1f}" y2="{zero:.1f}"/>',
    ]
    if previous and any(value is not None for value in previous):
        parts.append(f'<polyline class="previous" points="{points(previous)}"/>')
    parts.append(f'<polyline class="current" points="{points(values)}"/>')
    parts.append("</svg>")
    return "".join(parts)


def bar_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, str, Sequence[Decimal | None]]],
    *,
    width: int = 720,
    height: int = 240,
    title: str = "",
    format_value: object = None,
) -> str:
    """Grouped bars per month: `series` is (css class, legend, values) per series."""
    values = [value for _css, _name, data in series for value in data]
    low, high = _scale(values)
    left, right, top, bottom = 8, 8, 24, 22
    plot_height = height - top - bottom
    count = max(len(labels), 1)
    slot = (width - left - right) / count
    bar = slot * 0.8 / max(len(series), 1)

    def y(value: Decimal) -> float:
        return top + float((high - value) / (high - low)) * plot_height

    zero = y(Decimal(0))
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" preserveAspectRatio="xMidYMid meet">',
        f"<title>{escape(title)}</title>",
    ]
    for index, (css, name, _data) in enumerate(series):
        x = left + index * 150
        parts.append(
            f'<rect class="{escape(css)}" x="{x}" y="4" width="10" height="10"/>'
            f'<text class="legend" x="{x + 14}" y="13">{escape(name)}</text>'
        )
    for index, label in enumerate(labels):
        x0 = left + index * slot + slot * 0.1
        for position, (css, name, data) in enumerate(series):
            value = data[index] if index < len(data) else None
            if value is None:
                continue
            top_y = min(y(value), zero)
            bar_height = max(abs(y(value) - zero), 0.5)
            parts.append(
                f'<rect class="{escape(css)}" x="{x0 + position * bar:.1f}" y="{top_y:.1f}" '
                f'width="{bar * 0.9:.1f}" height="{bar_height:.1f}">'
                f"<title>{escape(label)} {escape(name)}: {escape(_plain(value, format_value))}"
                "</title></rect>"
            )
        parts.append(
            f'<text class="tick" x="{left + index * slot + slot / 2:.1f}" y="{height - 6}" '
            f'text-anchor="middle">{escape(label)}</text>'
        )
    parts.append(
        f'<line class="axis" x1="{left}" x2="{width - right}" y1="{zero:.1f}" y2="{zero:.1f}"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _plain(value: Decimal, format_value: object) -> str:
    if callable(format_value):
        return str(format_value(value))
    return str(value)
