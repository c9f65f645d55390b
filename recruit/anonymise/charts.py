"""Composition charts drawn from a protected Table 1: stacked bars and box plots.

Built once as a list of shapes, then written as SVG (for pages: attributes only, no style,
so the Content-Security-Policy allows it) or as a reportlab Drawing (for the PDF), so the
page and the PDF show the same chart. Only what Table 1 publishes is drawn: hidden counts
form one grey "hidden" segment, box plots show quartiles only for columns of at least k and
never the minimum or maximum.
"""
from dataclasses import dataclass
from xml.sax.saxutils import escape

from recruit.anonymise.table1 import Table1

# Okabe & Ito's palette, distinguishable with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
HIDDEN = "#BBBBBB"
INK = "#1F2933"
WIDTH = 640
LABEL_WIDTH = 150
BAR_WIDTH = WIDTH - LABEL_WIDTH - 20
BAR = 18
GAP = 8


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    w: float
    h: float
    fill: str
    title: str = ""


@dataclass(frozen=True)
class Label:
    x: float
    y: float
    text: str
    size: float = 11
    anchor: str = "start"  # start, middle, end
    fill: str = INK


@dataclass(frozen=True)
class Rule:
    x1: float
    y1: float
    x2: float
    y2: float
    stroke: str = INK
    width: float = 1


@dataclass
class Chart:
    title: str
    width: float
    height: float
    shapes: list


def stacked_bars(table: Table1, variable: str, title: str, hidden_label: str = "hidden") -> Chart | None:
    """One bar per column (the whole cohort first), split by category; hidden counts in grey."""
    rows = [row for row in table.rows if row.variable == variable and row.kind == "category"]
    if not rows:
        return None
    shapes: list = [Label(0, 16, title, size=13)]
    y = 30
    for c, column in enumerate(table.columns):
        if column.n == 0:
            continue
        shapes.append(Label(LABEL_WIDTH - 8, y + BAR - 5, f"{column.label} (n={column.n})", anchor="end"))
        x = LABEL_WIDTH
        shown = 0
        for r, row in enumerate(rows):
            count = row.counts[c]
            if not count:
                continue
            w = BAR_WIDTH * count / column.n
            shapes.append(Box(x, y, w, BAR, PALETTE[r % len(PALETTE)], f"{row.label}: {row.cells[c]}"))
            x += w
            shown += count
        if shown < column.n:
            w = BAR_WIDTH * (column.n - shown) / column.n
            shapes.append(Box(x, y, w, BAR, HIDDEN, hidden_label))
        y += BAR + GAP
    y += 6
    x = 0
    for r, row in enumerate(rows + [None]):
        text = hidden_label if row is None else row.label
        if row is None and not any(isinstance(s, Box) and s.fill == HIDDEN for s in shapes):
            break
        width = 22 + 7 * len(text)
        if x + width > WIDTH:
            x, y = 0, y + 18
        shapes.append(Box(x, y, 12, 12, HIDDEN if row is None else PALETTE[r % len(PALETTE)]))
        shapes.append(Label(x + 16, y + 10, text, size=10))
        x += width
    return Chart(title, WIDTH, y + 20, shapes)


