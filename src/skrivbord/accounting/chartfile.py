"""Reading a chart of accounts file, such as the BAS chart a user downloads from bas.se.

Django-free. We do not ship the BAS chart (docs/decisions/0013-bas-chart.md), so a company
starts from the file its user has: the Excel workbook bas.se publishes, or a CSV saved from
it or from another program. The layouts differ (bas.se puts a main account and its
sub-accounts side by side on one row; a normalised CSV has one account a line with its
level and parent), so the reader does not depend on columns: in every row, a cell holding
a four-digit account number followed by a cell of text is an account and its name. Class,
group and main-group headings (one to three digits) are left out.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import zipfile
from dataclasses import dataclass, field
from xml.etree import ElementTree

#: BAS account numbers have four digits; the first is the class (1-8).
ACCOUNT_NUMBER = re.compile(r"^[1-8]\d{3}$")
MAX_ACCOUNTS = 20_000
MAX_NAME = 200
_SPACES = re.compile(r"[ \t\r\n]+")  # a no-break space (25\xa0%) stays
_LETTER = re.compile(r"[^\W\d_]")
_TITLE = re.compile(r"kontoplan|\bBAS\b", re.IGNORECASE)
_XLSX_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
#: A worksheet or string table larger than this is not a chart of accounts.
_MAX_XML_BYTES = 50 * 1024 * 1024


class ChartFileError(ValueError):
    """The file is not a chart of accounts we can read. `code` says why (for the message)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass
class Chart:
    #: (number, name) in the file's order, each number once.
    accounts: list[tuple[str, str]] = field(default_factory=list)
    #: Numbers the file gave more than once (the first name was kept).
    duplicates: list[str] = field(default_factory=list)
    #: Text of the file's first cells, e.g. "Kontoplan BAS 2025", to show the user.
    title: str = ""


def read_chart(data: bytes) -> Chart:
    """The accounts of a chart file (xlsx or CSV/text), or ChartFileError."""
    if data[:4] == b"PK\x03\x04":
        rows = _xlsx_rows(data)
    elif data[:1] == b"#":
        raise ChartFileError("sie")
    else:
        rows = _csv_rows(data)
    chart = Chart()
    seen: set[str] = set()
    for row in rows:
        cells = [_clean(cell) for cell in row]
        if not chart.title:
            chart.title = next((cell for cell in cells if _TITLE.search(cell)), "")[:MAX_NAME]
        for number, name in itertools.pairwise(cells):
            if not ACCOUNT_NUMBER.match(number) or not _LETTER.search(name):
                continue
            if number in seen:
                chart.duplicates.append(number)
                continue
            seen.add(number)
            chart.accounts.append((number, name[:MAX_NAME]))
            if len(chart.accounts) > MAX_ACCOUNTS:
                raise ChartFileError("too_many")
    if not chart.accounts:
        raise ChartFileError("no_accounts")
    return chart


def _clean(value: object) -> str:
    text = str(value) if value is not None else ""
    if text.endswith(".0") and text[:-2].isdigit():  # a number Excel stored as 1930.0
        text = text[:-2]
    return _SPACES.sub(" ", text).strip()


def _csv_rows(data: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - cp1252 decodes nearly anything; latin-1 everything
        text = data.decode("latin-1")
    if "\x00" in text:
        raise ChartFileError("unreadable")
    sample = text[:20_000]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
    return list(csv.reader(io.StringIO(text), dialect))


def _xlsx_rows(data: bytes) -> list[list[str]]:
    """The first worksheet's rows as text cells (a minimal Office Open XML reader: shared
    and inline strings, numbers; formulas by their cached value)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            strings = _shared_strings(book)
            sheet = _first_sheet(book)
            root = _parse(book, sheet)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError) as error:
        raise ChartFileError("unreadable") from error
    rows = []
    for row in root.iter(f"{_XLSX_NS}row"):
        cells: dict[int, str] = {}
        for cell in row.iter(f"{_XLSX_NS}c"):
            column = _column_index(cell.get("r", ""), len(cells))
            kind = cell.get("t", "")
            if kind == "inlineStr":
                value = "".join(t.text or "" for t in cell.iter(f"{_XLSX_NS}t"))
            else:
                raw = cell.findtext(f"{_XLSX_NS}v") or ""
                value = strings[int(raw)] if kind == "s" and raw.isdigit() else raw
            cells[column] = value
        if cells:
            rows.append([cells.get(i, "") for i in range(max(cells) + 1)])
    return rows


def _parse(book: zipfile.ZipFile, name: str) -> ElementTree.Element:
    info = book.getinfo(name)
    if info.file_size > _MAX_XML_BYTES:
        raise ChartFileError("unreadable")
    # ElementTree resolves no external entities, and expat limits entity expansion.
    return ElementTree.fromstring(book.read(name))  # noqa: S314


def _shared_strings(book: zipfile.ZipFile) -> list[str]:
    if "xl/sharedStrings.xml" not in book.namelist():
        return []
    root = _parse(book, "xl/sharedStrings.xml")
    return [
        "".join(t.text or "" for t in item.iter(f"{_XLSX_NS}t"))
        for item in root.iter(f"{_XLSX_NS}si")
    ]


def _first_sheet(book: zipfile.ZipFile) -> str:
    names = book.namelist()
    if "xl/workbook.xml" in names and "xl/_rels/workbook.xml.rels" in names:
        workbook = _parse(book, "xl/workbook.xml")
        first = next(workbook.iter(f"{_XLSX_NS}sheet"), None)
        rels = _parse(book, "xl/_rels/workbook.xml.rels")
        if first is not None:
            target_id = first.get(f"{_REL_NS}id")
            for rel in rels:
                if rel.get("Id") == target_id:
                    target = rel.get("Target", "").lstrip("/")
                    path = target if target.startswith("xl/") else f"xl/{target}"
                    if path in names:
                        return path
    sheets = sorted(n for n in names if n.startswith("xl/worksheets/") and n.endswith(".xml"))
    if not sheets:
        raise ChartFileError("unreadable")
    return sheets[0]


def _column_index(reference: str, fallback: int) -> int:
    letters = "".join(ch for ch in reference if ch.isalpha())
    if not letters:
        return fallback
    index = 0
    for letter in letters.upper():
        index = index * 26 + (ord(letter) - ord("A") + 1)
    return index - 1
