"""Small inline SVG charts for the PDF report: no JavaScript, drawn in Python, readable in print."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from typing import Any

from markupsafe import Markup

INK, MUTED, GRID, ACCENT = "#17202a", "#5d6d7e", "#d5dbe1", "#0b5394"
FONT = 'font-family="DejaVu Sans, sans-serif"'


def _text(x: float, y: float, s: str, *, size: float = 9, anchor: str = "middle", fill: str = MUTED,
          weight: str = "normal") -> str:
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" fill="{fill}" '
            f'font-weight="{weight}" {FONT}>{escape(s)}</text>')


def _ticks(value: float) -> tuple[int, int]:
    """A whole-number step (1, 2, 5 × 10ⁿ) giving at most five intervals, and the axis top."""
    top = max(1, math.ceil(value))
    exp = 0
    while True:
        for m in (1, 2, 5):
            step = m * 10**exp
            if math.ceil(top / step) <= 5:
                return step, step * math.ceil(top / step)
        exp += 1


def _frame(width: int, height: int, body: list[str], title: str) -> Markup:
    # Every piece of text in body went through _text() (escaped); the rest are numbers we formatted.
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">' + "".join(body) + "</svg>")


def _axis(left: float, top: float, plot_w: float, plot_h: float, step: int, top_value: int) -> list[str]:
    out = []
    for tick in range(0, top_value + 1, step):
        y = top + plot_h - plot_h * tick / top_value
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="{GRID}" '
                   'stroke-width="0.6"/>')
        out.append(_text(left - 4, y + 3, str(tick), anchor="end", size=8))
    return out


def bars(labels: Sequence[str], values: Sequence[int], *, title: str, width: int = 680, height: int = 190,
         color: str = ACCENT, label_every: int = 1) -> Markup:
    """Vertical bars with the value above each bar."""
    left, top, bottom = 34, 12, 30
    plot_w, plot_h = width - left - 8, height - top - bottom
    step, top_value = _ticks(max(values, default=0))
    body = _axis(left, top, plot_w, plot_h, step, top_value)
    slot = plot_w / max(1, len(values))
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        h = plot_h * value / top_value
        x = left + i * slot + slot * 0.15
        body.append(f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" '
                    f'fill="{color}"/>')
        if value and len(values) <= 31:
            body.append(_text(x + slot * 0.35, top + plot_h - h - 2, str(value), size=7, fill=INK))
        if i % label_every == 0:
            body.append(_text(x + slot * 0.35, height - bottom + 12, label, size=7.5))
    return _frame(width, height, body, title)


def line(labels: Sequence[str], values: Sequence[int], *, title: str, width: int = 680, height: int = 190,
         color: str = ACCENT) -> Markup:
    """A line with points, for a daily series; about eight x labels."""
    left, top, bottom = 34, 12, 30
    plot_w, plot_h = width - left - 8, height - top - bottom
    step, top_value = _ticks(max(values, default=0))
    body = _axis(left, top, plot_w, plot_h, step, top_value)
    n = len(values)
    dx = plot_w / max(1, n - 1)
    points = [(left + i * dx, top + plot_h - plot_h * v / top_value) for i, v in enumerate(values)]
    if points:
        body.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.6" points="'
                    + " ".join(f"{x:.1f},{y:.1f}" for x, y in points) + '"/>')
        body += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="1.6" fill="{color}"/>' for x, y in points]
    every = max(1, math.ceil(n / 8))
    body += [_text(points[i][0], height - bottom + 12, labels[i], size=7.5) for i in range(0, n, every)]
    return _frame(width, height, body, title)


def hbars(labels: Sequence[str], values: Sequence[int], *, title: str, width: int = 680, row: int = 17,
          color: str = ACCENT) -> Markup:
    """Horizontal bars with names on the left (incident types)."""
    left, right = 170, 36
    height = max(row * len(values), row) + 6
    top_value = max(values, default=0) or 1
    body = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 3 + i * row
        w = (width - left - right) * value / top_value
        name = label if len(label) <= 30 else label[:29] + "…"
        body.append(_text(left - 5, y + row * 0.68, name, anchor="end", size=8.5, fill=INK))
        body.append(f'<rect x="{left}" y="{y + 2}" width="{w:.1f}" height="{row - 5}" fill="{color}"/>')
        body.append(_text(left + w + 4, y + row * 0.68, str(value), anchor="start", size=8.5, fill=INK))
    return _frame(width, height, body, title)


def area_map(kecamatan: Sequence[dict[str, Any]], hexes: Sequence[dict[str, Any]], *, title: str,
             width: int = 680, height: int = 360) -> Markup:
    """Kecamatan as circles sized by their count, hotspot hexagons shaded by theirs (no base map)."""
    pts = [(k["lat"], k["lon"]) for k in kecamatan] + [tuple(p) for h in hexes for p in h["boundary"]]
    if not pts:
        return _frame(width, height, [_text(width / 2, height / 2, "—")], title)
    lat0 = sum(p[0] for p in pts) / len(pts)
    kx = math.cos(math.radians(lat0))
    min_x, max_x = min(p[1] for p in pts) * kx, max(p[1] for p in pts) * kx
    min_y, max_y = min(p[0] for p in pts), max(p[0] for p in pts)
    pad = 24
    scale = min((width - 2 * pad) / max(max_x - min_x, 1e-6), (height - 2 * pad) / max(max_y - min_y, 1e-6))

    def xy(lat: float, lon: float) -> tuple[float, float]:
        return pad + (lon * kx - min_x) * scale, height - pad - (lat - min_y) * scale

    body = [f'<rect x="0" y="0" width="{width}" height="{height}" fill="#eef3f7"/>']
    top_hex = max((h["count"] for h in hexes), default=1) or 1
    for h in hexes:
        shade = 0.2 + 0.7 * h["count"] / top_hex
        points = " ".join("{:.1f},{:.1f}".format(*xy(lat, lon)) for lat, lon in h["boundary"])
        body.append(f'<polygon points="{points}" fill="#c0392b" fill-opacity="{shade:.2f}" stroke="#922b21" '
                    'stroke-width="0.6"/>')
    top_kec = max((k["count"] for k in kecamatan), default=1) or 1
    for k in kecamatan:
        x, y = xy(k["lat"], k["lon"])
        r = 2 + 12 * math.sqrt(k["count"] / top_kec)
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" fill="{ACCENT}" fill-opacity="0.35" '
                    f'stroke="{ACCENT}" stroke-width="0.8"/>')
        if k["count"]:
            body.append(_text(x + r + 2, y + 3, f"{k['name']} {k['count']}", anchor="start", size=6.5, fill=INK))
    return _frame(width, height, body, title)
