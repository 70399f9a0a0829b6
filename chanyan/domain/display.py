"""Slot values as short Chinese display strings, for the summary (确认单) and the CLI."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chanyan.domain.money import format_budget
from chanyan.domain.schema import SKIPPED, SLOT_LABELS, SLOT_NAMES

# Finds a taxonomy code: {"name", "sub_name", ...} or None (the taxonomy is data the caller loads).
DomainLookup = Callable[[str], "dict | None"]

NOT_GIVEN = "未提供"


def format_timeline(timeline: dict | None) -> str:
    if not timeline:
        return NOT_GIVEN
    if timeline.get("deadline"):
        return (
            f"{timeline['deadline']}前（{timeline.get('text', '')}）"
            if timeline.get("text")
            else timeline["deadline"]
        )
    if timeline.get("months"):
        return f"{timeline['months']}个月内"
    return timeline.get("text") or "不限"


def format_domain(code: str | None, find_domain: DomainLookup | None = None) -> str:
    if not code:
        return NOT_GIVEN
    found = find_domain(str(code)) if find_domain else None
    if not found:
        return str(code)
    if found.get("sub_name"):
        return f"{found['name']} / {found['sub_name']}"
    return found["name"]


def format_partner(partner: Any) -> str:
    if not partner or partner == SKIPPED:
        return NOT_GIVEN
    if isinstance(partner, str):
        return partner
    parts = ["、".join(partner.get(key) or []) for key in ("types", "names", "regions")]
    return "；".join(p for p in parts if p) or NOT_GIVEN


def format_list(values: Any) -> str:
    if not values:
        return NOT_GIVEN
    if isinstance(values, str):
        return values
    return "、".join(str(v) for v in values)


def format_slot(name: str, value: Any, find_domain: DomainLookup | None = None) -> str:
    """One slot value for people to read (`find_domain` names a taxonomy code; without it the code is shown)."""
    if value in (None, "", SKIPPED):
        return NOT_GIVEN
    formatters = {
        "budget": format_budget,
        "timeline": format_timeline,
        "tech_domain": lambda code: format_domain(code, find_domain),
        "partner_preference": format_partner,
        "coop_mode": format_list,
    }
    formatter = formatters.get(name)
    return formatter(value) if formatter else str(value)


def summary_values(slots: dict[str, Any], find_domain: DomainLookup | None = None) -> dict[str, str]:
    """Every interview slot formatted, keyed `<slot>_text`, plus `summary_lines`: the whole read-back (确认单)
    as "【label】value" lines in the schema's labels, the need's title first."""
    values = {f"{name}_text": format_slot(name, slots.get(name), find_domain) for name in SLOT_NAMES}
    order = ("need_title", *(name for name in SLOT_NAMES if name != "need_title"))
    values["summary_lines"] = "\n".join(f"【{SLOT_LABELS[name]}】{values[f'{name}_text']}" for name in order)
    return values
