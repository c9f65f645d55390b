"""The signed consent PDF: plain values in, bytes out (no Django here).

reportlab with `invariant=1`, so the same record always gives the same bytes and its SHA-256 can be
checked years later. DejaVu Sans (vendored in recruit/fonts, Bitstream Vera licence) is embedded
because the standard PDF fonts cannot show æ ø å, let alone names in other scripts.

The layout is drawn line by line on the canvas (reportlab's simpleSplit for wrapping) rather than
through platypus: a consent letter is headings, paragraphs and two small tables, and the canvas
renders it several times faster (bench/consent_pdf.py).
"""
import io
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader, simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

FONTS = Path(__file__).resolve().parent / "fonts"
FONT = "DejaVuSans"
# Headings are the same face drawn with a thin outline (text render mode 2): one embedded font subset per
# PDF instead of two keeps rendering near the bare-canvas floor.
BOLD = "bold"

PAGE_WIDTH, PAGE_HEIGHT = A4
LEFT, RIGHT, TOP, BOTTOM = 20 * mm, PAGE_WIDTH - 20 * mm, PAGE_HEIGHT - 18 * mm, 24 * mm
WIDTH = RIGHT - LEFT
GREY, RULE, INK = (0.27, 0.27, 0.27), (0.73, 0.73, 0.73), (0, 0, 0)


def _register_fonts() -> None:
    # Parsing a TTF takes tens of milliseconds: once per process, not per PDF.
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONTS / "DejaVuSans.ttf")))


@dataclass(frozen=True)
class Answer:
    text: str
    required: bool
    answer: bool


@dataclass(frozen=True)
class ConsentPdf:
    """Everything the PDF shows, already in the document's language."""

    title: str
    intro: str  # e.g. "Study GPQI · consent version 2 · bokmål"
    sections: list[tuple[str, str]]  # (heading, text)
    answers: list[Answer]
    typed_name: str
    signature_png: bytes | None
    meaning: str
    footer: str  # study code, version, participant name, signing time
    labels: dict[str, str]  # headings and words: "statements", "yes", "no", "required", "optional", ...
    certificate: list[tuple[str, str]] = field(default_factory=list)  # (label, value) rows


class _Pages:
    """A cursor down the page that starts a new page (with the footer) when a block does not fit."""

    def __init__(self, canvas: Canvas, footer: str, page_word: str):
        self.canvas, self.footer, self.page_word = canvas, footer, page_word
        self.y, self.page = TOP, 1

    def _draw_footer(self) -> None:
        c = self.canvas
        c.setStrokeColorRGB(*GREY)
        c.setLineWidth(0.5)
        c.line(LEFT, 16 * mm, RIGHT, 16 * mm)
        c.setFillColorRGB(*GREY)
        c.setFont(FONT, 7.5)
        number = f"{self.page_word} {self.page}"
        footer = self.footer
        room = WIDTH - pdfmetrics.stringWidth(number, FONT, 7.5) - 6 * mm
        while footer and pdfmetrics.stringWidth(footer, FONT, 7.5) > room:
            footer = footer[:-2] + "…"
        c.drawString(LEFT, 12 * mm, footer)
        c.drawRightString(RIGHT, 12 * mm, number)
        c.setFillColorRGB(*INK)

    def need(self, height: float) -> None:
        if self.y - height < BOTTOM:
            self.new_page()

    def new_page(self) -> None:
        self._draw_footer()
        self.canvas.showPage()
        self.y, self.page = TOP, self.page + 1

    def finish(self) -> None:
        self._draw_footer()
        self.canvas.showPage()

    def lines(self, lines: list[str], *, bold=False, size=10.0, leading=14.0, x=LEFT, grey=False) -> None:
        c = self.canvas
        for line in lines:
            self.need(leading)
            if bold or grey:
                c.saveState()  # the render mode and colour are graphics state: restored after the line
            text = c.beginText(x, self.y - size)
            text.setFont(FONT, size)
            if grey:
                text.setFillColorRGB(*GREY)
            if bold:
                text.setTextRenderMode(2)
                c.setLineWidth(size / 30)
            text.textLine(line)
            c.drawText(text)
            if bold or grey:
                c.restoreState()
            self.y -= leading

    def text(self, text: str, *, bold=False, size=10.0, leading=14.0, width=WIDTH, x=LEFT, after=4.0,
             grey=False) -> None:
        """Paragraphs separated by blank lines; single line breaks are kept."""
        for block in [b for b in text.split("\n\n") if b.strip()]:
            lines = []
            for line in block.split("\n"):
                lines.extend(simpleSplit(line, FONT, size, width - (size / 15 if bold else 0)) or [""])
            self.lines(lines, bold=bold, size=size, leading=leading, x=x, grey=grey)
            self.y -= after

    def rule(self) -> None:
        self.canvas.setStrokeColorRGB(*RULE)
        self.canvas.setLineWidth(0.4)
        self.canvas.line(LEFT, self.y, RIGHT, self.y)

    def rows(self, rows: list[tuple[str, ...]], widths: list[float], *, size=9.5, leading=12.5,
             bold_last=False) -> None:
        """A table: each cell wrapped in its column, a rule under each row, rows kept whole."""
        for row in rows:
            cells = []
            for index, (value, width) in enumerate(zip(row, widths)):
                bold = bold_last and index == len(row) - 1
                # A SHA-256 is one 64-character word: smaller so it stays on one line.
                cell_size = 7.5 if len(value) >= 40 and not any(ch.isspace() for ch in value) else size
                cells.append((simpleSplit(value, FONT, cell_size, width - 6) or [""], bold, cell_size))
            height = max(len(lines) for lines, _bold, _size in cells) * leading + 8
            self.need(height)
            top, x = self.y - 4, LEFT
            for (lines, bold, cell_size), width in zip(cells, widths):
                self.y = top
                self.lines(lines, bold=bold, size=cell_size, leading=leading, x=x)
                x += width
            self.y = top - height + 4
            self.rule()


