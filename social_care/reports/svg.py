"""Tiny inline-SVG charts for the HTML report: no JavaScript, no external assets, print-friendly."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

__all__ = ["CHANNEL_COLORS", "SENTIMENT_COLORS", "columns", "hbars", "share_bar", "stacked_columns"]

CHANNEL_COLORS = {
    "x.mention": "#1d4ed8",
    "x.dm": "#60a5fa",
    "facebook.comment": "#15803d",
    "facebook.messenger": "#86efac",
    "instagram.comment": "#be185d",
    "instagram.dm": "#f9a8d4",
    "x.search": "#a5b4fc",
}
SENTIMENT_COLORS = {"negative": "#dc2626", "neutral": "#9ca3af", "positive": "#16a34a", "unscored": "#e5e7eb"}
FONT = 'font-family="system-ui, sans-serif" font-size="11" fill="#374151"'


def _svg(width: int, height: int, body: str, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(title)}"><title>{escape(title)}</title>{body}</svg>'
    )


def stacked_columns(
    labels: Sequence[str],
    series: dict[str, Sequence[int]],
    colors: dict[str, str],
    *,
    title: str,
    width: int = 560,
    height: int = 200,
) -> str:
    """One column per label, stacked by series (e.g. posts per day by channel)."""
    n = max(len(labels), 1)
    totals = [sum(s[i] for s in series.values()) for i in range(len(labels))]
    top = max(totals + [1])
    plot_h, base_y, slot = height - 40, height - 22, (width - 20) / n
    bar_w = slot * 0.6
    parts = []
    for i, label in enumerate(labels):
        x = 10 + i * slot + (slot - bar_w) / 2
        y: float = base_y
        for name, values in series.items():
            h = plot_h * values[i] / top
            if h > 0:
                y -= h
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" '
                    f'fill="{colors.get(name, "#6b7280")}"><title>{escape(name)}: {values[i]}</title></rect>'
                )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{height - 8}" text-anchor="middle" {FONT}>{escape(label)}</text>'
        )
        parts.append(
            f'<text x="{x + bar_w / 2:.1f}" y="{y - 4:.1f}" text-anchor="middle" {FONT}>{totals[i]}</text>'
        )
    parts.append(f'<line x1="8" y1="{base_y}" x2="{width - 8}" y2="{base_y}" stroke="#d1d5db"/>')
    return _svg(width, height, "".join(parts), title)


def columns(
    labels: Sequence[str],
    values: Sequence[int],
    *,
    title: str,
    highlight: Sequence[int] = (),
    width: int = 560,
    height: int = 150,
    color: str = "#6366f1",
) -> str:
    """Plain columns (e.g. posts per hour of day); ``highlight`` indexes are drawn darker."""
    n = max(len(labels), 1)
    top = max(list(values) + [1])
    plot_h, base_y, slot = height - 36, height - 20, (width - 20) / n
    bar_w = slot * 0.7
    parts = []
    for i, label in enumerate(labels):
        x = 10 + i * slot + (slot - bar_w) / 2
        h = plot_h * values[i] / top
        fill = "#312e81" if i in highlight else color
        parts.append(
            f'<rect x="{x:.1f}" y="{base_y - h:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{fill}">'
            f"<title>{escape(label)}: {values[i]}</title></rect>"
        )
        if values[i]:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{base_y - h - 3:.1f}" text-anchor="middle" '
                f"{FONT}>{values[i]}</text>"
            )
        if i % 3 == 0 or n <= 12:
            parts.append(
                f'<text x="{x + bar_w / 2:.1f}" y="{height - 6}" text-anchor="middle" {FONT}>{escape(label)}</text>'
            )
    parts.append(f'<line x1="8" y1="{base_y}" x2="{width - 8}" y2="{base_y}" stroke="#d1d5db"/>')
    return _svg(width, height, "".join(parts), title)


def hbars(
    items: Sequence[tuple[str, float]],
    *,
    title: str,
    width: int = 560,
    unit: str = "",
    color: str = "#0ea5e9",
    colors: dict[str, str] | None = None,
) -> str:
    """Horizontal bars with labels on the left and values on the right."""
    row = 22
    height = max(row * len(items) + 8, 30)
    top = max([v for _, v in items] + [1])
    label_w, value_w = 150, 70
    span = width - label_w - value_w
    parts = []
    for i, (label, value) in enumerate(items):
        y = 4 + i * row
        w = span * value / top if top else 0
        fill = (colors or {}).get(label, color)
        parts.append(f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end" {FONT}>{escape(label)}</text>')
        parts.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{max(w, 0):.1f}" height="{row - 8}" fill="{fill}"/>'
        )
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 14}" {FONT}>{value:g}{escape(unit)}</text>')
    if not items:
        parts.append(f'<text x="8" y="18" {FONT}>no data</text>')
    return _svg(width, height, "".join(parts), title)


def share_bar(
    parts_: Sequence[tuple[str, int]], colors: dict[str, str], *, title: str, width: int = 560
) -> str:
    """One 100 % bar split by share (e.g. the sentiment mix), with a legend under it."""
    total = sum(v for _, v in parts_) or 1
    x = 0.0
    parts = []
    for name, value in parts_:
        w = (width - 2) * value / total
        if w > 0:
            parts.append(
                f'<rect x="{x + 1:.1f}" y="2" width="{w:.1f}" height="26" fill="{colors.get(name, "#999")}">'
                f"<title>{escape(name)}: {value}</title></rect>"
            )
            if w > 40:
                parts.append(
                    f'<text x="{x + 1 + w / 2:.1f}" y="19" text-anchor="middle" font-family="system-ui, '
                    f'sans-serif" font-size="11" fill="#fff">{round(100 * value / total)}%</text>'
                )
        x += w
    lx = 1
    for name, value in parts_:
        parts.append(f'<rect x="{lx}" y="38" width="10" height="10" fill="{colors.get(name, "#999")}"/>')
        parts.append(f'<text x="{lx + 14}" y="47" {FONT}>{escape(name)} ({value})</text>')
        lx += 24 + 7 * len(f"{name} ({value})")
    return _svg(width, 54, "".join(parts), title)