def box_plots(table: Table1, variable: str, title: str, axis: tuple[int, int], hidden_label: str = "hidden") -> Chart | None:
    """Quartile boxes (first quartile, median, third) per column on one axis; no whiskers."""
    summary = next((row for row in table.rows if row.variable == variable and row.kind == "summary"), None)
    if summary is None:
        return None
    low, high = axis

    def at(value):
        value = min(max(value, low), high)
        return LABEL_WIDTH + BAR_WIDTH * (value - low) / (high - low)

    shapes: list = [Label(0, 16, title, size=13)]
    y = 30
    for c, column in enumerate(table.columns):
        if column.n == 0:
            continue
        shapes.append(Label(LABEL_WIDTH - 8, y + BAR - 5, f"{column.label} (n={column.n})", anchor="end"))
        shapes.append(Rule(LABEL_WIDTH, y + BAR / 2, LABEL_WIDTH + BAR_WIDTH, y + BAR / 2, stroke="#D5DBE1"))
        quartiles = summary.quartiles[c] if summary.quartiles else None
        if quartiles is None:
            shapes.append(Label(LABEL_WIDTH + 6, y + BAR - 5, hidden_label, size=10, fill="#52606D"))
        else:
            q1, median, q3 = quartiles
            shapes.append(Box(at(q1), y, max(2, at(q3) - at(q1)), BAR, PALETTE[0 if c == 0 else 4],
                              f"{column.label}: {summary.cells[c]}"))
            shapes.append(Rule(at(median), y - 2, at(median), y + BAR + 2, stroke=INK, width=2))
        y += BAR + GAP
    for tick in range(low, high + 1, 10 if high - low > 20 else 5):
        shapes.append(Rule(at(tick), y, at(tick), y + 4))
        shapes.append(Label(at(tick), y + 16, str(tick), size=10, anchor="middle"))
    return Chart(title, WIDTH, y + 24, shapes)


def to_svg(chart: Chart) -> str:
    """The chart as inline SVG, presentation attributes only (no style attribute, no script)."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {chart.width:g} {chart.height:g}" '
        f'width="{chart.width:g}" height="{chart.height:g}" class="chart" role="img">',
        f"<title>{escape(chart.title)}</title>",
    ]
    for shape in chart.shapes:
        if isinstance(shape, Box):
            tooltip = f"<title>{escape(shape.title)}</title>" if shape.title else ""
            parts.append(
                f'<rect x="{shape.x:.1f}" y="{shape.y:.1f}" width="{shape.w:.1f}" height="{shape.h:.1f}" '
                f'fill="{shape.fill}">{tooltip}</rect>'
            )
        elif isinstance(shape, Label):
            parts.append(
                f'<text x="{shape.x:.1f}" y="{shape.y:.1f}" font-size="{shape.size:g}" font-family="sans-serif" '
                f'text-anchor="{shape.anchor}" fill="{shape.fill}">{escape(shape.text)}</text>'
            )
        elif isinstance(shape, Rule):
            parts.append(
                f'<line x1="{shape.x1:.1f}" y1="{shape.y1:.1f}" x2="{shape.x2:.1f}" y2="{shape.y2:.1f}" '
                f'stroke="{shape.stroke}" stroke-width="{shape.width:g}"/>'
            )
    parts.append("</svg>")
    return "".join(parts)


def to_drawing(chart: Chart, scale: float = 0.75):
    """The chart as a reportlab Drawing (origin bottom left, so y is flipped)."""
    from reportlab.graphics.shapes import Drawing, Line, Rect, String
    from reportlab.lib import colors

    height = chart.height
    drawing = Drawing(chart.width * scale, height * scale)
    anchors = {"start": "start", "middle": "middle", "end": "end"}
    for shape in chart.shapes:
        if isinstance(shape, Box):
            drawing.add(Rect(shape.x * scale, (height - shape.y - shape.h) * scale, shape.w * scale, shape.h * scale,
                             fillColor=colors.HexColor(shape.fill), strokeColor=None))
        elif isinstance(shape, Label):
            drawing.add(String(shape.x * scale, (height - shape.y) * scale, str(shape.text), fontSize=shape.size * scale,
                               fontName="Helvetica", textAnchor=anchors[shape.anchor],
                               fillColor=colors.HexColor(shape.fill)))
        elif isinstance(shape, Rule):
            drawing.add(Line(shape.x1 * scale, (height - shape.y1) * scale, shape.x2 * scale,
                             (height - shape.y2) * scale, strokeColor=colors.HexColor(shape.stroke),
                             strokeWidth=shape.width * scale))
    return drawing