def render_consent_pdf(data: ConsentPdf) -> bytes:
    _register_fonts()
    labels = data.labels
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    canvas.setTitle(data.title)
    canvas.setAuthor("recruit")
    canvas.setSubject(data.footer)
    canvas.setCreator("recruit")
    pages = _Pages(canvas, data.footer, labels["page"])

    pages.text(data.title, bold=True, size=16, leading=20, after=4)
    pages.text(data.intro, grey=True, after=8)
    for heading, text in data.sections:
        pages.need(15 + 2 * 14)  # a heading is never left alone at the bottom of a page
        pages.y -= 6
        pages.text(heading, bold=True, size=11.5, leading=15, after=2)
        pages.text(text)

    pages.need(15 + 30)
    pages.y -= 6
    pages.text(labels["statements"], bold=True, size=11.5, leading=15, after=2)
    pages.rows(
        [(a.text, labels["required"] if a.required else labels["optional"], labels["yes"] if a.answer else labels["no"])
         for a in data.answers],
        [118 * mm, 28 * mm, 24 * mm], bold_last=True,
    )

    image = ImageReader(io.BytesIO(data.signature_png)) if data.signature_png else None
    image_height = 0.0
    if image is not None:
        width, height = image.getSize()
        scale = min(70 * mm / width, 25 * mm / height, 1.0)
        image_width, image_height = width * scale, height * scale
    meaning = simpleSplit(data.meaning, FONT, 10, WIDTH)
    pages.need(15 + 8 + (len(meaning) + 1) * 14 + image_height + 8)  # the signature block stays together
    pages.y -= 10
    pages.text(labels["signature"], bold=True, size=11.5, leading=15, after=2)
    pages.text(data.meaning)
    pages.text(f"{labels['typed_name']}: {data.typed_name}", bold=True)
    if image is not None:
        canvas.drawImage(image, LEFT, pages.y - image_height - 2 * mm, image_width, image_height)
        pages.y -= image_height + 2 * mm

    if data.certificate:
        pages.new_page()
        pages.text(labels["certificate"], bold=True, size=16, leading=20, after=4)
        pages.text(labels["certificate_intro"], grey=True, after=8)
        pages.rows(data.certificate, [50 * mm, 120 * mm])
    pages.finish()
    canvas.save()
    return buffer.getvalue()
