"""Targets said inside a description."""

from __future__ import annotations

from chanyan.intake.targets import find_targets


def test_a_target_with_a_counted_chinese_number():
    assert find_targets("想把人工分拣改成机器人分拣，每小时要分拣一万件以上") == "每小时要分拣一万件以上"


def test_money_is_not_a_target():
    assert find_targets("预算50万以内，明年6月前") is None


def test_dictated_text_is_cut_at_its_pauses():
    voice = (
        "喂 你好 我们是一个面粉厂 车间里粉尘浓度老是高 想弄一套在线监测 钱的话大概一百二十万 三个月之内要弄好"
    )
    assert find_targets(voice) is None
    assert find_targets("粉尘浓度压到每立方米10毫克以下 超了两秒之内就要报警") == (
        "粉尘浓度压到每立方米10毫克以下，超了两秒之内就要报警"
    )
