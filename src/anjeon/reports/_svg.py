"""Hand-built charts: inline SVG interval strips and a scatter plot, colours for the
heatmap. No script and no library: the charts are plain markup, print well, need no
network, and their numbers sit next to them as text (see docs/reports.md)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

# YlOrRd (ColorBrewer, colour-blind safe, prints in grey): the heatmap's sequential scale
_STOPS = ((255, 255, 229), (254, 227, 145), (254, 153, 41), (217, 72, 1), (140, 45, 4))


def heat(rate: float | None) -> tuple[str, str]:
    """(background, text colour) for a rate; a square-root scale so that the small rates
    that matter most are told apart."""
    if rate is None:
        return "#e5e7eb", "#374151"
    x = math.sqrt(max(0.0, min(1.0, rate))) * (len(_STOPS) - 1)
    i = min(int(x), len(_STOPS) - 2)
    f = x - i
    rgb = [round(a + (b - a) * f) for a, b in zip(_STOPS[i], _STOPS[i + 1], strict=True)]
    lum = 0.2126 * rgb[0] + 0.7152 * rgb[1] + 0.0722 * rgb[2]
    return "#{:02x}{:02x}{:02x}".format(*rgb), "#111827" if lum > 140 else "#ffffff"


def legend() -> Markup:
    stops = "".join(
        f'<stop offset="{math.sqrt(v):.3f}" stop-color="{heat(v)[0]}"/>'
        for v in (0, 0.01, 0.05, 0.1, 0.25, 0.5, 0.75, 1)
    )
    ticks = "".join(
        f'<line x1="{10 + 280 * math.sqrt(v):.1f}" x2="{10 + 280 * math.sqrt(v):.1f}" y1="4" '
        f'y2="22" stroke="#374151"/><text x="{10 + 280 * math.sqrt(v):.1f}" y="36" '
        f'text-anchor="middle">{round(100 * v)}%</text>'
        for v in (0, 0.05, 0.25, 0.5, 1)
    )
    return Markup(
        '<svg class="legend" viewBox="0 0 300 42" width="300" height="42" role="img" '
        'aria-label="colour scale 0% to 100%"><defs><linearGradient id="heatgrad">'
        f'{stops}</linearGradient></defs><rect x="10" y="6" width="280" height="14" '
        f'fill="url(#heatgrad)" stroke="#9ca3af"/>{ticks}</svg>'
    )


_STEPS = (0.02, 0.05, 0.1, 0.2, 0.25, 0.5)


def _nice(m: float) -> tuple[float, float]:
    """(bound, tick step): the bound a multiple of the step, at most 5 steps to it."""
    m = max(0.02, min(1.0, m))
    step = next(s for s in _STEPS if m / s <= 5 + 1e-9) if m <= 2.5 else 0.5
    return min(1.0, math.ceil(m / step - 1e-9) * step), step


@dataclass(frozen=True)
class Axis:
    """A shared horizontal scale for the interval strips of one table."""

    lo: float
    hi: float
    step: float
    width: int = 260
    pad: int = 16

    def x(self, v: float) -> float:
        v = max(self.lo, min(self.hi, v))
        return self.pad + (self.width - 2 * self.pad) * (v - self.lo) / (self.hi - self.lo)

    @classmethod
    def symmetric(cls, values: Sequence[float | None]) -> Axis:
        bound, step = _nice(max([abs(v) for v in values if v is not None] + [0.05]))
        return cls(-bound, bound, step)

    @classmethod
    def rate(cls, values: Sequence[float | None]) -> Axis:
        bound, step = _nice(max([v for v in values if v is not None] + [0.05]))
        return cls(0.0, bound, step)

    def ticks(self) -> list[float]:
        n = round((self.hi - self.lo) / self.step)
        return [round(self.lo + i * self.step, 6) for i in range(n + 1)]


def strip(axis: Axis, value: float | None, lo: float | None, hi: float | None) -> Markup:
    """One row's point estimate and interval on the axis (zero marked)."""
    w = axis.width
    parts = [f'<svg class="strip" viewBox="0 0 {w} 20" width="{w}" height="20" aria-hidden="true">']
    for t in axis.ticks():
        cls = "zero" if t == 0 else "grid"
        parts.append(
            f'<line class="{cls}" x1="{axis.x(t):.1f}" x2="{axis.x(t):.1f}" y1="0" y2="20"/>'
        )
    if value is not None and lo is not None and hi is not None:
        parts.append(
            f'<line class="ci" x1="{axis.x(lo):.1f}" x2="{axis.x(hi):.1f}" y1="10" y2="10"/>'
            f'<circle class="pt" cx="{axis.x(value):.1f}" cy="10" r="4"/>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def scale(axis: Axis, signed: bool) -> Markup:
    """The tick labels above a column of strips."""
    w = axis.width
    parts = [f'<svg class="strip" viewBox="0 0 {w} 16" width="{w}" height="16" aria-hidden="true">']
    ticks = axis.ticks()
    every = 2 if len(ticks) > 6 else 1  # room for about six labels
    for i, t in enumerate(ticks):
        if (i - ticks.index(min(ticks, key=abs))) % every:
            continue
        label = f"{100 * t:+.0f}" if signed and t else f"{100 * t:.0f}"
        parts.append(f'<text x="{axis.x(t):.1f}" y="12" text-anchor="middle">{label}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class Point:
    label: str
    x: float | None
    x_lo: float | None
    x_hi: float | None
    y: float | None
    y_lo: float | None
    y_hi: float | None
    main: bool


def scatter(points: Sequence[Point], x_title: Markup, y_title: Markup) -> Markup:
    """Over-refusal (x) against violation (y), both 0–100 %, with interval crosses."""
    w, h, m = 520, 360, 56
    pw, ph = w - m - 16, h - m - 16

    def px(v: float) -> float:
        return m + pw * v

    def py(v: float) -> float:
        return 16 + ph * (1 - v)

    out = [f'<svg class="scatter" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img">']
    for v in (0, 0.25, 0.5, 0.75, 1):
        out.append(
            f'<line class="grid" x1="{px(v):.1f}" x2="{px(v):.1f}" y1="16" y2="{py(0):.1f}"/>'
            f'<line class="grid" x1="{m}" x2="{px(1):.1f}" y1="{py(v):.1f}" y2="{py(v):.1f}"/>'
            f'<text x="{px(v):.1f}" y="{py(0) + 16:.1f}" text-anchor="middle">'
            f"{round(100 * v)}%</text>"
            f'<text x="{m - 6}" y="{py(v) + 4:.1f}" text-anchor="end">{round(100 * v)}%</text>'
        )
    out.append(
        f'<text class="axis-title" x="{m + pw / 2:.1f}" y="{h - 6}" text-anchor="middle">'
        f"{x_title}</text>"
        f'<text class="axis-title" transform="translate(14 {16 + ph / 2:.1f}) rotate(-90)" '
        f'text-anchor="middle">{y_title}</text>'
    )
    placed: list[tuple[float, float]] = []  # label (x, y) already drawn
    for p in sorted(points, key=lambda p: -(p.y or 0)):
        if p.x is None or p.y is None:
            continue
        cls = "main" if p.main else "ref"
        if p.x_lo is not None and p.x_hi is not None:
            out.append(
                f'<line class="ci {cls}" x1="{px(p.x_lo):.1f}" x2="{px(p.x_hi):.1f}" '
                f'y1="{py(p.y):.1f}" y2="{py(p.y):.1f}"/>'
            )
        if p.y_lo is not None and p.y_hi is not None:
            out.append(
                f'<line class="ci {cls}" x1="{px(p.x):.1f}" x2="{px(p.x):.1f}" '
                f'y1="{py(p.y_lo):.1f}" y2="{py(p.y_hi):.1f}"/>'
            )
        anchor = "end" if p.x > 0.6 else "start"
        dx = -8 if anchor == "end" else 8
        ly = py(p.y) - 7
        while any(abs(ly - y) < 13 and abs(px(p.x) - x) < 160 for x, y in placed):
            ly += 13  # nudge down past the labels it would overlap
        placed.append((px(p.x), ly))
        out.append(
            f'<circle class="pt {cls}" cx="{px(p.x):.1f}" cy="{py(p.y):.1f}" r="5">'
            f"<title>{escape(p.label)}</title></circle>"
            f'<text class="pt-label {cls}" x="{px(p.x) + dx:.1f}" y="{ly:.1f}" '
            f'text-anchor="{anchor}">{escape(p.label)}</text>'
        )
    out.append("</svg>")
    return Markup("".join(out))
