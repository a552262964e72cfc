"""Tiny server-rendered SVG charts: stacked bars per day, and horizontal stacked bars, for the
console's dashboard and the complaint report. Labels are escaped (platform and category names
come from config and data); colours come from here, as attributes (no inline style, which the
console's Content-Security-Policy forbids)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup, escape

# Tableau 10: distinguishable, and calm enough that the level colours keep their meaning.
PALETTE = ("#4e79a7", "#f28e2b", "#59a14f", "#b07aa1", "#76b7b2", "#edc948", "#9c755f",
           "#ff9da7", "#e15759", "#bab0ac")
MET, MISSED, PENDING = "#16a34a", "#dc2626", "#cbd5e1"


@dataclass(frozen=True)
class Series:
    label: str
    values: Sequence[int]
    colour: str


@dataclass(frozen=True)
class Segment:
    value: float
    colour: str
    title: str  # the tooltip


def nice_ceiling(value: float) -> int:
    """The smallest 1, 2 or 5 times a power of ten at or above `value` (at least 1)."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if step * factor >= value:
                return step * factor
        step *= 10


def _svg(width: int, height: int, body: list[str], label: str) -> Markup:
    return Markup(f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
                  f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
                  + "".join(body) + "</svg>")


def stacked_days(days: Sequence[date], series: Sequence[Series], label: str, empty: str,
                 width: int = 760, height: int = 220) -> Markup:
    """One bar per day, each series stacked in order; a tooltip on every segment."""
    left, right, top, bottom = 34, 6, 8, 22
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(s.values[i] for s in series) for i in range(len(days))]
    ceiling = nice_ceiling(max(totals, default=0))
    body = _grid(ceiling, left, top, plot_w, plot_h)
    slot = plot_w / max(len(days), 1)
    for i, day in enumerate(days):
        x, base = left + i * slot + slot * 0.15, float(top + plot_h)
        for s in series:
            if s.values[i]:
                h = s.values[i] / ceiling * plot_h
                base -= h
                body.append(f'<rect x="{x:.1f}" y="{base:.1f}" width="{slot * 0.7:.1f}" '
                            f'height="{h:.1f}" fill="{s.colour}"><title>{day:%m-%d} '
                            f'{escape(s.label)}: {s.values[i]}</title></rect>')
        if (len(days) - 1 - i) % 7 == 0:
            body.append(f'<text class="axis" x="{x + slot * 0.35:.1f}" y="{height - 6}" '
                        f'text-anchor="middle">{day:%m-%d}</text>')
    if not any(totals):
        body.append(f'<text class="empty" x="{left + plot_w / 2:.0f}" y="{top + plot_h / 2:.0f}" '
                    f'text-anchor="middle">{escape(empty)}</text>')
    return _svg(width, height, body, label)


def _grid(ceiling: int, left: int, top: int, plot_w: int, plot_h: int) -> list[str]:
    lines = []
    for step in range(5):
        value = ceiling * step / 4
        y = top + plot_h - step / 4 * plot_h
        shown = f"{value:g}" if value == int(value) or ceiling < 4 else ""
        lines.append(f'<line class="grid" x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" '
                     f'y2="{y:.1f}"/><text class="axis" x="{left - 5}" y="{y + 4:.1f}" '
                     f'text-anchor="end">{shown}</text>')
    return lines


def hbars(rows: Sequence[tuple[str, Sequence[Segment], str]], label: str, scale: float,
          marker: float | None = None, width: int = 560, row_h: int = 30) -> Markup:
    """One horizontal bar per row (label, segments, text at its end); `scale` is the value of a
    full-width bar; `marker` draws a dashed line at that value (a threshold)."""
    left, right = 96, 130
    plot_w = width - left - right
    height = row_h * max(len(rows), 1) + 8
    body: list[str] = []
    for i, (name, segments, note) in enumerate(rows):
        y, x = 4 + i * row_h, float(left)
        body.append(f'<text class="label" x="{left - 8}" y="{y + row_h / 2 + 4:.0f}" '
                    f'text-anchor="end">{escape(name)}</text>')
        body.append(f'<rect class="track" x="{left}" y="{y + 6}" width="{plot_w}" '
                    f'height="{row_h - 12}" rx="3"/>')
        for segment in segments:
            w = segment.value / scale * plot_w if scale else 0
            if w > 0:
                body.append(f'<rect x="{x:.1f}" y="{y + 6}" width="{w:.1f}" height="{row_h - 12}"'
                            f' fill="{segment.colour}"><title>{escape(segment.title)}</title>'
                            '</rect>')
            x += w
        body.append(f'<text class="value" x="{left + plot_w + 8}" y="{y + row_h / 2 + 4:.0f}">'
                    f'{escape(note)}</text>')
    if marker is not None and scale:
        mx = left + marker / scale * plot_w
        body.append(f'<line class="marker" x1="{mx:.1f}" x2="{mx:.1f}" y1="0" y2="{height}"/>')
    return _svg(width, height, body, label)


def swatch(colour: str) -> Markup:
    """A legend's colour square (an SVG, since the CSP allows no inline styles)."""
    return Markup(f'<svg class="swatch" viewBox="0 0 10 10" aria-hidden="true">'
                  f'<rect width="10" height="10" rx="2" fill="{escape(colour)}"/></svg>')
