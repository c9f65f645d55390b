"""Reading participant lists from CSV and XLSX files: plain Python, no Django.

`read_table(data, filename)` returns the header row and the data rows as strings, whatever
the file's format or encoding; `guess_mapping` proposes which column holds which field, and
`normalise_row` turns a mapped row's spreadsheet wording ("Kvinne", "ja", "1975.0") into the
values the registry stores. Validation itself stays with the Participant model.
"""
from __future__ import annotations

import csv
import datetime
import io
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field

# Enough for a national registry of GPs several times over; a bigger file is almost surely a mistake.
MAX_ROWS = 50_000
XLSX_MAGIC = b"PK\x03\x04"


class SpreadsheetError(Exception):
    """The file cannot be read as a table; the message says why, for the person who uploaded it."""


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]] = field(default_factory=list)
    encoding: str = ""

    def __len__(self):
        return len(self.rows)


def decode(data: bytes) -> tuple[str, str]:
    """The text and its encoding: UTF-8 (with or without BOM), else Windows-1252.

    Excel on Windows saves "CSV" in Windows-1252; any byte sequence that is not valid UTF-8 is
    taken as that, which is right for Norwegian letters (æ ø å are single bytes there).
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), "cp1252"


def read_table(data: bytes, filename: str = "") -> Table:
    """The table in a CSV or XLSX file (told apart by content, not by name)."""
    if not data:
        raise SpreadsheetError("The file is empty.")
    if data.startswith(XLSX_MAGIC) or filename.lower().endswith((".xlsx", ".xlsm")):
        table = _read_xlsx(data)
    else:
        table = _read_csv(data)
    if not table.headers or not any(table.headers):
        raise SpreadsheetError("The first row must hold column names.")
    if len(table.rows) > MAX_ROWS:
        raise SpreadsheetError(f"The file has more than {MAX_ROWS} rows; split it into smaller files.")
    return table


def _read_csv(data: bytes) -> Table:
    text, encoding = decode(data)
    if "\x00" in text:
        # Text never holds NUL characters; images, PDFs and old binary .xls files do.
        raise SpreadsheetError("The file is not a CSV or XLSX file.")
    sample = text[:8192]
    try:
        dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text, newline=""), dialect)
    rows = [[cell.strip() for cell in row] for row in reader]
    rows = _drop_empty(rows)
    if not rows:
        raise SpreadsheetError("The file has no rows.")
    return Table(headers=rows[0], rows=rows[1:], encoding=encoding)


def _read_xlsx(data: bytes) -> Table:
    # calamine (Rust) reads a 10,000-row sheet about twenty times faster than openpyxl, which
    # remains the library recruit writes workbooks with. Values are the cells' cached results.
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
        rows = workbook.get_sheet_by_index(0).to_python(skip_empty_area=False)
    except (CalamineError, zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError) as error:
        raise SpreadsheetError("The file is not a readable XLSX workbook.") from error
    rows = _drop_empty([[_cell_text(value) for value in row] for row in rows])
    if not rows:
        raise SpreadsheetError("The first sheet has no rows.")
    headers = rows[0]
    while headers and not headers[-1]:
        headers.pop()
    width = len(headers)
    return Table(headers=headers, rows=[row[:width] for row in rows[1:]], encoding="xlsx")


def _cell_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 1975.0 is the year 1975, 12345678.0 an HPR number
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    return str(value).strip()


def _drop_empty(rows: list[list[str]]) -> list[list[str]]:
    # Trailing blank lines and rows of empty cells (common at the end of a sheet) are not data.
    return [row for row in rows if any(cell for cell in row)]


def _key(text: str) -> str:
    """A header compared loosely: case, accents, spaces and punctuation ignored (ø and æ kept)."""
    text = text.strip().lower().replace("ø", "o").replace("æ", "ae").replace("å", "a")
    text = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]", "", text)


# Column names seen in Norwegian and English lists, per registry field.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "given_name": ("given_name", "given name", "first name", "firstname", "fornavn"),
    "family_name": ("family_name", "family name", "last name", "surname", "lastname", "etternavn"),
    "email": ("email", "e-mail", "e-post", "epost", "mail", "email address", "e-postadresse"),
    "phone": ("phone", "telephone", "mobile", "telefon", "mobil", "tlf", "telefonnummer"),
    "birth_year": ("birth_year", "birth year", "year of birth", "fodselsar", "fødselsår", "født"),
    "gender": ("gender", "sex", "kjonn", "kjønn"),
    "gp_start_year": (
        "gp_start_year", "year started in general practice", "gp start year", "start year",
        "startet i allmennpraksis", "allmennpraksis fra", "år i allmennpraksis fra",
    ),
    "is_specialist": (
        "is_specialist", "specialist", "specialist in general practice", "spesialist",
        "spesialist i allmennmedisin",
    ),
    "role": ("role", "rolle", "stilling"),
    "county": ("county", "fylke", "region"),
    "municipality": ("municipality", "kommune"),
    "practice_setting": ("practice_setting", "practice setting", "setting", "praksistype", "beliggenhet"),
    "practice_name": ("practice_name", "practice", "practice name", "legekontor", "praksis", "kontor"),
    "hpr_number": ("hpr_number", "hpr", "hpr number", "hpr-nummer", "hprnr", "hpr nr"),
    "cme_group": ("cme_group", "cme group", "smagruppe", "smågruppe", "veiledningsgruppe"),
    "preferred_language": ("preferred_language", "language", "språk", "sprak", "preferred language"),
    "notes": ("notes", "note", "comment", "merknad", "kommentar", "notater"),
}
_ALIAS_INDEX = {_key(alias): name for name, aliases in HEADER_ALIASES.items() for alias in aliases}


def guess_mapping(headers: list[str], fields: tuple[str, ...] | list[str], previous: dict | None = None) -> dict:
    """{column index as str: field name} for the columns recognised, preferring a previous mapping
    (by column name) over the built-in aliases; each field is used at most once."""
    previous = previous or {}
    by_name = {_key(header): name for header, name in previous.items()}
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for index, header in enumerate(headers):
        key = _key(header)
        name = by_name.get(key) or _ALIAS_INDEX.get(key)
        if name in fields and name not in used:
            mapping[str(index)] = name
            used.add(name)
    return mapping


def mapping_by_header(headers: list[str], mapping: dict) -> dict:
    """{column name: field} — the form in which a mapping is remembered for the next file."""
    return {headers[int(index)]: name for index, name in mapping.items() if name and int(index) < len(headers)}


# Spreadsheet wording -> stored value, per field with choices. Keys are compared with _key().
_CHOICE_ALIASES: dict[str, dict[str, str]] = {
    "gender": {
        "female": "female", "f": "female", "woman": "female", "kvinne": "female", "k": "female", "kvinnelig": "female",
        "male": "male", "m": "male", "man": "male", "mann": "male", "mannlig": "male",
        "other": "other", "annet": "other", "annen": "other",
        "undisclosed": "undisclosed", "prefernottosay": "undisclosed", "vilikkeoppgi": "undisclosed",
        "ukjent": "undisclosed",
    },
    "role": {
        "gp": "gp", "generalpractitioner": "gp", "fastlege": "gp", "allmennlege": "gp", "lege": "gp",
        "chiefmedicalofficer": "chief_medical_officer", "municipalchiefmedicalofficer": "chief_medical_officer",
        "kommuneoverlege": "chief_medical_officer", "cmo": "chief_medical_officer",
        "other": "other", "annet": "other", "annen": "other",
    },
    "practice_setting": {
        "urban": "urban", "by": "urban", "city": "urban", "semiurban": "semi_urban", "tettsted": "semi_urban",
        "rural": "rural", "land": "rural", "distrikt": "rural", "bygd": "rural", "landkommune": "rural",
    },
    "preferred_language": {
        "nb": "nb", "no": "nb", "norsk": "nb", "bokmal": "nb", "norwegian": "nb", "norwegianbokmal": "nb",
        "en": "en", "english": "en", "engelsk": "en",
    },
}
_BOOLEANS = {
    "yes": True, "ja": True, "true": True, "1": True, "x": True, "y": True, "j": True, "sann": True,
    "no": False, "nei": False, "false": False, "0": False, "n": False, "": False, "usann": False,
}
BOOLEAN_FIELDS = ("is_specialist", "do_not_contact")


def normalise_value(name: str, text: str):
    """The value to give the model for a cell; unrecognised text is passed through unchanged so the
    model's own validation reports it (with the registry's wording of what is allowed)."""
    text = (text or "").strip()
    if name in _CHOICE_ALIASES:
        return _CHOICE_ALIASES[name].get(_key(text), text)
    if name in BOOLEAN_FIELDS:
        return _BOOLEANS.get(_key(text), text)
    if name == "hpr_number":
        return re.sub(r"\s", "", text)
    return text


def mapped_rows(table: Table, mapping: dict):
    """(spreadsheet row number, {field: raw text}) for each data row; row 1 is the header."""
    columns = [(int(index), name) for index, name in mapping.items() if name]
    for offset, row in enumerate(table.rows):
        yield offset + 2, {name: (row[index] if index < len(row) else "") for index, name in columns}
