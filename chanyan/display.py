"""Slot values as short Chinese display strings, for the summary (确认单) and the CLI."""

from __future__ import annotations

from typing import Any

from chanyan.schema import SKIPPED, SLOT_NAMES

NOT_GIVEN = "未提供"
TEN_THOUSAND = 10_000


def yuan(amount: int | float | None) -> str:
    """12000000 → "1200万元"; 5000 → "5000元"."""
    if amount is None:
        return "?"
    if amount >= TEN_THOUSAND and amount % 100 == 0:
        wan = amount / TEN_THOUSAND
        return f"{wan:g}万元"
    return f"{amount:g}元"


def format_budget(budget: dict | None) -> str:
    if not budget:
        return NOT_GIVEN
    kind = budget.get("kind")
    low, high = budget.get("min_cny"), budget.get("max_cny")
    if kind == "negotiable":
        return "面议"
    if kind == "unknown":
        return "暂不确定"
    if kind == "range" and low is not None and high is not None:
        return f"{yuan(low).removesuffix('万元').removesuffix('元')}–{yuan(high)}"
    if kind == "upper_bound" and high is not None:
        return f"不超过{yuan(high)}"
    if kind == "approx":
        return f"约{yuan(low if low is not None else high)}"
    if low is not None:
        return yuan(low)
    return budget.get("text") or NOT_GIVEN


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


def format_domain(code: str | None) -> str:
    if not code:
        return NOT_GIVEN
    from chanyan.extraction import get_extractor  # heavy (spaCy): load only when a domain is shown

    found = get_extractor().taxonomy.find(str(code))
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


def format_slot(name: str, value: Any) -> str:
    """One slot value for people to read."""
    if value in (None, "", SKIPPED):
        return NOT_GIVEN
    formatters = {
        "budget": format_budget,
        "timeline": format_timeline,
        "tech_domain": format_domain,
        "partner_preference": format_partner,
        "coop_mode": format_list,
    }
    formatter = formatters.get(name)
    return formatter(value) if formatter else str(value)


def summary_values(slots: dict[str, Any]) -> dict[str, str]:
    """Every interview slot formatted, keyed `<slot>_text`, for the summary response template."""
    return {f"{name}_text": format_slot(name, slots.get(name)) for name in SLOT_NAMES}
