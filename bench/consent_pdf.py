"""Benchmark: signed consent PDFs per second, against a bare reportlab canvas (the floor).

    python bench/consent_pdf.py [--count 1000]

Renders `count` signed consent PDFs of a two-page information letter (ten sections, four
statements, a drawn signature, the certificate page) with recruit's renderer
(recruit.consent_pdf.render_consent_pdf, the one used at signing), then the same words drawn
line by line on a bare reportlab canvas with the same embedded DejaVu font. Prints PDFs per
second and the peak memory (tracemalloc, Python allocations) of each, and the ratio. One process,
one core. Target: at least 50 PDFs/s and within 3x of the floor.
"""
import argparse
import io
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PIL import Image, ImageDraw  # noqa: E402
from reportlab.lib.pagesizes import A4  # noqa: E402
from reportlab.lib.units import mm  # noqa: E402
from reportlab.lib.utils import simpleSplit  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402

from recruit.consent_pdf import (  # noqa: E402
    BOTTOM, FONT, LEFT, TOP, WIDTH, Answer, ConsentPdf, _register_fonts, render_consent_pdf,
)

PARAGRAPH = (
    "Dette er et spørsmål til deg om å delta i et forskningsprosjekt der formålet er å forstå hva som gjør at "
    "fastleger deltar i kvalitetsforbedringsarbeid. Opplysningene behandles konfidensielt, lagres på "
    "universitetets sikre server og anonymiseres når prosjektet avsluttes; du kan trekke deg når som helst. "
)
HEADINGS = [
    "Formålet med prosjektet", "Hvem er ansvarlig for forskningsprosjektet?", "Hvorfor får du spørsmål om å delta?",
    "Hva innebærer det for deg å delta?", "Det er frivillig å delta", "Ditt personvern",
    "Hva skjer med personopplysningene dine når forskningsprosjektet avsluttes?", "Dine rettigheter",
    "Hva gir oss rett til å behandle personopplysninger om deg?", "Hvor kan jeg finne ut mer?",
]
LABELS = {
    "statements": "Samtykkeerklæringer", "yes": "Ja", "no": "Nei", "required": "Påkrevd", "optional": "Valgfritt",
    "signature": "Signatur", "typed_name": "Navn skrevet av deltakeren", "certificate": "Signatursertifikat",
    "certificate_intro": "Denne siden dokumenterer hvordan og når samtykket ble gitt.", "page": "Side",
}


def signature_png() -> bytes:
    image = Image.new("RGB", (420, 120), "white")
    draw = ImageDraw.Draw(image)
    draw.line([(10, 90), (80, 30), (150, 95), (230, 25), (320, 85), (410, 40)], fill="black", width=4)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def consent(n: int, png: bytes) -> ConsentPdf:
    name = f"Åse Ødegård-Løvlien {n}"
    return ConsentPdf(
        title="Vil du delta i forskningsprosjektet «Fastlegers motivasjon for kvalitetsforbedring»?",
        intro="GPQI · samtykkeversjon 2 · Norsk bokmål",
        sections=[(heading, (PARAGRAPH * 2).strip()) for heading in HEADINGS],
        answers=[
            Answer("Jeg samtykker til å delta i en fokusgruppe.", True, True),
            Answer("Jeg samtykker til lydopptak og transkripsjon.", True, True),
            Answer("Anonymiserte sitater fra meg kan publiseres.", False, n % 2 == 0),
            Answer("Jeg kan kontaktes om en oppfølgingsstudie.", False, False),
        ],
        typed_name=name,
        signature_png=png,
        meaning="Ved å skrive mitt fulle navn og bekrefte signerer jeg dette samtykket elektronisk.",
        footer=f"GPQI · versjon 2 · {name} · signert 2026-11-23 12:00:{n % 60:02d} UTC",
        labels=LABELS,
        certificate=[
            ("Dokumentets hash (SHA-256)", "078df71af2faae26a941c462e03539af27d08c60063daf71b96309423c9813bd"),
            ("Signaturpostens id", str(n)), ("Forespørsel sendt", "2026-11-20 09:00:00 UTC"),
            ("Først åpnet", "2026-11-23 11:52:00 UTC"), ("Signert (servertid)", "2026-11-23 12:00:00 UTC"),
            ("Adresse", "192.0.2.10"), ("Nettleser", "Mozilla/5.0 (iPhone; CPU iPhone OS 18_0 like Mac OS X)"),
        ],
    )


_WRAPPED: dict[str, list[str]] = {}


def _wrapped(text: str, font: str = FONT, size: float = 10) -> list[str]:
    # The floor gets its lines wrapped once, outside the timing: it only draws them.
    if text not in _WRAPPED:
        _WRAPPED[text] = simpleSplit(text, font, size, WIDTH)
    return _WRAPPED[text]


def bare(data: ConsentPdf) -> bytes:
    """The floor: the same words in the same lines and font, drawn straight onto a canvas, one footer per page."""
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    lines = [*_wrapped(data.title), data.intro]
    for heading, text in data.sections:
        lines += [heading, *_wrapped(text)]
    lines += [f"{a.text} {a.answer}" for a in data.answers] + [*_wrapped(data.meaning), data.typed_name]
    y, page, certificate = TOP, 1, len(lines)
    lines += [f"{k}: {v}" for k, v in data.certificate]
    for index, text in enumerate(lines):
        if y < BOTTOM or index == certificate:
            if index == certificate:
                pdf.drawImage(ImageReaderCache.get(data.signature_png), LEFT, y - 25 * mm, 70 * mm, 20 * mm)
            pdf.setFont(FONT, 7.5)
            pdf.drawString(LEFT, 12 * mm, f"{data.footer} · {page}")
            pdf.showPage()
            y, page = TOP, page + 1
        pdf.setFont(FONT, 10)
        pdf.drawString(LEFT, y, text)
        y -= 14
    pdf.setFont(FONT, 7.5)
    pdf.drawString(LEFT, 12 * mm, f"{data.footer} · {page}")
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()


class ImageReaderCache:
    @staticmethod
    def get(png: bytes):
        from reportlab.lib.utils import ImageReader

        return ImageReader(io.BytesIO(png))


def measure(label: str, render, items, memory_sample: int = 100) -> float:
    """PDFs per second over all items (no tracing), then peak traced memory over a sample."""
    pages = 0
    started = time.perf_counter()
    for item in items:
        data = render(item)
        pages += data.count(b"/Type /Page") - data.count(b"/Type /Pages")
    elapsed = time.perf_counter() - started
    tracemalloc.start()
    for item in items[:memory_sample]:
        render(item)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rate = len(items) / elapsed
    print(f"{label:<28} {len(items):>5} PDFs in {elapsed:6.2f} s = {rate:7.1f} PDFs/s   "
          f"peak memory {peak / 1e6:5.1f} MB (tracemalloc)   {pages / len(items):.1f} pages each")
    return rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    _register_fonts()
    png = signature_png()
    items = [consent(n, png) for n in range(args.count)]
    render_consent_pdf(items[0]), bare(items[0])  # warm caches (font parsing happens once per process)
    ours = measure("recruit render_consent_pdf", render_consent_pdf, items)
    floor = measure("bare reportlab canvas", bare, items)
    print(f"recruit takes {floor / ours:.2f}x the floor's time (target <= 3x); "
          f"{ours:.1f} PDFs/s {'meets' if ours >= 50 else 'misses'} the 50 PDFs/s target")
    print(f"max RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
