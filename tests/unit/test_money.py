"""Amounts are shown exactly, with their units, however large or odd."""

from __future__ import annotations

import pytest

from chanyan.domain.money import format_budget, wan_text, wan_to_yuan, yuan


@pytest.mark.parametrize(
    "amount, text",
    [(1234567, "123.4567万元"), (12_000_000, "1200万元"), (500_000, "50万元"), (5000, "5000元"), (10_000, "1万元"),
     (12.5, "12.5元"), (300_000_000, "30000万元")],
)  # fmt: skip
def test_yuan_is_exact(amount, text):
    assert yuan(amount) == text


@pytest.mark.parametrize(
    "budget, text",
    [({"kind": "range", "min_cny": 500_000, "max_cny": 800_000}, "50–80万元"),
     ({"kind": "range", "min_cny": 5000, "max_cny": 800_000}, "5000元–80万元"),
     ({"kind": "range", "min_cny": 3000, "max_cny": 8000}, "3000–8000元"),
     ({"kind": "upper_bound", "min_cny": None, "max_cny": 1_000_000}, "不超过100万元"),
     ({"kind": "approx", "min_cny": 1_234_567, "max_cny": 1_234_567}, "约123.4567万元"),
     ({"kind": "approx", "min_cny": 500_000, "max_cny": 600_000}, "50–60万元"),
     ({"kind": "upper_bound", "min_cny": 200_000, "max_cny": 1_000_000}, "20–100万元"),
     ({"kind": "negotiable"}, "面议"), ({"kind": "unknown"}, "暂不确定"), (None, "未提供")],
)  # fmt: skip
def test_budgets_read_as_people_write_them(budget, text):
    assert format_budget(budget) == text


def test_wan_round_trips_exactly():
    assert wan_text(1_234_567) == "123.4567"
    assert wan_to_yuan(123.4567) == 1_234_567
    assert wan_to_yuan(0.05) == 500
