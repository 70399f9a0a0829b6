"""The period report as an XLSX workbook: a summary sheet, the funnel and one sheet per breakdown.

Numbers are numbers (amounts in 万元), rates are percentages, every sheet has an autofilter on its header row and
no text cell is ever a formula.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from chanyan.domain.money import TEN_THOUSAND

# (report key, label) of the summary sheet; amounts are shown in 万元.
SUMMARY_ROWS: tuple[tuple[str, str], ...] = (
    ("requests_filed", "提交需求"),
    ("requests_reviewed", "完成审核"),
    ("requests_matched", "完成匹配"),
    ("agreements", "签订合作协议（项）"),
    ("agreement_amount_cny", "协议金额（万元）"),
    ("services", "提供服务（次）"),
    ("events", "调研及交流活动（次）"),
    ("participants", "参与人次"),
    ("median_hours_to_first_contact", "首次联系用时中位数（小时）"),
)
METRIC_LABELS: dict[str, str] = {
    "requests_filed": "提交",
    "requests_reviewed": "审核",
    "requests_matched": "匹配",
    "agreements": "签约（项）",
    "agreement_amount_cny": "协议金额（万元）",
    "services": "服务（次）",
    "events": "活动（次）",
    "participants": "参与人次",
    "tasks_done": "完成任务",
    "tasks_overdue": "逾期任务",
}
BREAKDOWN_SHEETS: tuple[tuple[str, str, str], ...] = (
    ("by_domain", "按领域", "领域"),
    ("by_region", "按地区", "地区"),
    ("by_channel", "按渠道", "渠道"),
    ("by_staff", "按人员", "人员"),
)
WAN_FORMAT = "0.####"
PERCENT_FORMAT = "0.0%"


def _wan(amount: int | float | None) -> float | None:
    return None if amount is None else float(Decimal(str(amount)) / TEN_THOUSAND)


def _sheet(
    workbook: Workbook, title: str, header: Sequence[str], rows: Sequence[Sequence[Any]], formats=None
):
    sheet = workbook.create_sheet(title)
    bold = Font(bold=True)
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = bold
    for row in rows:
        sheet.append(list(row))
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"  # never a formula, whatever a label starts with
            fmt = (formats or {}).get(cell.column - 1)
            if fmt and isinstance(cell.value, (int, float)):
                cell.number_format = fmt
    for i, label in enumerate(header, start=1):
        longest = max([len(str(label))] + [len(str(r[i - 1])) for r in rows if r[i - 1] is not None])
        sheet.column_dimensions[get_column_letter(i)].width = min(40, longest * 2 + 2)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{max(1, len(rows) + 1)}"
    return sheet


def report_xlsx(report: dict[str, Any]) -> bytes:
    """The workbook of a chanyan.followup.report.period_report result."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    period = report["period"]
    summary = [("统计期间", f"{period['from']} 至 {period['to']}")]
    for key, label in SUMMARY_ROWS:
        value = report.get(key)
        summary.append((label, _wan(value) if key == "agreement_amount_cny" else value))
    _sheet(workbook, "概况", ("指标", "数值"), summary)
    funnel = [
        (row["label"], row["count"], row["rate_from_previous"], row["rate_from_filed"])
        for row in report["funnel"]
    ]
    _sheet(
        workbook,
        "转化漏斗",
        ("阶段", "需求单数", "较上一阶段", "占提交"),
        funnel,
        {2: PERCENT_FORMAT, 3: PERCENT_FORMAT},
    )
    for key, title, first in BREAKDOWN_SHEETS:
        rows = report.get(key) or []
        metrics = [m for m in (rows[0] if rows else {}) if m not in ("key", "label")]
        header = [first, *(METRIC_LABELS.get(m, m) for m in metrics)]
        body = [
            [row["label"], *(_wan(row[m]) if m == "agreement_amount_cny" else row[m] for m in metrics)]
            for row in rows
        ]
        formats = {i + 1: WAN_FORMAT for i, m in enumerate(metrics) if m == "agreement_amount_cny"}
        _sheet(workbook, title, header, body, formats)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
