"""Small server-rendered SVG charts: readable, labelled, no JavaScript and no CDN.

Each function returns SVG markup (marked safe: every text in it is escaped here) with a
``role="img"``, a title and a description for screen readers.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from metrics.scoring import Score

PROMOTER, PASSIVE, DETRACTOR = "#1a7f37", "#9a9a9a", "#c62828"
LINE = "#2456a6"


def nps_bar(score: Score, *, width: int = 480) -> SafeString:
    """Promoters / passives / detractors as one stacked bar with the shares written in."""
    parts = [
        ("Promoters", score.parts["promoters_share"], PROMOTER),
        ("Passives", score.parts["passives_share"], PASSIVE),
        ("Detractors", score.parts["detractors_share"], DETRACTOR),
    ]
    label = ", ".join(f"{name} {share:g}%" for name, share, _ in parts)
    x = 0.0
    pieces = []
    for name, share, colour in parts:
        w = width * share / 100
        if w <= 0:
            continue
        pieces.append(
            f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="28" fill="{colour}">'
            f"<title>{name}: {share:g}%</title></rect>"
        )
        if w > 60:
            pieces.append(
                f'<text x="{x + 6:.1f}" y="19" fill="#fff" font-size="13">'
                f"{name[0]} {share:g}%</text>"
            )
        x += w
    return mark_safe(  # noqa: S308 - numbers and fixed names only
        f'<svg class="chart" viewBox="0 0 {width} 28" width="100%" role="img" '
        f'aria-label="NPS mix: {escape(label)}"><title>NPS mix</title>'
        f"<desc>{escape(label)}</desc>{''.join(pieces)}</svg>"
    )


def trend_line(
    points: list[tuple[str, Score]], *, title: str, low: float, high: float, width: int = 560
) -> SafeString:
    """A score over periods with its 95 % interval as whiskers; the axis spans low–high."""
    height, left, right, top, bottom = 200, 44, 12, 12, 36
    if not points:
        return mark_safe("")
    plot_w, plot_h = width - left - right, height - top - bottom

    def y(value: float) -> float:
        clipped = min(max(value, low), high)
        return top + plot_h * (high - clipped) / (high - low)

    step = plot_w / max(1, len(points) - 1) if len(points) > 1 else 0
    xs = [left + (i * step if len(points) > 1 else plot_w / 2) for i in range(len(points))]
    grid = []
    for tick in _ticks(low, high):
        grid.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" '
            f'stroke="#e3e3e3"/><text x="{left - 6}" y="{y(tick) + 4:.1f}" font-size="11" '
            f'text-anchor="end">{tick:g}</text>'
        )
    marks = []
    for index, (x, (name, score)) in enumerate(zip(xs, points, strict=True)):
        anchor = "start" if index == 0 and len(points) > 1 else "middle"
        anchor = "end" if index == len(points) - 1 and len(points) > 1 else anchor
        whisker = ""
        if score.margin == score.margin and score.margin != float("inf"):
            whisker = (
                f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{y(score.high):.1f}" '
                f'y2="{y(score.low):.1f}" stroke="{LINE}" stroke-opacity="0.45" stroke-width="3"/>'
            )
        flag = " (small sample)" if score.small_sample else ""
        marks.append(
            f'{whisker}<circle cx="{x:.1f}" cy="{y(score.value):.1f}" r="4" fill="{LINE}">'
            f"<title>{escape(name)}: {score.value:g} ± {score.margin:g}, n={score.n}{flag}</title>"
            f'</circle><text x="{x:.1f}" y="{height - 14}" font-size="11" text-anchor="{anchor}">'
            f"{escape(name)}</text>"
        )
    path = " ".join(
        f"{'M' if i == 0 else 'L'}{x:.1f},{y(s.value):.1f}"
        for i, (x, (_, s)) in enumerate(zip(xs, points, strict=True))
    )
    summary = "; ".join(f"{name}: {s.value:g} (n={s.n})" for name, s in points)
    return mark_safe(  # noqa: S308 - every text escaped above
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title><desc>{escape(summary)}</desc>'
        f'{"".join(grid)}<path d="{path}" fill="none" stroke="{LINE}" stroke-width="2"/>'
        f"{''.join(marks)}</svg>"
    )


def _ticks(low: float, high: float) -> list[float]:
    span = high - low
    step = next(s for s in (0.5, 1, 2, 5, 10, 25, 50) if span / s <= 8)
    first = low - (low % step) if low % step else low
    ticks, value = [], first
    while value <= high + 1e-9:
        if value >= low:
            ticks.append(round(value, 2))
        value += step
    return ticks
