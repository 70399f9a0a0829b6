"""How the interview reads messages about the enterprise's filed requests, outside and inside the form."""

from __future__ import annotations

import pytest

from chanyan.intake import own
from chanyan.intake.turn import outside_turn, process_turn

REF = "XQ-20261125-0007"
FILED = {"last_request_ref": REF}


@pytest.mark.parametrize(
    "text",
    [
        "我的需求进展到哪了",
        "您好，我们上次提的需求现在怎么样了？",
        "請問我的需求處理到哪一步了",
        "之前提的那个单子咋样了",
        "有人跟进了吗",
        "帮我查查进度",
        "我们那个需求现在什么情况了？",
    ],
)
def test_status_questions_outside_the_form(text):
    result = outside_turn(text, {})
    assert result.own is not None and result.own.kind == own.STATUS and result.own.ref is None
    assert not result.start_form


@pytest.mark.parametrize(
    "text, ref",
    [
        ("查一下XQ-20261125-0007", REF),
        ("xq 20261125 0007 现在啥状态", REF),
        ("ＸＱ－２０２６１１２５－０００７", REF),
    ],
)
def test_a_reference_number_is_read_in_any_form(text, ref):
    result = outside_turn(text, {})
    assert result.own.kind == own.STATUS and result.own.ref == ref


@pytest.mark.parametrize(
    "text",
    [
        "我们要做一个项目进度管理系统",
        "我们的项目进度要求很紧，希望明年6月前完成机器视觉检测",
        "想实时监控产线的生产进度和设备状态，预算30万",
    ],
)
def test_a_need_that_mentions_progress_is_a_need(text):
    result = outside_turn(text, {})
    assert result.own is None and result.start_form


def test_a_status_question_mid_interview_is_answered_and_the_question_asked_again():
    slots = {"need_description": "注塑件表面缺陷检测", "draft_id": "d"}
    result = process_turn("对了，我上次提交的需求有进展吗？", "budget", slots)
    assert result.own.kind == own.STATUS and result.ask == "budget"
    assert "budget" not in result.slots
    # An answer is still an answer.
    answer = process_turn("50万左右", "budget", slots)
    assert answer.own is None and answer.slots["budget"]["min_cny"] == 500000


def test_the_phone_tail_answers_the_pending_check_even_inside_the_form():
    pending = {"kind": "verify", "ref": REF, "failures": 0}
    slots = {"own_request_pending": pending, "draft_id": "d"}
    result = process_turn("后四位是5678", "budget", slots)
    assert (result.own.kind, result.own.tail, result.own.ref) == (own.VERIFY, "5678", REF)
    assert result.ask == "budget"
    outside = outside_turn("5678", {"own_request_pending": pending})
    assert outside.own.kind == own.VERIFY
    # Anything else lets the check lapse and is read as usual.
    lapsed = outside_turn("你们收费吗？", {"own_request_pending": pending})
    assert lapsed.own is None and lapsed.slots["own_request_pending"] is None
    assert lapsed.say == [("utter_faq_cost", {})]


def test_a_withdrawal_is_asked_to_confirm_and_a_no_keeps_the_request():
    asked = outside_turn("这个需求我们不做了，撤回", FILED)
    assert asked.own.kind == own.WITHDRAW and "不做了" in asked.own.text
    pending = {**FILED, "own_request_pending": {"kind": "withdraw", "ref": REF}}
    for yes in ("确认撤回", "是的", "撤回吧"):
        assert outside_turn(yes, pending).own.kind == own.CONFIRM_WITHDRAW
    for no in ("先不撤", "算了，保留吧", "不了"):
        assert outside_turn(no, pending).own.kind == own.KEEP
    assert outside_turn("這個需求我們不做了，撤回", FILED).own.kind == own.WITHDRAW


def test_inside_the_form_only_a_withdrawal_of_a_filed_request_counts():
    slots = {"need_description": "注塑件表面缺陷检测", "draft_id": "d", **FILED}
    assert process_turn("撤回之前提交的需求", "budget", slots).own.kind == own.WITHDRAW
    plain = process_turn("不做了，撤回", "budget", slots)
    assert plain.own is None


def test_an_addition_needs_a_filed_request_and_keeps_the_user_s_words():
    result = outside_turn("補充一下：我們還需要夜間檢測", FILED)
    assert result.own.kind == own.SUPPLEMENT and result.own.text == "我們還需要夜間檢測"
    empty = outside_turn("我想补充一下", FILED)
    assert empty.own.kind == own.SUPPLEMENT and empty.own.text is None
    with_ref = outside_turn(f"给{REF}补充：样品可以寄过去", {})
    assert with_ref.own.ref == REF and with_ref.own.text == "样品可以寄过去"
    # Nothing filed yet: "补充一下" opens with a need.
    assert outside_turn("补充一下，我们是做汽车零部件的，想做焊缝检测", {}).own is None


def test_the_menu_payload_asks_for_the_status():
    result = outside_turn("/ask_status", {}, intent="ask_status", intent_confidence=1.0)
    assert result.own.kind == own.STATUS


def test_a_word_of_addition_inside_a_need_is_no_addition():
    assert outside_turn("我们想做一个原料自动补充系统，预算50万", FILED).own is None


def test_menu_clicks_mid_interview_are_never_answers():
    slots = {"need_description": "注塑件表面缺陷检测", "draft_id": "d", "contact_phone": "13912345678"}
    handoff = process_turn("/handoff", "budget", slots, intent="handoff", intent_confidence=1.0)
    assert handoff.handoff and handoff.ask == "budget" and "budget" not in handoff.slots
    helped = process_turn("/faq_process", "timeline", slots, intent="faq_process", intent_confidence=1.0)
    assert helped.say == [("utter_faq_process", {})] and helped.ask == "timeline"
    status = process_turn("/ask_status", "timeline", slots, intent="ask_status", intent_confidence=1.0)
    assert status.own.kind == own.STATUS and status.ask == "timeline"


def test_the_classifier_alone_needs_a_word_of_progress():
    assert (
        outside_turn("查一下你们能做专利检索吗", {}, intent="ask_status", intent_confidence=0.95).own is None
    )
    found = outside_turn("我们那单审核完没", {}, intent="ask_status", intent_confidence=0.95).own
    assert found is not None and found.kind == own.STATUS
