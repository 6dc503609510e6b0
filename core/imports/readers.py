"""Reading spreadsheets people export from other systems: CSV (any usual encoding and delimiter), XLSX, old XLS.

Every reader answers the same `Table`: the header (names made unique) and the data rows, each with the number
the row has in the spreadsheet (1-based, the header row counted), so that a report can say "row 7" and the
person finds it where Excel shows it. Completely empty rows are left out but keep their place in the numbering.
Cell values stay typed as the file has them (str, int, float, bool, datetime); cleaning is the engine's job.
"""

from __future__ import annotations

import codecs
import csv
import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

MAX_ROWS = 100_000
# Encodings tried in order when a CSV has no byte order mark. cp1251 is what Excel on a Russian or Ukrainian
# Windows saves "CSV (delimited)" in; it decodes almost any bytes, so it comes last.
CSV_ENCODINGS = ("utf-8", "cp1251")
CSV_DELIMITERS = ",;\t|"
FORMATS = ("csv", "xlsx", "xls")
_ZIP_MAGIC = b"PK\x03\x04"
_OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


class ReadError(Exception):
    """The file cannot be read as a table; `reason` is one of: unknown_format, unreadable, empty, too_many_rows."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class Row:
    number: int  # as the spreadsheet shows it: the header is row 1 when it is the first line
    values: tuple[Any, ...]

    def value(self, index: int) -> Any:
        return self.values[index] if index < len(self.values) else None


@dataclass
class Table:
    header: list[str]
    rows: list[Row]
    format: str
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)

    def column(self, name: str) -> int:
        return self.header.index(name)

    def as_dicts(self) -> list[tuple[int, dict[str, Any]]]:
        return [(row.number, {name: row.value(i) for i, name in enumerate(self.header)}) for row in self.rows]


def detect_format(content: bytes, file_name: str = "") -> str:
    """By the bytes first (people rename files), by the extension when the bytes do not tell."""
    if content.startswith(_ZIP_MAGIC):
        return "xlsx"
    if content.startswith(_OLE2_MAGIC):
        return "xls"
    suffix = Path(file_name).suffix.lower().lstrip(".")
    if suffix == "xls" and content[:2] in (b"\x09\x00", b"\x09\x02", b"\x09\x04", b"\x09\x08"):
        return "xls"  # a bare BIFF stream without the OLE2 container, as some old exporters write
    if suffix in ("xlsx", "xlsm", "xls") and _looks_binary(content):
        raise ReadError("unknown_format", suffix)
    if _looks_binary(content):
        raise ReadError("unknown_format", suffix or "binary")
    return "csv"


def _looks_binary(content: bytes) -> bool:
    head = content[:4096]
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return False
    return b"\x00" in head


def read_table(path: str | Path, *, file_name: str | None = None, max_rows: int = MAX_ROWS) -> Table:
    path = Path(path)
    try:
        content = path.read_bytes()
    except OSError as error:
        raise ReadError("unreadable", str(error)) from error
    return read_bytes(content, file_name=file_name or path.name, max_rows=max_rows)


def read_bytes(content: bytes, *, file_name: str = "", max_rows: int = MAX_ROWS) -> Table:
    if not content.strip():
        raise ReadError("empty")
    kind = detect_format(content, file_name)
    if kind == "xlsx":
        header, rows, sheet = _read_xlsx(content, max_rows)
        table = Table(header=[], rows=[], format="xlsx", sheet=sheet)
    elif kind == "xls":
        header, rows, sheet = _read_xls(content, max_rows)
        table = Table(header=[], rows=[], format="xls", sheet=sheet)
    else:
        text, encoding = decode_text(content)
        delimiter = sniff_delimiter(text)
        header, rows = _read_csv(text, delimiter, max_rows)
        table = Table(header=[], rows=[], format="csv", encoding=encoding, delimiter=delimiter)
    if header is None:
        raise ReadError("empty")
    table.header = unique_names(header)
    table.rows = rows
    return table


# --- CSV -----------------------------------------------------------------------------------------------------------


def decode_text(content: bytes) -> tuple[str, str]:
    """The text and the encoding it was in: a byte order mark decides, else UTF-8 if it decodes, else cp1251."""
    for bom, encoding in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                          (codecs.BOM_UTF16_BE, "utf-16")):
        if content.startswith(bom):
            try:
                return content.decode(encoding), encoding
            except UnicodeDecodeError as error:
                raise ReadError("unreadable", str(error)) from error
    for encoding in CSV_ENCODINGS:
        try:
            return content.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ReadError("unreadable", "unknown text encoding")  # pragma: no cover - cp1251 decodes nearly anything


def sniff_delimiter(text: str) -> str:
    """The delimiter that splits the first lines into the same, largest number of columns (quotes respected)."""
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if not lines:
        return ","
    sample = "\n".join(lines)
    try:
        return csv.Sniffer().sniff(sample, delimiters=CSV_DELIMITERS).delimiter
    except csv.Error:
        pass
    best, best_score = ",", (0, 0)
    for delimiter in CSV_DELIMITERS:
        counts = [len(row) for row in csv.reader(io.StringIO(sample), delimiter=delimiter)]
        if not counts or counts[0] < 2:
            continue
        consistent = sum(1 for count in counts if count == counts[0])
        score = (consistent, counts[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _read_csv(text: str, delimiter: str, max_rows: int) -> tuple[list[str] | None, list[Row]]:
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    return _collect(((number, values) for number, values in enumerate(reader, start=1)), max_rows)


# --- XLSX ----------------------------------------------------------------------------------------------------------


def _read_xlsx(content: bytes, max_rows: int) -> tuple[list[str] | None, list[Row], str]:
    import openpyxl

    try:
        workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # a broken zip or XML: openpyxl raises many kinds
        raise ReadError("unreadable", str(error)) from error
    try:
        sheet = workbook.active or workbook.worksheets[0]
        # Some writers store a wrong or no dimension; without it read-only mode reads every row there is.
        sheet.reset_dimensions()
        numbered = enumerate(sheet.iter_rows(values_only=True), start=1)
        header, rows = _collect(numbered, max_rows)
        return header, rows, sheet.title
    finally:
        workbook.close()


# --- XLS -----------------------------------------------------------------------------------------------------------


def _read_xls(content: bytes, max_rows: int) -> tuple[list[str] | None, list[Row], str]:
    import xlrd

    try:
        book = xlrd.open_workbook(file_contents=content, on_demand=True)
    except Exception as error:  # xlrd raises XLRDError, CompDocError, struct errors …
        raise ReadError("unreadable", str(error)) from error
    try:
        sheet = book.sheet_by_index(0)

        def cell(kind: int, value: Any) -> Any:
            if kind == xlrd.XL_CELL_DATE:
                try:
                    moment = xlrd.xldate_as_datetime(value, book.datemode)
                except (ValueError, OverflowError, xlrd.xldate.XLDateError):
                    return value
                return moment.date() if moment.time() == time(0) and value == int(value) else moment
            if kind == xlrd.XL_CELL_BOOLEAN:
                return bool(value)
            if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK, xlrd.XL_CELL_ERROR):
                return None
            return value

        numbered = (
            (index + 1, [cell(kind, value) for kind, value in zip(sheet.row_types(index), sheet.row_values(index),
                                                                   strict=False)])
            for index in range(sheet.nrows)
        )
        header, rows = _collect(numbered, max_rows)
        return header, rows, sheet.name
    finally:
        book.release_resources()


# --- common --------------------------------------------------------------------------------------------------------


def normalize_cell(value: Any) -> Any:
    """Strings stripped (non-breaking spaces too), integral floats as ints (Excel keeps every number as a float:
    a phone 671234567 must not read "671234567.0"), empty strings as None."""
    if isinstance(value, str):
        value = unicodedata.normalize("NFC", value).replace("\u00a0", " ").replace("\ufeff", "").strip()
        return value or None
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e16:
        return int(value)
    if isinstance(value, datetime) and value.time() == time(0):
        return value  # kept as datetime; the engine knows a date when the field is one
    if isinstance(value, date | datetime | int | float | bool) or value is None:
        return value
    return str(value)


def _collect(numbered, max_rows: int) -> tuple[list[str] | None, list[Row]]:
    header: list[str] | None = None
    rows: list[Row] = []
    for number, raw in numbered:
        values = [normalize_cell(value) for value in raw]
        while values and values[-1] is None:
            values.pop()
        if not values:
            continue
        if header is None:
            header = [_header_name(value, index) for index, value in enumerate(values)]
            continue
        if len(rows) >= max_rows:
            raise ReadError("too_many_rows", str(max_rows))
        rows.append(Row(number=number, values=tuple(values)))
    if header is not None:
        width = max([len(header), *(len(row.values) for row in rows)])
        header += [_header_name(None, index) for index in range(len(header), width)]
    return header, rows


def _header_name(value: Any, index: int) -> str:
    if value is None:
        return f"#{index + 1}"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return " ".join(str(value).split())


def unique_names(names: Sequence[str]) -> list[str]:
    """Two columns called "Телефон" become "Телефон" and "Телефон (2)": a mapping names columns by header."""
    seen: dict[str, int] = {}
    unique: list[str] = []
    for name in names:
        count = seen.get(name, 0) + 1
        seen[name] = count
        unique.append(name if count == 1 else f"{name} ({count})")
    return unique
