"""Talk around a value: "就叫…吧", a question about how to answer, before the value itself."""

from __future__ import annotations

import pytest

from chanyan.intake.talk import is_deferral, is_only_back_reference, strip_talk


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


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("描述里写了，准确率99.5%以上", "准确率99.5%以上"),
        ("跟上面说的一样，温差≤3℃", "温差≤3℃"),
        ("我刚刚说过了呀，寿命5000小时", "寿命5000小时"),
        ("指标的话，响应时间<200ms", "响应时间<200ms"),
        ("好问题，我想想，大概是效率提高20%", "大概是效率提高20%"),
        ("标题就写智能分拣系统吧", "智能分拣系统"),
    ],
)
def test_back_references_topics_and_thinking_aloud_are_stripped(text, value):
    assert strip_talk(text) == value


@pytest.mark.parametrize("text", ["温度高的话，产品会开裂", "对齐精度0.1mm"])
def test_a_condition_or_a_word_starting_like_talk_is_kept(text):
    assert strip_talk(text) == text


@pytest.mark.parametrize("text", ["同上", "和描述里的一样", "对，就是刚才那两个指标", "刚才说了"])
def test_pointing_back_without_a_value(text):
    assert is_only_back_reference(text)


def test_not_being_able_to_say_yet_is_a_deferral():
    assert is_deferral("暂时说不上来")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("我们车间的粉尘太大了，想做个除尘系统，先不说预算", "我们车间的粉尘太大了，想做个除尘系统"),
        ("钱的话回头再说，我们想做热泵烘干系统。时间也以后再说", "我们想做热泵烘干系统"),
        ("想做注塑件视觉检测，对了你们能签保密协议吗？", "想做注塑件视觉检测"),
        ("刚才说的那个需求，就是变压器局放在线监测", "变压器局放在线监测"),
        ("600度摩擦系数0.35以上，说过了", "600度摩擦系数0.35以上"),
    ],
)
def test_clauses_that_are_only_talk_are_dropped_from_a_longer_value(text, value):
    assert strip_talk(text) == value


def test_a_deferral_alone_is_left_for_the_caller():
    assert strip_talk("先不说了") == "先不说了"


def test_a_comment_or_who_is_pressing_is_no_part_of_the_targets():
    value = strip_talk("耐磨要过一万次钢丝球测试，耐温260度，这个是硬杠杠，客户那边天天催")
    assert value == "耐磨要过一万次钢丝球测试，耐温260度"
