"""Talk around a value: "就叫…吧", a question about how to answer, before the value itself."""

from __future__ import annotations

import pytest

from chanyan.intake.talk import strip_talk


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("就叫SiC晶圆激光隐切崩边改善吧", "SiC晶圆激光隐切崩边改善"),
        ("一般怎么起？就叫变压器局放在线监测吧", "变压器局放在线监测"),
        ("名字怎么写比较好？叫做热泵烘干控制系统", "热泵烘干控制系统"),
    ],
)
def test_naming_talk_is_stripped(text, value):
    assert strip_talk(text) == value


def test_a_question_that_is_the_need_is_kept():
    assert strip_talk("我们想知道怎么提高良率？") == "我们想知道怎么提高良率？"
