"""Sparklines: a tile's monthly series as a small inline SVG, drawn on the server."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from dxplan.domain.indicator import Direction


def sparkline(series: list[list[Any]], target: dict[str, Any] | None, direction: str) -> Markup:
    """A small inline SVG of a monthly series, with the target as a dashed line.

    Drawn on the server: two dozen tiles cost a few hundred bytes each and no script.
    Up is better: a series where lower is better (a rank) is drawn upside down.
    """
    points = [(i, float(v)) for i, (_, v) in enumerate(series) if v is not None]
    if len(points) < 2:
        return Markup("")
    values = [v for _, v in points] + ([float(target["value"])] if target else [])
    low, high = min(values), max(values)
    span = (high - low) or 1.0
    last = max(len(series) - 1, 1)
    flip = direction == Direction.DECREASE.value

    def y(v: float) -> float:
        share = (v - low) / span
        return round(2 + 20 * (share if flip else 1 - share), 1)

    line = " ".join(f"{round(i * 100 / last, 1)},{y(v)}" for i, v in points)
    guide = ""
    if target:
        ty = y(float(target["value"]))
        guide = f'<line class="goal" x1="0" x2="100" y1="{ty}" y2="{ty}"/>'
    x_end, y_end = line.split(" ")[-1].split(",")
    return Markup(
        '<svg class="spark" viewBox="0 0 100 24" preserveAspectRatio="none" aria-hidden="true"'
        ' focusable="false">'
        f'{guide}<polyline points="{line}"/>'
        f'<circle cx="{x_end}" cy="{y_end}" r="2"/></svg>'
    )
