"""Amounts of money in 元 and 万元: exact formatting for people and the conversions staff type in.

Budgets are stored as whole yuan; people read and type them in 万元 (ten thousand yuan).
"""

from __future__ import annotations

from decimal import Decimal

TEN_THOUSAND = 10_000
# The largest amount staff may type, in 万元 (10^11 yuan): a guard against typing errors, not a policy.
MAX_WAN = 10_000_000


def wan_text(amount: int | float | None) -> str:
    """Yuan as an exact number of 万元, without trailing zeros: 1234567 -> "123.4567", 500000 -> "50"."""
    if amount is None:
        return ""
    return format((Decimal(str(amount)) / TEN_THOUSAND).normalize(), "f")


def yuan_text(amount: int | float) -> str:
    """Yuan as an exact number of 元: 5000 -> "5000", 12.5 -> "12.5"."""
    return format(Decimal(str(amount)).normalize(), "f")


def yuan(amount: int | float | None) -> str:
    """An amount with its unit, exactly: 12000000 -> "1200万元", 1234567 -> "123.4567万元", 5000 -> "5000元"."""
    if amount is None:
        return "?"
    if abs(amount) >= TEN_THOUSAND:
        return f"{wan_text(amount)}万元"
    return f"{yuan_text(amount)}元"


def amount_range(low: int | float, high: int | float) -> str:
    """A range with the unit once when both ends share it: "50–80万元", "5000元–80万元"."""
    low_text, high_text = yuan(low), yuan(high)
    if low_text.endswith("万元") and high_text.endswith("万元"):
        return f"{low_text.removesuffix('万元')}–{high_text}"
    if (
        low_text.endswith("元")
        and high_text.endswith("元")
        and not high_text.endswith("万元")
        and not low_text.endswith("万元")
    ):
        return f"{low_text.removesuffix('元')}–{high_text}"
    return f"{low_text}–{high_text}"


def wan_to_yuan(value: float) -> int:
    """An amount typed in 万元 as whole yuan (50.5 -> 505000)."""
    return round(Decimal(str(value)) * TEN_THOUSAND)


def format_budget(budget: dict | None, *, not_given: str = "未提供") -> str:
    """A budget dict of design.md (min_cny, max_cny, kind, text) as a short Chinese text."""
    if not budget:
        return not_given
    kind = budget.get("kind")
    low, high = budget.get("min_cny"), budget.get("max_cny")
    if kind == "negotiable":
        return "面议"
    if kind == "unknown":
        return "暂不确定"
    # Two different ends read as a range whatever the kind says (staff typing 上限 60 on "约50万" mean 50–60).
    if (
        kind in ("range", "approx", "exact", "upper_bound")
        and low is not None
        and high is not None
        and low != high
    ):
        return amount_range(low, high)
    if kind == "upper_bound" and high is not None:
        return f"不超过{yuan(high)}"
    if kind == "approx":
        return f"约{yuan(low if low is not None else high)}"
    if low is not None:
        return yuan(low)
    return budget.get("text") or not_given
