"""Table 1 as files: CSV, XLSX, Markdown, LaTeX and PDF. Plain values in, bytes out."""
import csv
import io

from recruit.anonymise.table1 import Table1

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "md": "text/markdown; charset=utf-8",
    "tex": "application/x-tex; charset=utf-8",
    "pdf": "application/pdf",
}
FORMATS = tuple(CONTENT_TYPES)


def _header(table: Table1, characteristic: str) -> list[str]:
    return [characteristic] + [f"{c.label} (n={c.n})" for c in table.columns]


def _body(table: Table1) -> list[tuple[str, list[str], str]]:
    """(label, cells, kind) for every row but the n row, which the header carries."""
    out = []
    for row in table.rows:
        if row.kind == "n":
            continue
        label = row.label if row.kind == "heading" else f"  {row.label}"
        out.append((label, row.cells, row.kind))
    return out


def table1_csv(table: Table1, *, title: str, characteristic: str = "Characteristic") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([title])
    writer.writerow(_header(table, characteristic))
    for label, cells, _ in _body(table):
        writer.writerow([label.strip() if not label.startswith("  ") else label] + cells)
    writer.writerow([])
    writer.writerow([table.legend])
    for note in table.notes:
        writer.writerow([note])
    # A byte-order mark so spreadsheet programs read the file as UTF-8.
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def table1_xlsx(table: Table1, *, title: str, characteristic: str = "Characteristic") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Table 1"
    sheet.append([title])
    sheet["A1"].font = Font(bold=True, size=12)
    sheet.append(_header(table, characteristic))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for label, cells, kind in _body(table):
        sheet.append([label.strip()] + cells)
        row = sheet.max_row
        if kind == "heading":
            sheet.cell(row=row, column=1).font = Font(bold=True)
        else:
            sheet.cell(row=row, column=1).alignment = Alignment(indent=1)
        for column in range(2, len(cells) + 2):
            sheet.cell(row=row, column=column).alignment = Alignment(horizontal="right")
    sheet.append([])
    sheet.append([table.legend])
    for note in table.notes:
        sheet.append([note])
    sheet.column_dimensions["A"].width = 34
    for index in range(len(table.columns)):
        sheet.column_dimensions[chr(ord("B") + index) if index < 25 else "Z"].width = 16
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|")


def table1_markdown(table: Table1, *, title: str, characteristic: str = "Characteristic") -> bytes:
    header = _header(table, characteristic)
    lines = [f"**{_md_escape(title)}**", "", "| " + " | ".join(_md_escape(h) for h in header) + " |"]
    lines.append("|" + "---|" + "---:|" * len(table.columns))
    for label, cells, kind in _body(table):
        label = f"**{_md_escape(label)}**" if kind == "heading" else "&nbsp;&nbsp;" + _md_escape(label.strip())
        lines.append("| " + " | ".join([label] + [_md_escape(c) for c in cells]) + " |")
    lines += ["", _md_escape(table.legend)]
    lines += [f"- {_md_escape(note)}" for note in table.notes]
    return ("\n".join(lines) + "\n").encode("utf-8")


_LATEX_SPECIAL = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "<": r"\textless{}",
    ">": r"\textgreater{}", "\u2013": "--",
}


def latex_escape(text: str) -> str:
    return "".join(_LATEX_SPECIAL.get(char, char) for char in text)


def table1_latex(table: Table1, *, title: str, characteristic: str = "Characteristic") -> bytes:
    """A booktabs table for the manuscript (\\usepackage{booktabs})."""
    spec = "l" + "r" * len(table.columns)
    header = " & ".join(latex_escape(h) for h in _header(table, characteristic))
    lines = [
        r"\begin{table}[htbp]", r"\centering", rf"\caption{{{latex_escape(title)}}}",
        rf"\begin{{tabular}}{{{spec}}}", r"\toprule", header + r" \\", r"\midrule",
    ]
    for label, cells, kind in _body(table):
        label = rf"\textbf{{{latex_escape(label)}}}" if kind == "heading" else r"\quad " + latex_escape(label.strip())
        lines.append(" & ".join([label] + [latex_escape(c) for c in cells]) + r" \\")
    lines += [r"\bottomrule", r"\end{tabular}", ""]
    lines.append(r"\par\footnotesize " + latex_escape(table.legend))
    for note in table.notes:
        lines.append(r"\par " + latex_escape(note))
    lines.append(r"\end{table}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def table1_pdf(table: Table1, *, title: str, characteristic: str = "Characteristic", subtitle: str = "",
               drawings: list | None = None) -> bytes:
    """A landscape A4 PDF with the table, its notes and any charts (reportlab drawings)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
    from xml.sax.saxutils import escape

    styles = getSampleStyleSheet()
    small = styles["BodyText"].clone("small", fontSize=8, leading=10)
    buffer = io.BytesIO()
    document = SimpleDocTemplate(
        buffer, pagesize=landscape(A4), leftMargin=15 * mm, rightMargin=15 * mm, topMargin=15 * mm,
        bottomMargin=15 * mm, title=title,
    )
    story = [Paragraph(escape(title), styles["Title"])]
    if subtitle:
        story.append(Paragraph(escape(subtitle), styles["BodyText"]))
    data = [[Paragraph(f"<b>{escape(h)}</b>", small) for h in _header(table, characteristic)]]
    headings = []
    for label, cells, kind in _body(table):
        if kind == "heading":
            headings.append(len(data))
        data.append([Paragraph(escape(label.strip()), small)] + cells)
    first_width = 60 * mm
    rest = (landscape(A4)[0] - 30 * mm - first_width) / max(1, len(table.columns))
    grid = Table(data, colWidths=[first_width] + [rest] * len(table.columns), repeatRows=1)
    style = [
        ("FONTSIZE", (0, 0), (-1, -1), 8),
        ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
        ("LINEABOVE", (0, 0), (-1, 0), 1, colors.black),
        ("LINEBELOW", (0, 0), (-1, 0), 0.5, colors.black),
        ("LINEBELOW", (0, -1), (-1, -1), 1, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]
    for index in headings:
        style.append(("BACKGROUND", (0, index), (-1, index), colors.HexColor("#eef2f6")))
    grid.setStyle(TableStyle(style))
    story += [grid, Spacer(1, 4 * mm), Paragraph(escape(table.legend), small)]
    story += [Paragraph(escape(note), small) for note in table.notes]
    for drawing in drawings or []:
        story += [Spacer(1, 6 * mm), drawing]
    document.build(story)
    return buffer.getvalue()


RENDERERS = {
    "csv": table1_csv,
    "xlsx": table1_xlsx,
    "md": table1_markdown,
    "tex": table1_latex,
    "pdf": table1_pdf,
}
