"""The signed consent PDF: plain values in, bytes out (no Django here).

reportlab with `invariant=1`, so the same record always gives the same bytes and its SHA-256 can be
checked years later. DejaVu Sans (vendored in recruit/fonts, Bitstream Vera licence) is embedded
because the standard PDF fonts cannot show æ ø å, let alone names in other scripts.
"""
import io
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Image, KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from xml.sax.saxutils import escape

FONTS = Path(__file__).resolve().parent / "fonts"
FONT, FONT_BOLD = "DejaVuSans", "DejaVuSans-Bold"


def _register_fonts() -> None:
    # Parsing a TTF takes tens of milliseconds: once per process, not per PDF.
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONTS / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(FONTS / "DejaVuSans-Bold.ttf")))


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


def _styles():
    base = ParagraphStyle("body", fontName=FONT, fontSize=10, leading=14, alignment=TA_LEFT, spaceAfter=4)
    return {
        "title": ParagraphStyle("title", parent=base, fontName=FONT_BOLD, fontSize=16, leading=20, spaceAfter=6),
        "intro": ParagraphStyle("intro", parent=base, textColor=colors.HexColor("#444444"), spaceAfter=10),
        "heading": ParagraphStyle("heading", parent=base, fontName=FONT_BOLD, fontSize=11.5, leading=15,
                                  spaceBefore=8, spaceAfter=3),
        "body": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9.5, leading=12.5, spaceAfter=0),
        # A SHA-256 in hex is one 64-character word: small enough to stay on one line.
        "hash": ParagraphStyle("hash", parent=base, fontSize=7.5, leading=11, spaceAfter=0),
    }


def _is_token(value: str) -> bool:
    return len(value) >= 40 and not any(ch.isspace() for ch in value)


def _para(text: str, style) -> list[Paragraph]:
    # One Paragraph per blank-line-separated block; single line breaks are kept.
    blocks = [b for b in text.split("\n\n") if b.strip()]
    return [Paragraph(escape(block).replace("\n", "<br/>"), style) for block in blocks]


def render_consent_pdf(data: ConsentPdf) -> bytes:
    _register_fonts()
    styles = _styles()
    labels = data.labels
    story: list = [Paragraph(escape(data.title), styles["title"]), Paragraph(escape(data.intro), styles["intro"])]
    for heading, text in data.sections:
        story.append(Paragraph(escape(heading), styles["heading"]))
        story.extend(_para(text, styles["body"]))

    story.append(Paragraph(escape(labels["statements"]), styles["heading"]))
    rows = [[
        Paragraph(escape(a.text), styles["cell"]),
        Paragraph(escape(labels["required"] if a.required else labels["optional"]), styles["cell"]),
        Paragraph(f"<b>{escape(labels['yes'] if a.answer else labels['no'])}</b>", styles["cell"]),
    ] for a in data.answers]
    table = Table(rows, colWidths=[118 * mm, 28 * mm, 24 * mm])
    table.setStyle(TableStyle([
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#bbbbbb")),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
    ]))
    story.append(table)

    signed = [
        Paragraph(escape(labels["signature"]), styles["heading"]),
        Paragraph(escape(data.meaning), styles["body"]),
        Paragraph(f"{escape(labels['typed_name'])}: <b>{escape(data.typed_name)}</b>", styles["body"]),
    ]
    if data.signature_png:
        image = ImageReader(io.BytesIO(data.signature_png))
        width, height = image.getSize()
        scale = min(70 * mm / width, 25 * mm / height, 1.0)
        signed += [Spacer(1, 2 * mm), Image(io.BytesIO(data.signature_png), width * scale, height * scale, hAlign="LEFT")]
    story.append(KeepTogether(signed))

    if data.certificate:
        story.append(PageBreak())
        story.append(Paragraph(escape(labels["certificate"]), styles["title"]))
        story.append(Paragraph(escape(labels["certificate_intro"]), styles["intro"]))
        cert = Table(
            [[Paragraph(escape(k), styles["cell"]), Paragraph(escape(v), styles["hash" if _is_token(v) else "cell"])]
             for k, v in data.certificate],
            colWidths=[50 * mm, 120 * mm],
        )
        cert.setStyle(TableStyle([
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LINEBELOW", (0, 0), (-1, -1), 0.4, colors.HexColor("#bbbbbb")),
            ("TOPPADDING", (0, 0), (-1, -1), 4),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ]))
        story.append(cert)

    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=A4, invariant=1, leftMargin=20 * mm, rightMargin=20 * mm, topMargin=18 * mm,
        bottomMargin=22 * mm, title=data.title, author="recruit", subject=data.footer, creator="recruit",
    )
    footer, page_word = data.footer, labels["page"]

    def draw_footer(canvas, document):
        canvas.saveState()
        canvas.setFont(FONT, 7.5)
        canvas.setFillColor(colors.HexColor("#444444"))
        canvas.line(20 * mm, 16 * mm, A4[0] - 20 * mm, 16 * mm)
        canvas.drawString(20 * mm, 12 * mm, footer)
        canvas.drawRightString(A4[0] - 20 * mm, 12 * mm, f"{page_word} {document.page}")
        canvas.restoreState()

    doc.build(story, onFirstPage=draw_footer, onLaterPages=draw_footer)
    return buffer.getvalue()
