"""The recruitment funnel as numbers and chart geometry: plain Python, no Django.

`funnel_rows` turns "how many reached each stage" into counts with the conversion from the
stage before and from the first; `bar_chart` and `line_chart` lay them out in SVG user units,
so templates draw the charts without inline styles or scripts.
"""
from __future__ import annotations

from dataclasses import dataclass


def reached_counts(furthest: list[int], stages: int) -> list[int]:
    """Enrollments reaching each stage, given each enrollment's furthest stage index (-1: none)."""
    counts = [0] * stages
    for index in furthest:
        for stage in range(min(index, stages - 1) + 1):
            counts[stage] += 1
    return counts


@dataclass
class FunnelRow:
    stage: str
    label: str
    count: int
    from_previous: float | None  # percent of the stage before
    from_first: float | None  # percent of the first stage


def funnel_rows(stages: list[tuple[str, str]], counts: list[int]) -> list[FunnelRow]:
    rows = []
    for index, ((stage, label), count) in enumerate(zip(stages, counts)):
        previous = counts[index - 1] if index else None
        rows.append(FunnelRow(
            stage=stage, label=label, count=count,
            from_previous=round(100 * count / previous, 1) if previous else None,
            from_first=round(100 * count / counts[0], 1) if index and counts[0] else None,
        ))
    return rows


@dataclass
class Bar:
    row: FunnelRow
    y: float
    width: float
    text_x: float


def bar_chart(rows: list[FunnelRow], *, width: float = 600, bar_height: float = 28, gap: float = 10,
              label_width: float = 150) -> dict:
    top = max((row.count for row in rows), default=0) or 1
    room = width - label_width - 130
    bars = []
    for index, row in enumerate(rows):
        bar_width = room * row.count / top
        bars.append(Bar(row=row, y=index * (bar_height + gap), width=round(bar_width, 1),
                        text_x=round(label_width + bar_width + 6, 1)))
    return {"bars": bars, "width": width, "height": len(rows) * (bar_height + gap), "bar_height": bar_height,
            "label_width": label_width, "text_y": bar_height * 0.65}


def line_chart(periods: list[str], series: dict[str, list[int]], *, width: float = 600, height: float = 200,
               left: float = 40, bottom: float = 24) -> dict:
    """Polyline points per series over the periods (oldest first)."""
    top = max((value for values in series.values() for value in values), default=0) or 1
    step = (width - left - 10) / max(len(periods) - 1, 1)
    plot = height - bottom - 10
    lines = {
        name: " ".join(f"{left + i * step:.1f},{10 + plot - plot * value / top:.1f}" for i, value in enumerate(values))
        for name, values in series.items()
    }
    ticks = [{"x": round(left + i * step, 1), "label": label} for i, label in enumerate(periods)]
    return {"lines": lines, "ticks": ticks, "width": width, "height": height, "max": top, "left": left,
            "axis_y": height - bottom, "label_y": height - 6}
