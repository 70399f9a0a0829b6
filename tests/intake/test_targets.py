"""Targets said inside a description."""

from __future__ import annotations

from chanyan.intake.targets import find_targets


def test_a_target_with_a_counted_chinese_number():
    assert find_targets("想把人工分拣改成机器人分拣，每小时要分拣一万件以上") == "每小时要分拣一万件以上"


def test_money_is_not_a_target():
    assert find_targets("预算50万以内，明年6月前") is None
