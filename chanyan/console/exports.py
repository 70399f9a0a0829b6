"""The filtered requests list as CSV (UTF-8 with BOM, for Excel) and XLSX, with the CLI's Chinese columns."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from chanyan.cli import EXPORT_COLUMNS, flat_row
from chanyan.schema import STATUS_LABELS

HEADERS: list[str] = [label for _, label in EXPORT_COLUMNS]
STATUS_COLUMN = [key for key, _ in EXPORT_COLUMNS].index("status")
# A cell starting with one of these is a formula to a spreadsheet: user text must never be one.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_COLUMN_WIDTH = 60


def export_rows(records: Iterable[dict[str, Any]]) -> Iterable[list[str]]:
    """Rows of EXPORT_COLUMNS with the status in Chinese."""
    for record in records:
        row = flat_row(record)
        row[STATUS_COLUMN] = STATUS_LABELS.get(row[STATUS_COLUMN], row[STATUS_COLUMN])
        yield row


def defuse(value: str) -> str:
    """Quote a value a spreadsheet would run as a formula (CSV injection)."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def to_csv(records: Iterable[dict[str, Any]]) -> bytes:
    """CSV with a UTF-8 byte-order mark and CRLF line ends, so Excel opens the Chinese text correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in export_rows(records):
        writer.writerow([defuse(v) for v in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(records: Iterable[dict[str, Any]], title: str = "需求单") -> bytes:
    """An XLSX workbook: bold frozen header row, every cell a string (never a formula)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    rows = list(export_rows(records))
    widths = [len(h) * 2 + 2 for h in HEADERS]
    for row in rows:
        for i, value in enumerate(row):
            widths[i] = max(widths[i], min(MAX_COLUMN_WIDTH, len(value) + 2))
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for label in HEADERS:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = []
        for value in row:
            cell = WriteOnlyCell(sheet, value=value)
            cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
