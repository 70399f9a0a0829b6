"""Reading a message whole: acts, values in their right fields, talk stripped, fewer and kinder questions."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from chanyan.domain.labelled_form import parse_labelled
from chanyan.domain.schema import SKIPPED
from chanyan.intake.acts import is_yes
from chanyan.intake.normalise import reading_form
from chanyan.intake.people import find_organisation, find_person, parse_contact
from chanyan.intake.titles import propose_title
from chanyan.intake.turn import CANCEL, DECLINE, PAUSE, RESTART, REVIEW_SLOT, process_turn, question_for

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
ALL_IN_ONE = (
    "宁德市海川储能科技有限公司，需求：磷酸铁锂储能电池包热管理优化，要求电芯间温差≤3℃，循环寿命不低于6000次，"
    "预算150万，2027年9月底前完成。合作方式委托开发，联系人：郑海涛，手机13905931234"
)


def turn(text, requested=None, slots=None, **kwargs):
    kwargs.setdefault("now", NOW)
    return process_turn(text, requested, {"draft_id": "d", **(slots or {})}, **kwargs)


def test_a_complete_first_message_fills_every_field_it_carries():
    slots = turn(ALL_IN_ONE, intent="describe_need", intent_confidence=0.4).slots
    assert slots["enterprise_name"] == "宁德市海川储能科技有限公司"
    assert slots["contact_name"] == "郑海涛"
    assert slots["contact_phone"] == "13905931234"
    assert slots["budget"]["min_cny"] == 1_500_000
    assert slots["timeline"]["deadline"] == "2027-09-30"
    assert slots["coop_mode"] == ["技术开发(委托开发)"]
    assert "温差≤3℃" in slots["tech_targets"] and "6000次" in slots["tech_targets"]


def test_a_pasted_form_fills_every_labelled_field():
    form = "需求名称：电镀污泥铜镍回收\n单位名称：江门市粤新表面处理有限公司\n拟投入经费：500-800万元\n联系人：黎工\n手机：13926112233"
    assert parse_labelled(form)["budget"] == "500-800万元"
    slots = turn(form).slots
    assert slots["need_title"] == "电镀污泥铜镍回收"
    assert slots["enterprise_name"] == "江门市粤新表面处理有限公司"
    assert slots["budget"]["min_cny"] == 5_000_000 and slots["budget"]["max_cny"] == 8_000_000
    assert slots["contact_name"] == "黎工"


@pytest.mark.parametrize(
    ("text", "requested", "slot", "expected"),
    [
        ("预算还是按100万吧，老板又松口了", "enterprise_name", "budget", 1_000_000),
        ("上一个问题我填错了，时间应该是2027年3月底", "ip_preference", "timeline", "2027-03-31"),
        ("哦不对，合作方式改一下，还是合作开发吧", "ip_preference", "coop_mode", ["技术开发(合作开发)"]),
    ],
)
def test_a_correction_goes_to_the_field_it_names_not_to_the_question_asked(text, requested, slot, expected):
    before = {"budget": {"min_cny": 500_000, "max_cny": 500_000, "kind": "exact", "text": "50万"}}
    result = turn(text, requested, {**before, "coop_mode": ["技术开发(委托开发)"], "timeline": {"months": 6}})
    value = result.slots[slot]
    got = value["min_cny"] if slot == "budget" else value["deadline"] if slot == "timeline" else value
    assert got == expected
    assert requested not in result.slots
    assert result.ask == requested
    assert result.say[0][0] == "utter_changed"


def test_a_question_about_a_field_is_explained_not_stored():
    result = turn("知识产权是啥意思？俺不懂", "ip_preference")
    assert "ip_preference" not in result.slots
    assert result.say == [("utter_explain_ip_preference", {})]


@pytest.mark.parametrize(
    ("text", "faq"),
    [
        ("能签保密协议吗？", "nda"),
        ("我们填的这些数据存在哪里？", "data_storage"),
        ("匹配成功了要给你们抽成吗？", "commission"),
        ("能不能只留邮箱？", "email_only"),
    ],
)
def test_mid_form_questions_get_their_own_answer_then_the_pending_question(text, faq):
    result = turn(text, "contact_phone")
    assert result.say == [(f"utter_faq_{faq}", {})]
    assert result.ask == "contact_phone"
    assert "contact_phone" not in result.slots and "need_title" not in result.slots


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("你好，请问你们这儿能帮忙贷款吗？想贷个300万", "loan"),
        ("我们公司想招两个嵌入式工程师，你们能推荐人吗", "hiring"),
        ("我们是卖减速机的，想把产品推给高校，怎么入驻？", "selling"),
    ],
)
def test_non_technical_requests_are_declined_not_pushed_into_the_form(text, kind):
    result = turn(text, intent="describe_need", intent_confidence=0.8)
    assert result.stop == DECLINE and result.detail == kind
    assert "budget" not in result.slots and "need_description" not in result.slots


@pytest.mark.parametrize(
    ("text", "stop"),
    [
        ("取消", CANCEL),
        ("算了，取消吧", CANCEL),
        ("那算了，谢谢", CANCEL),
        ("重新开始", RESTART),
        ("先这样吧，我去开个会", PAUSE),
    ],
)
def test_stopping_words(text, stop):
    assert turn(text, "budget").stop == stop


@pytest.mark.parametrize("text", ["陈国强啊，刚说了", "啥意思？我没说不填啊，联系人陈国强"])
def test_a_name_with_a_remark_is_an_answer_not_a_pause(text):
    result = turn(text, "contact_name")
    assert result.stop is None
    assert result.slots["contact_name"] == "陈国强"


@pytest.mark.parametrize(
    "text",
    ["行，就这样，提交吧", "都对，没毛病", "对 确认", "確認", "确任", "中", "OK", "可以，提交吧", "好的确认"],
)
def test_natural_confirmations(text):
    assert is_yes(reading_form(text))
    assert turn(text, REVIEW_SLOT).slots[REVIEW_SLOT] is True


def test_summary_edits_keep_whole_clauses_and_several_edits_apply_with_an_acknowledgement():
    slots = {
        "tech_targets": "x",
        "need_title": "：旧名称",
        "enterprise_name": "成都天视",
        "contact_name": "鲁工",
    }
    result = turn(
        "技术指标改成：磷石膏掺量≥70%，吨处理成本≤60元；需求名称改成磷石膏综合利用", REVIEW_SLOT, slots
    )
    assert result.slots["tech_targets"] == "磷石膏掺量≥70%，吨处理成本≤60元"
    assert result.slots["need_title"] == "磷石膏综合利用"
    assert result.say == [("utter_changed", {"fields": "技术关键/指标、需求名称"})]
    spaced = turn(
        "单位改成成都天视广电科技有限公司 联系人改成鲁志强 预算改成200-250万", REVIEW_SLOT, slots
    ).slots
    assert spaced["enterprise_name"] == "成都天视广电科技有限公司" and spaced["contact_name"] == "鲁志强"
    assert spaced["budget"]["max_cny"] == 2_500_000
    assert turn("需求名称去掉前面的冒号", REVIEW_SLOT, slots).slots["need_title"] == "旧名称"


def test_talk_is_stripped_and_a_pure_back_reference_looks_back():
    said = turn("刚才不是说了嘛，600度摩擦系数0.35以上，衰退率不超过15%", "tech_targets").slots
    assert said["tech_targets"] == "600度摩擦系数0.35以上，衰退率不超过15%"
    history = ["搞个视觉检测，50w，年底"]
    looked = turn("说了啊", "budget", history=history).slots
    assert looked["budget"]["min_cny"] == 500_000


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("我姓王，王工", "王工"),
        ("环保科 孟科长", "孟科长"),
        ("俺叫赵铁柱，是理事长", "赵铁柱"),
        ("Kevin Zhang，CTO", "Kevin Zhang"),
    ],
)
def test_person_names_come_out_of_sentences(text, name):
    assert find_person(text, bare_ok=True) == name


def test_organisations_only_when_they_are_one():
    assert find_organisation("我们是一家商业航天公司") is None
    assert find_organisation("苏州一家做精密行星减速机的厂") is None
    assert (
        find_organisation("佛山市南海区金釉陶瓷有限公司，这名字还是我起的哈哈", bare_ok=True)
        == "佛山市南海区金釉陶瓷有限公司"
    )
    # A university named as a partner is not the user's company.
    assert turn("最好是山东农业大学的老师", "partner_preference").slots.get("enterprise_name") is None


def test_numbers_that_are_not_money_are_not_the_budget():
    slots = turn(
        "你好，俺们是河南周口的一个养猪合作社，存栏三千来头，猪粪水处理不过来，想找专家给弄个办法"
    ).slots
    assert "budget" not in slots
    assert "contact_name" not in slots  # "找专家" is not a person


def test_the_contact_block_is_one_question_and_one_reply_fills_it():
    assert question_for("enterprise_name", {})[0] == "utter_ask_enterprise_name"
    reply = "无锡锡东精密模具有限公司，联系人胡斌，手机13506178823，邮箱hubin@xdmold.cn"
    slots = turn(reply, "enterprise_name").slots
    assert (
        slots["enterprise_name"],
        slots["contact_name"],
        slots["contact_phone"],
        slots["contact_email"],
    ) == ("无锡锡东精密模具有限公司", "胡斌", "13506178823", "hubin@xdmold.cn")
    assert (
        parse_contact("宁波鑫港化纤有限公司，邵建华，13566398241", asked="enterprise_name").contact_name
        == "邵建华"
    )


def test_an_optional_field_is_given_up_after_two_misses_and_a_required_one_offers_a_way_on():
    first = turn("zhang#hhtech.com", "contact_email")
    assert first.error == "email_invalid"
    second = turn("zhang@hhtech", "contact_email", failures=first.failures)
    assert second.slots["contact_email"] == SKIPPED and second.say[0][0] == "utter_skipped_optional"
    third = turn("不告诉你", "contact_phone", failures={"contact_phone": 2})
    assert third.error == "phone_invalid"
    assert ("utter_way_on_contact_phone", {}) in third.say
    assert (
        turn("科室座机0571-87651234转8021", "contact_phone").slots["contact_phone"] == "0571-87651234转8021"
    )


def test_handoff_asks_for_a_phone_first_then_hands_over():
    first = turn("转人工", "budget")
    assert not first.handoff and first.ask == "contact_phone"
    assert first.say == [("utter_handoff_ask_contact", {})]
    second = turn("我电话13912347788，姓蔡", "contact_phone", {"handoff_pending": True})
    assert second.handoff and second.slots["contact_phone"] == "13912347788"


def test_titles_name_the_thing_and_the_problem():
    title = propose_title("我们做挖掘机液压多路阀的，阀芯卡滞和内泄漏的问题比较多，想提高可靠性")
    assert "多路阀" in title
    assert "专家" not in propose_title("现在最头疼的是釉面老起针孔，想找个懂釉料配方的专家帮我们调一调")


def test_every_response_the_core_can_name_exists_in_the_domain():
    import re
    from pathlib import Path

    import yaml

    from chanyan.domain.schema import SLOT_NAMES
    from chanyan.intake import acts

    root = Path(__file__).resolve().parents[2]
    responses: set[str] = set()
    for path in (root / "bot" / "domain").glob("*.yml"):
        responses |= set((yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("responses") or {})
    named = {f"utter_faq_{key}" for key in acts.FAQ_KEYS}
    named |= {f"utter_decline_{kind}" for kind in (*acts.NON_TECHNICAL_KINDS, "other")}
    named |= {f"utter_explain_{slot}" for slot in SLOT_NAMES}
    source = "\n".join(p.read_text(encoding="utf-8") for p in (root / "chanyan" / "intake").glob("*.py"))
    named |= set(re.findall(r'"(utter_[a-z_]+)"', source))
    named -= {"utter_ask_", "utter_faq_", "utter_decline_", "utter_explain_", "utter_invalid_"}
    assert sorted(named - responses) == []


def test_for_now_is_a_pause_not_a_cancel():
    assert turn("先不填了", "budget").stop == PAUSE
    assert turn("不填了，取消吧", "budget").stop == CANCEL
