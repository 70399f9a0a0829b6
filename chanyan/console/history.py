"""The change log of a request in words: "张三 把拟投入资金从 约50万元 改为 50–60万元"."""

from __future__ import annotations

import json
from typing import Any

from chanyan.domain.display import format_list, format_partner, format_timeline
from chanyan.domain.money import format_budget
from chanyan.domain.schema import FIELD_LABELS, STATUS_LABELS
from chanyan.store.models import AuditEntry

EMPTY = "（空）"


def _value(raw: str | None) -> Any:
    """An audit value as it was before display_value turned it into text."""
    if raw is None:
        return None
    if raw[:1] in "[{":
        try:
            return json.loads(raw)
        except ValueError:
            return raw
    return raw


def _domain(value: Any) -> str:
    if not isinstance(value, dict):
        return str(value) if value else EMPTY
    return " / ".join(str(v) for v in (value.get("name"), value.get("sub_name")) if v) or EMPTY


def _status(raw: str | None) -> str:
    if not raw:
        return EMPTY
    status, _, reason = raw.partition("：")
    label = STATUS_LABELS.get(status, status)
    return f"{label}（{reason}）" if reason else label


def field_text(field: str | None, raw: str | None, names: dict[str, str] | None = None) -> str:
    """One old or new value of an audit entry, for people."""
    value = _value(raw)
    if value in (None, "", []):
        return EMPTY
    if field == "budget":
        return format_budget(value if isinstance(value, dict) else None, not_given=str(value))
    if field == "timeline":
        return format_timeline(value) if isinstance(value, dict) else str(value)
    if field == "domain":
        return _domain(value)
    if field == "partner":
        return format_partner(value)
    if field in ("coop_mode", "keywords"):
        return format_list(value)
    if field == "status":
        return _status(raw)
    if field == "assignee":
        return (names or {}).get(str(value), str(value))
    return str(value)


def describe(entry: AuditEntry, names: dict[str, str] | None = None) -> str:
    """What an audit entry says happened, in one Chinese sentence."""
    names = names or {}
    who = names.get(entry.actor, entry.actor)
    label = FIELD_LABELS.get(entry.field or "", entry.field or "")
    old = field_text(entry.field, entry.old_value, names)
    new = field_text(entry.field, entry.new_value, names)
    if entry.action == "note":
        kind = "对企业公开的备注" if entry.field == "public_note" else "备注"
        return f"{who} 添加了{kind}：{new}"
    if entry.action == "agreement":
        return f"{who} 登记了合作协议：{new}"
    if entry.action == "assign":
        if entry.new_value is None:
            return f"{who} 取消了负责人 {old}"
        return (
            f"{who} 把负责人设为 {new}" if entry.old_value is None else f"{who} 把负责人从 {old} 改为 {new}"
        )
    if entry.action == "status":
        return f"{who} 把状态从 {old} 改为 {new}"
    if entry.old_value is None:
        return f"{who} 填写了{label}：{new}"
    if entry.new_value is None:
        return f"{who} 清空了{label}（原为 {old}）"
    return f"{who} 把{label}从 {old} 改为 {new}"
