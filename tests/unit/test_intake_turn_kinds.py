"""Turn kinds mid-form and at the summary: corrections said as "不是X是Y", pauses, natural confirmations,
questions the FAQ does not cover, the cooperation block asked as one question, values said in passing."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from chanyan.intake.answers import parse_answer, partner_of
from chanyan.intake.turn import PAUSE, REVIEW_SLOT, outside_turn, process_turn, question_for

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
FILLED = {
    "draft_id": "d",
    "need_description": "井下皮带机纵向撕裂，想要在线检测",
    "budget": {"min_cny": 400000, "max_cny": 400000, "kind": "exact", "text": "40万"},
    "timeline": {"deadline": "2027-06-30", "text": "明年6月前"},
    "coop_mode": ["技术开发(委托开发)"],
}


def turn(text, requested=None, slots=None, **kwargs):
    kwargs.setdefault("now", NOW)
    return process_turn(text, requested, {"draft_id": "d", **(slots or {})}, **kwargs)


def test_a_correction_said_as_not_x_but_y_changes_that_field_and_asks_the_pending_question_again():
    result = turn(
        "等下，合作方式不是委托开发，是合作开发，我们的老师傅也一起弄", "partner_preference", FILLED
    )
    assert result.slots["coop_mode"] == ["技术开发(合作开发)"]
    assert "partner_preference" not in result.slots
    assert result.ask == "partner_preference"
    assert result.changed == ["coop_mode"]


def test_two_corrections_in_one_message_mid_form_are_both_applied():
    result = turn("等下，预算不是40万，是封顶35万；时间也改成明年五一前", "ip_preference", FILLED)
    assert result.slots["budget"]["max_cny"] == 350000
    assert result.slots["budget"]["kind"] == "upper_bound"
    assert result.slots["timeline"]["deadline"] in ("2027-04-30", "2027-05-01")
    assert "ip_preference" not in result.slots
    assert result.ask == "ip_preference"


@pytest.mark.parametrize("text", ["等会儿再说，来客户了", "一会儿再填", "待会儿再弄吧"])
def test_later_said_in_other_words_pauses(text):
    assert turn(text, "coop_mode", FILLED).stop == PAUSE


@pytest.mark.parametrize(
    "text", ["嗯呐", "没问题就这么报", "OK提交", "對，確認", "对的，提交", "没毛病，提交", "可中"]
)
def test_natural_confirmations_at_the_summary_file_the_request(text):
    assert turn(text, REVIEW_SLOT, FILLED).slots.get(REVIEW_SLOT) is True


@pytest.mark.parametrize(
    ("text", "requested", "response"),
    [
        ("钱这块付款方式是怎么弄的？先付还是做完再付？", "budget", "utter_faq_payment"),
        ("能线下见面谈吗？", "enterprise_name", "utter_faq_meeting"),
        ("你们以前做过类似的案例吗？", "enterprise_name", "utter_faq_other"),
        ("合作开发的话一般要多久？", "ip_preference", "utter_faq_other"),
    ],
)
def test_a_question_mid_form_is_answered_never_stored_and_the_question_is_asked_again(
    text, requested, response
):
    result = turn(text, requested, FILLED)
    assert (response, {}) in result.say
    assert requested not in result.slots
    assert result.ask == requested
    assert not result.error


def test_the_cooperation_block_is_one_question_while_its_fields_are_open():
    assert question_for("coop_mode", {})[0] == "utter_ask_coop_mode_and_ip_preference_and_partner_preference"
    assert (
        question_for("coop_mode", {"ip_preference": "双方共有"})[0]
        == "utter_ask_coop_mode_and_partner_preference"
    )
    assert (
        question_for("coop_mode", {"ip_preference": "x", "partner_preference": "y"})[0]
        == "utter_ask_coop_mode"
    )


def test_one_reply_to_the_cooperation_block_fills_all_three():
    result = turn("委托开发，双方共有，清华或者浙大", "coop_mode", FILLED)
    assert result.slots["coop_mode"] == ["技术开发(委托开发)"]
    assert result.slots["ip_preference"] == "双方共有"
    assert set(result.slots["partner_preference"]["names"]) == {"清华大学", "浙江大学"}


def test_a_reply_with_only_the_mode_leaves_the_others_to_their_own_questions():
    result = turn("委托开发或者合作开发都可以", "coop_mode", FILLED)
    assert set(result.slots["coop_mode"]) == {"技术开发(委托开发)", "技术开发(合作开发)"}
    assert "ip_preference" not in result.slots
    assert "partner_preference" not in result.slots


def test_a_plain_word_joined_to_a_named_mode_adds_its_mode():
    assert parse_answer("coop_mode", "技术咨询，再加上检测", {}) == ["技术咨询", "技术服务"]


def test_a_timeline_answer_that_mentions_a_plan_is_not_a_cooperation_mode():
    slots = {k: v for k, v in FILLED.items() if k not in ("coop_mode", "timeline")}
    result = turn("半年内能出方案就行", "timeline", slots)
    assert result.slots["timeline"]["months"] == 6
    assert "coop_mode" not in result.slots


def test_the_domain_named_in_the_users_own_words_is_taken():
    candidates = [
        {
            "code": "70",
            "name": "资源与环境",
            "sub_code": "701",
            "sub_name": "水污染控制与水资源利用技术",
            "score": 0.3,
        },
    ]
    assert parse_answer("tech_domain", "食品加工", {"domain_candidates": candidates}) == "206"


def test_a_need_with_no_taxonomy_term_still_opens_the_interview():
    text = "我们茶厂做白茶的，萎凋全靠天，阴雨天萎凋不透，想搞一套能控温控湿的萎凋设备和工艺"
    assert outside_turn(text, {}, now=NOW).start_form


def test_a_master_worker_is_not_a_university():
    assert partner_of("我们自己的老师傅也要一起弄")["types"] == []


@pytest.mark.parametrize(
    ("text", "requested", "slot", "check"),
    [
        ("哦不对，还是合作开发吧", "ip_preference", "coop_mode", lambda v: v == ["技术开发(合作开发)"]),
        ("不是40万，是80万", "partner_preference", "budget", lambda v: v["max_cny"] == 800000),
        ("算了，预算还是写60万吧，稳妥点", "enterprise_name", "budget", lambda v: v["max_cny"] == 600000),
    ],
)
def test_a_correction_that_does_not_name_its_field_or_opens_with_talk_changes_only_that_field(
    text, requested, slot, check
):
    result = turn(text, requested, FILLED)
    assert check(result.slots[slot])
    assert requested not in result.slots
    assert result.ask == requested
    assert not result.error


@pytest.mark.parametrize(
    ("text", "slot", "check"),
    [
        ("哦不对，还是合作开发吧", "coop_mode", lambda v: v == ["技术开发(合作开发)"]),
        ("不是40万，是80万", "budget", lambda v: v["max_cny"] == 800000),
        ("还是按100万吧", "budget", lambda v: v["max_cny"] == 1000000),
    ],
)
def test_at_the_summary_a_value_that_names_its_field_corrects_it(text, slot, check):
    result = turn(text, REVIEW_SLOT, {**FILLED, "ip_preference": "归企业所有"})
    assert check(result.slots[slot])
    assert result.changed == [slot]
    assert result.slots[REVIEW_SLOT] is None


@pytest.mark.parametrize("text", ["有个地方不对", "还要改", "等一下我改一下", "错了"])
def test_a_denial_at_the_summary_asks_which_field(text):
    assert turn(text, REVIEW_SLOT, FILLED).error == "review_which_field"


@pytest.mark.parametrize("text", ["确认提交吧谢谢", "没什么要改的", "就按这个来", "对滴", "不用改了"])
def test_more_confirmations_at_the_summary(text):
    assert turn(text, REVIEW_SLOT, FILLED).slots.get(REVIEW_SLOT) is True


@pytest.mark.parametrize(
    ("text", "requested", "slot"),
    [("清华可以吗？", "partner_preference", "partner_preference"), ("50万够吗？", "budget", "budget")],
)
def test_a_tentative_answer_ending_in_a_question_is_an_answer(text, requested, slot):
    slots = {k: v for k, v in FILLED.items() if k != requested}
    result = turn(text, requested, slots)
    assert slot in result.slots
    assert not result.say


@pytest.mark.parametrize("text", ["专家是哪些学校的？", "委托开发可以吗？"])
def test_a_question_while_the_company_is_asked_is_never_the_company(text):
    result = turn(text, "enterprise_name", FILLED)
    assert "enterprise_name" not in result.slots
    assert result.ask == "enterprise_name"


def test_asking_what_two_modes_differ_in_explains_the_modes_and_stores_nothing():
    result = turn("合作开发和委托开发有啥区别？", "ip_preference", FILLED)
    assert result.say == [("utter_explain_coop_mode", {})]
    assert "ip_preference" not in result.slots


def test_a_budget_with_a_remark_after_it_is_read_from_its_clause():
    slots = {k: v for k, v in FILLED.items() if k not in ("budget", "timeline")}
    result = turn("那先面议吧，回头跟专员细聊，明年6月底前", "budget", slots)
    assert result.slots["budget"]["kind"] == "negotiable"
    assert result.slots["timeline"]["deadline"] == "2027-06-30"
    assert not result.handoff


@pytest.mark.parametrize(
    ("text", "stop"),
    [("算了不提交了", "cancel"), ("先不提交，我再想想", "pause"), ("等一下，我问问老板再确认", "pause")],
)
def test_the_summary_can_be_cancelled_or_put_off_in_plain_words(text, stop):
    assert turn(text, REVIEW_SLOT, FILLED).stop == stop


@pytest.mark.parametrize(
    ("text", "slot"),
    [
        ("上一个需求的联系人写错了，应该是李明", "contact_name"),
        ("我刚刚报的那个需求时间要改一下，改成明年底", "timeline"),
        ("刚才那个需求，预算改成60万", "budget"),
    ],
)
def test_an_edit_of_the_request_filed_last_is_applied_to_it(text, slot):
    out = outside_turn(
        text, {"last_request_ref": "XQ-20261125-0001", "contact_phone": "13912345678"}, now=NOW
    )
    assert slot in (out.amend or {})
    assert not out.start_form


def test_another_need_after_filing_starts_a_new_interview():
    assert outside_turn("我还想再提一个需求", {"last_request_ref": "XQ-20261125-0001"}, now=NOW).start_form


def test_anything_goes_for_the_cooperation_sets_no_ip_or_partner_and_asks_the_mode_again():
    slots = {k: v for k, v in FILLED.items() if k != "coop_mode"}
    result = turn("都可以，你们看着办", "coop_mode", slots)
    assert result.error == "coop_unparsed"
    assert "ip_preference" not in result.slots and "partner_preference" not in result.slots


def test_a_date_change_while_the_targets_are_asked_is_applied_and_no_target():
    slots = {**FILLED, "need_title": "无氟涂层"}
    result = turn("哦不对，明年五一太赶了，明年国庆前就行，我们老厂长说了宁可晚一点", "tech_targets", slots)
    assert result.changed == ["timeline"]
    assert "tech_targets" not in result.slots
    assert result.ask == "tech_targets"


def test_a_skilled_worker_in_the_opening_leaves_the_partner_question_open():
    opening = "你好 我哋係阳江整菜刀嘅 开刃全靠老师傅 而家揾唔到后生仔做 想整部机器自动开刃"
    assert outside_turn(opening, {}, now=NOW).start_form
    result = turn(opening)
    assert not result.slots.get("partner_preference")


@pytest.mark.parametrize(
    ("text", "slot", "value"),
    [
        ("你哋帮我揾人整 我出钱", "coop_mode", ["技术开发(委托开发)"]),
        ("冇所谓", "ip_preference", "无要求"),
    ],
)
def test_cantonese_answers(text, slot, value):
    assert parse_answer(slot, text, {}, now=NOW) == value


def test_cantonese_partner_and_confirmation():
    assert partner_of("广东嘅大学就得") == {"types": ["高校"], "names": [], "regions": ["广东"]}
    result = turn("得 冇问题", REVIEW_SLOT, {**FILLED, "need_title": "菜刀开刃机"})
    assert result.slots.get(REVIEW_SLOT)
