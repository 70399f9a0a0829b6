"""Requests as rows: the export columns (one table), CSV (UTF-8 with BOM, for Excel) and XLSX.

Used by the console's export and by `chanyan requests export`; every text cell is defused against formula injection.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TextIO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from chanyan.domain.money import TEN_THOUSAND
from chanyan.domain.schema import BUDGET_KIND_LABELS, CHANNEL_LABELS, FIELD_LABELS, STATUS_LABELS

# (record key, column header). Slot-backed columns take the schema's label; the rest say which part they hold.
EXPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("ref", FIELD_LABELS["ref"]),
    ("status", FIELD_LABELS["status"]),
    ("channel", FIELD_LABELS["channel"]),
    ("conversation_id", FIELD_LABELS["conversation_id"]),
    ("created_at", FIELD_LABELS["created_at"]),
    ("updated_at", FIELD_LABELS["updated_at"]),
    ("enterprise_name", FIELD_LABELS["enterprise_name"]),
    ("contact_name", FIELD_LABELS["contact_name"]),
    ("contact_phone", FIELD_LABELS["contact_phone"]),
    ("contact_email", FIELD_LABELS["contact_email"]),
    ("need_title", FIELD_LABELS["need_title"]),
    ("need_description", FIELD_LABELS["need_description"]),
    ("tech_targets", FIELD_LABELS["tech_targets"]),
    ("domain.code", "领域代码"),
    ("domain.name", FIELD_LABELS["domain"]),
    ("domain.sub_code", "子领域代码"),
    ("domain.sub_name", "子领域"),
    ("keywords", FIELD_LABELS["keywords"]),
    ("budget.min_cny", "预算下限(元)"),
    ("budget.max_cny", "预算上限(元)"),
    ("budget.kind", "预算类型"),
    ("budget.text", "预算原文"),
    ("timeline.deadline", "截止日期"),
    ("timeline.months", "周期(月)"),
    ("timeline.text", "时限原文"),
    ("coop_mode", FIELD_LABELS["coop_mode"]),
    ("ip_preference", FIELD_LABELS["ip_preference"]),
    ("partner.types", "意向合作方类型"),
    ("partner.names", "意向合作单位"),
    ("partner.regions", "意向地区"),
    ("assignee", FIELD_LABELS["assignee"]),
    ("handoff", FIELD_LABELS["handoff"]),
)


def _flat(record: dict[str, Any], dotted: str) -> str:
    value: Any = record
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if value is None:
        return ""
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def flat_row(record: dict[str, Any]) -> list[str]:
    """A request record as one row of EXPORT_COLUMNS (for CSV and spreadsheets)."""
    return [_flat(record, key) for key, _ in EXPORT_COLUMNS]


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


def write_csv(records: Iterable[dict[str, Any]], target: TextIO) -> None:
    """CSV rows (header first, CRLF line ends, every cell defused) written to an open text file."""
    writer = csv.writer(target, lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in export_rows(records):
        writer.writerow([defuse(v) for v in row])


def to_csv(records: Iterable[dict[str, Any]]) -> bytes:
    """CSV with a UTF-8 byte-order mark, so Excel opens the Chinese text correctly."""
    buffer = io.StringIO()
    write_csv(records, buffer)
    return buffer.getvalue().encode("utf-8-sig")


# The spreadsheet keeps amounts in 万元 (as numbers), so its budget columns say so.
XLSX_HEADERS: list[str] = [
    {"budget.min_cny": "预算下限(万元)", "budget.max_cny": "预算上限(万元)"}.get(key, label)
    for key, label in EXPORT_COLUMNS
]
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
WAN_FORMAT = "0.####"


def _lookup(record: dict[str, Any], dotted: str) -> Any:
    value: Any = record
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def typed_cell(record: dict[str, Any], key: str) -> tuple[Any, str | None]:
    """The value of one export column as a spreadsheet keeps it (number, date, label) and its number format."""
    value = _lookup(record, key)
    if value is None or value == "" or value == []:
        return None, None
    if key in ("created_at", "updated_at"):
        # Local wall time: a spreadsheet has no time zones (the record's offset is CHANYAN_TZ's).
        return datetime.fromisoformat(value).replace(tzinfo=None), DATETIME_FORMAT
    if key == "timeline.deadline":
        try:
            return date.fromisoformat(value), DATE_FORMAT
        except ValueError:
            return str(value), None
    if key in ("budget.min_cny", "budget.max_cny"):
        return float(Decimal(str(value)) / TEN_THOUSAND), WAN_FORMAT
    if key == "timeline.months":
        return int(value), None
    if key == "status":
        return STATUS_LABELS.get(value, value), None
    if key == "channel":
        return CHANNEL_LABELS.get(value, value), None
    if key == "budget.kind":
        return BUDGET_KIND_LABELS.get(value, value), None
    return _flat(record, key), None


def to_xlsx(records: Iterable[dict[str, Any]], title: str = "需求单") -> bytes:
    """An XLSX workbook ready for analysis: numbers as numbers (budgets in 万元), dates as dates, codes as their
    Chinese labels, a bold frozen header row with an autofilter; no text cell is ever a formula."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    keys = [key for key, _ in EXPORT_COLUMNS]
    rows = [[typed_cell(record, key) for key in keys] for record in records]
    widths = [len(h) * 2 + 2 for h in XLSX_HEADERS]
    for row in rows:
        for i, (value, fmt) in enumerate(row):
            shown = len(str(value)) if fmt is None else 16
            widths[i] = max(widths[i], min(MAX_COLUMN_WIDTH, shown + 2))
    for i, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(i)].width = width
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(keys))}{len(rows) + 1}"
    bold = Font(bold=True)
    header = []
    for label in XLSX_HEADERS:
        cell = WriteOnlyCell(sheet, value=label)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = []
        for value, fmt in row:
            cell = WriteOnlyCell(sheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
            if fmt:
                cell.number_format = fmt
            cells.append(cell)
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
