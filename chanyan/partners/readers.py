"""Reading registry import files: .jsonl, .csv (UTF-8, with or without BOM) and .xlsx, English or Chinese headers.

Rows come out keyed by our column names (chanyan.partners.vocabulary.COLUMNS) with the row number a person sees:
the line of a .jsonl file, the spreadsheet row of a .csv or .xlsx file (the header is row 1).
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from chanyan.partners.vocabulary import COLUMN_LABELS, HEADERS, REQUIRED_COLUMNS

FORMATS: tuple[str, ...] = (".jsonl", ".csv", ".xlsx")
# Columns of our own export that an import reads past without complaint.
IGNORED_HEADERS: frozenset[str] = frozenset(
    {"id", "编号", "domain_names", "领域名称", "updated_at", "更新时间"}
)
_HEADER_NOISE = re.compile(r"[\s*＊:：]+|[（(](?:必填|选填|可选)[)）]")


class ImportFileError(ValueError):
    """The file as a whole cannot be read (format, encoding, missing required columns)."""


@dataclass
class SourceRow:
    """One data row: its number in the file, its values by column name, or why it could not be read."""

    number: int
    values: dict[str, Any] = field(default_factory=dict)
    error: str | None = None


@dataclass
class SourceFile:
    """The rows of an import file and the headers it had that we do not know."""

    rows: list[SourceRow]
    unknown_headers: list[str]


def column_for(header: Any) -> str | None:
    """Our column name for a header cell (名称, Name, 研究方向 …), or None when it is not one of ours."""
    text = unicodedata.normalize("NFKC", str(header or "")).strip()
    text = _HEADER_NOISE.sub("", text)
    return HEADERS.get(text) or HEADERS.get(text.lower())


def read_file(path: Path | str, data: bytes | None = None) -> SourceFile:
    """Read an import file by its extension; `data` gives the bytes of an upload named `path`."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ImportFileError(f"不支持的文件类型“{suffix or path.name}”：请使用 .jsonl、.csv 或 .xlsx。")
    raw = data if data is not None else path.read_bytes()
    if suffix == ".jsonl":
        return _read_jsonl(raw)
    if suffix == ".csv":
        return _read_table(_csv_rows(raw))
    return _read_table(_xlsx_rows(io.BytesIO(raw)))


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise ImportFileError(
            "文件不是 UTF-8 编码：请在 Excel 中“另存为 → CSV UTF-8（逗号分隔）”，或直接上传 .xlsx 文件。"
        ) from err


def _read_jsonl(raw: bytes) -> SourceFile:
    rows: list[SourceRow] = []
    unknown: list[str] = []
    for number, line in enumerate(_decode(raw).splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError:
            rows.append(SourceRow(number, error="不是有效的 JSON"))
            continue
        if not isinstance(obj, dict):
            rows.append(SourceRow(number, error="每行须是一个 JSON 对象"))
            continue
        values: dict[str, Any] = {}
        for key, value in obj.items():
            if key in ("region", "contact", "地区", "联系方式") and isinstance(value, dict):
                values["region" if key in ("region", "地区") else "contact"] = value
                continue
            column = column_for(key)
            if column:
                values[column] = value
            elif key not in IGNORED_HEADERS and key not in unknown:
                unknown.append(str(key))
        rows.append(SourceRow(number, values))
    return SourceFile(rows, unknown)


def _csv_rows(raw: bytes) -> Iterator[list[Any]]:
    text = _decode(raw)
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    yield from csv.reader(io.StringIO(text, newline=""), dialect)


def _xlsx_rows(stream: BinaryIO) -> Iterator[list[Any]]:
    from openpyxl import load_workbook  # only imports pay for openpyxl

    try:
        book = load_workbook(stream, read_only=True, data_only=True)
    except Exception as err:  # openpyxl raises many kinds for a file that is not a workbook
        raise ImportFileError("无法读取该 .xlsx 文件：请确认它是 Excel 工作簿。") from err
    try:
        sheet = book.worksheets[0]
        for row in sheet.iter_rows(values_only=True):
            yield list(row)
    finally:
        book.close()


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_table(source: Iterator[list[Any]]) -> SourceFile:
    header: list[str | None] | None = None
    unknown: list[str] = []
    rows: list[SourceRow] = []
    for number, cells in enumerate(source, start=1):
        if header is None:
            if all(_blank(c) for c in cells):
                continue
            header = [column_for(c) for c in cells]
            unknown = [str(c) for c, col in zip(cells, header, strict=False) if col is None and not _blank(c)]
            unknown = [u for u in unknown if u.strip() not in IGNORED_HEADERS]
            missing = [COLUMN_LABELS[c] for c in REQUIRED_COLUMNS if c not in header]
            if missing:
                raise ImportFileError(
                    f"第 {number} 行的表头缺少必填列：{'、'.join(missing)}（中文或英文表头均可，如 名称/name、能力简介/capability）。"
                )
            continue
        if all(_blank(c) for c in cells):
            continue
        values = {
            col: cell
            for col, cell in zip(header, cells, strict=False)
            if col is not None and not _blank(cell)
        }
        rows.append(SourceRow(number, values))
    if header is None:
        raise ImportFileError("文件是空的：第一行应为表头（如 名称、类型、地区、能力简介）。")
    return SourceFile(rows, unknown)
