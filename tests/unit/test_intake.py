"""The interview logic: what one message fills, what it is asked again for, what counts as a question."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from chanyan.domain.schema import SKIPPED
from chanyan.intake.titles import propose_title
from chanyan.intake.turn import REVIEW_SLOT, process_turn, question_for

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
RICH = (
    "我们是苏州精工机械有限公司，想用机器视觉检测零件表面划痕，预算50万左右，明年6月前完成，电话13912345678"
)


def turn(text, requested=None, slots=None, **kwargs):
    kwargs.setdefault("now", NOW)
    return process_turn(text, requested, slots or {}, **kwargs)


def test_a_rich_first_message_fills_every_slot_it_mentions():
    result = turn(RICH, intent="describe_need", intent_confidence=0.9)
    slots = result.slots
    assert slots["need_description"] == RICH
    assert slots["enterprise_name"] == "苏州精工机械有限公司"
    assert slots["budget"]["min_cny"] == 500000
    assert slots["timeline"]["deadline"] == "2027-06-30"
    assert slots["contact_phone"] == "13912345678"
    assert "机器视觉" in slots["need_title"]
    assert slots["domain_candidates"][0]["code"] == "80"
    assert slots["draft_id"]
    assert not result.error and not result.interruption


def test_an_answer_fills_the_requested_slot_and_never_overwrites_earlier_answers():
    slots = {"budget": {"min_cny": 1, "max_cny": 1, "kind": "exact", "text": "1元"}, "draft_id": "d"}
    result = turn("王经理，预算其实80万", "contact_name", slots)
    assert result.slots["contact_name"] == "王经理"
    assert "budget" not in result.slots


def test_an_invalid_phone_is_rejected_with_a_reason_and_counted():
    result = turn("1391234", "contact_phone", {"draft_id": "d"})
    assert result.error == "phone_invalid"
    assert "contact_phone" not in result.slots
    assert result.failures == {"contact_phone": 1}
    assert not result.explain
    again = turn("139123", "contact_phone", {"draft_id": "d"}, failures=result.failures)
    assert again.explain


def test_a_valid_answer_after_misses_clears_the_failure_count():
    result = turn("139 1234 5678", "contact_phone", {"draft_id": "d"}, failures={"contact_phone": 2})
    assert result.slots["contact_phone"] == "13912345678"
    assert result.failures == {}


@pytest.mark.parametrize("text", ["", "   ", "😀😀", "！！！"])
def test_empty_and_emoji_answers_are_asked_again(text):
    result = turn(text, "need_description", {"draft_id": "d"})
    assert result.error == "empty"
    assert not result.interruption


def test_a_confident_faq_during_a_free_text_question_is_answered_and_the_question_asked_again():
    result = turn(
        "你们收费吗", "enterprise_name", {"draft_id": "d"}, intent="faq_cost", intent_confidence=0.93
    )
    assert result.interruption
    assert ("utter_faq_cost", {}) in result.say
    assert result.ask == "enterprise_name"
    assert "enterprise_name" not in result.slots


def test_a_parsable_answer_to_a_closed_question_wins_over_the_classifier():
    result = turn("50万", "budget", {"draft_id": "d"}, intent="chitchat", intent_confidence=0.9)
    assert not result.interruption
    assert result.slots["budget"]["min_cny"] == 500000


def test_skipping_an_optional_question_is_an_answer():
    assert turn("跳过", "contact_email", {"draft_id": "d"}).slots["contact_email"] == SKIPPED
    assert turn("没有", "tech_targets", {"draft_id": "d"}).slots["tech_targets"] == SKIPPED


def test_domain_question_accepts_an_index_a_code_a_name_and_yes():
    candidates = [
        {"code": "80", "name": "先进制造与自动化", "sub_code": "803", "sub_name": "x", "score": 0.8},
        {"code": "10", "name": "电子信息", "sub_code": "101", "sub_name": "软件", "score": 0.4},
    ]
    slots = {"domain_candidates": candidates, "draft_id": "d"}
    assert turn("2", "tech_domain", slots).slots["tech_domain"] == "101"
    assert turn("是的", "tech_domain", slots).slots["tech_domain"] == "803"
    assert turn("新材料", "tech_domain", slots).slots["tech_domain"] == "40"
    assert turn("嗯嗯就是这个", "tech_domain", slots).slots["tech_domain"] == "803"
    assert turn("第二个吧", "tech_domain", slots).slots["tech_domain"] == "101"
    assert turn("对的 软件那个", "tech_domain", slots).slots["tech_domain"] == "101"
    assert turn("你看着弄吧", "tech_domain", slots).slots["tech_domain"] == "803"
    assert turn("", "tech_domain", slots, choice="101").slots["tech_domain"] == "101"
    other = turn("其他", "tech_domain", slots)
    assert other.error == "domain_other"
    assert len(other.slots["domain_candidates"]) == 8


def test_coop_mode_buttons_and_words():
    assert turn("", "coop_mode", {"draft_id": "d"}, choice="技术转让").slots["coop_mode"] == ["技术转让"]
    assert turn("委托开发吧", "coop_mode", {"draft_id": "d"}).slots["coop_mode"] == ["技术开发(委托开发)"]
    assert turn("随便聊聊", "coop_mode", {"draft_id": "d"}).error == "coop_unparsed"


def test_confirming_the_summary():
    for word in ("确认", "确认提交", "没问题", "好的", "对"):
        assert turn(word, REVIEW_SLOT, {"draft_id": "d"}).slots[REVIEW_SLOT] is True
    assert turn("", REVIEW_SLOT, {"draft_id": "d"}, choice="confirm").slots[REVIEW_SLOT] is True


def test_corrections_at_the_summary_change_the_named_fields():
    slots = {"budget": {"min_cny": 500000}, "contact_name": "王经理", "tech_domain": "803", "draft_id": "d"}
    result = turn("预算改成80万，联系人换成李经理", REVIEW_SLOT, slots)
    assert result.slots["budget"]["min_cny"] == 800000
    assert result.slots["contact_name"] == "李经理"
    assert result.slots[REVIEW_SLOT] is None
    domain = turn("领域不对，应该是新材料", REVIEW_SLOT, slots)
    assert domain.slots["tech_domain"] == "40"


def test_a_correction_without_a_value_clears_the_field_so_it_is_asked_again():
    result = turn("领域不对", REVIEW_SLOT, {"tech_domain": "803", "draft_id": "d"})
    assert result.slots["tech_domain"] is None


def test_a_bare_phone_number_at_the_summary_replaces_the_phone():
    result = turn("手机号写错了 13800138000", REVIEW_SLOT, {"contact_phone": "13912345678", "draft_id": "d"})
    assert result.slots["contact_phone"] == "13800138000"


def test_an_unclear_reply_at_the_summary_is_asked_again():
    assert turn("嗯……我再想想", REVIEW_SLOT, {"draft_id": "d"}).error == "review_unclear"
    assert turn("不对", REVIEW_SLOT, {"draft_id": "d"}).error == "review_which_field"


def test_a_very_long_message_is_kept_and_does_not_crash():
    text = "我们想用机器视觉检测零件表面划痕。" * 400
    result = turn(text, "need_description", {"draft_id": "d"})
    assert len(result.slots["need_description"]) == 5000


def test_title_proposal_takes_the_wanted_part():
    assert (
        propose_title("我们是注塑厂，想用机器视觉检测产品表面缺陷，现在靠人工")
        == "用机器视觉检测产品表面缺陷"
    )
    assert len(propose_title("x" * 100)) <= 24


def test_a_food_shelf_life_need_is_proposed_a_food_biotechnology_domain():
    result = turn(
        "想延长低温肉制品的保质期，货架期从15天到30天", intent="describe_need", intent_confidence=0.9
    )
    assert "206" in [c["sub_code"] for c in result.slots["domain_candidates"]]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("三十来万", (300000, 300000, "approx")),
        ("大盖二十万", (200000, 200000, "approx")),
        ("四十万作右吧", (400000, 400000, "approx")),
        ("一百二十万封顶", (None, 1200000, "upper_bound")),
    ],
)
def test_a_colloquial_or_mistyped_budget_answer_is_read_with_its_kind(text, expected):
    budget = turn(text, "budget", {"draft_id": "d"}).slots["budget"]
    assert (budget["min_cny"], budget["max_cny"], budget["kind"]) == expected


def test_the_budget_question_also_asks_the_timeline_while_it_is_open():
    assert question_for("budget", {})[0] == "utter_ask_budget_and_timeline"
    assert question_for("budget", {"timeline": {"months": 6}})[0] == "utter_ask_budget"


@pytest.mark.parametrize(
    ("text", "budget_kind", "timeline"),
    [
        ("三十来万，一年内", "approx", {"deadline": None, "months": 12}),
        ("面议，不急", "negotiable", {"deadline": None, "months": None}),
        ("预算80万左右 明年年底前", "approx", {"deadline": "2027-12-31", "months": None}),
    ],
)
def test_one_reply_answers_the_budget_and_the_timeline(text, budget_kind, timeline):
    slots = turn(text, "budget", {"draft_id": "d"}).slots
    assert slots["budget"]["kind"] == budget_kind
    assert {k: slots["timeline"][k] for k in ("deadline", "months")} == timeline


def test_a_reply_with_only_the_timeline_keeps_it_and_asks_the_budget_without_an_error():
    result = turn("明年6月前吧", "budget", {"draft_id": "d"})
    assert result.slots["timeline"]["deadline"] == "2027-06-30"
    assert "budget" not in result.slots and result.error is None and not result.failures


def test_a_surname_that_is_also_a_word_is_a_contact_with_a_title():
    slots = turn("绍兴柯达纺机有限公司，任工，13605851177", "enterprise_name", {"draft_id": "d"}).slots
    assert slots["contact_name"] == "任工" and slots["enterprise_name"] == "绍兴柯达纺机有限公司"
