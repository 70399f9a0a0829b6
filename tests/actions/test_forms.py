"""The intake form's validation action and its dynamic questions, as the action server runs them."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.forms import ActionAskSummaryConfirmed, ActionAskTechDomain, ValidateIntakeForm
from tests.actions.trackers import slot_events, tracker


async def run(action, t):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, {})
    return events, dispatcher.messages


async def test_a_rich_message_sets_several_slots_at_once():
    events, messages = await run(
        ValidateIntakeForm(),
        tracker("我们是宁波海纳塑业有限公司，想开发可降解包装材料，预算30万，一年内", intent="describe_need"),
    )
    slots = slot_events(events)
    assert slots["enterprise_name"] == "宁波海纳塑业有限公司"
    assert slots["budget"]["min_cny"] == 300000
    assert slots["timeline"]["months"] == 12
    assert slots["need_description"].startswith("我们是宁波")
    assert messages == []


async def test_an_invalid_answer_is_explained_and_the_slot_stays_empty():
    events, messages = await run(ValidateIntakeForm(), tracker("12345", requested_slot="contact_phone"))
    slots = slot_events(events)
    assert slots["contact_phone"] is None
    assert slots["intake_failures"] == {"contact_phone": 1}
    assert [m["response"] for m in messages] == ["utter_invalid_phone_invalid"]


async def test_a_second_miss_adds_the_explanation():
    t = tracker("abc", requested_slot="contact_phone", slots={"intake_failures": {"contact_phone": 1}})
    _, messages = await run(ValidateIntakeForm(), t)
    assert [m["response"] for m in messages] == ["utter_invalid_phone_invalid", "utter_explain_contact_phone"]


async def test_domain_question_offers_the_ranked_candidates_as_buttons():
    t = tracker("", slots={"need_description": "想做锂电池正极材料的改性研究，提高循环寿命"})
    events, messages = await run(ActionAskTechDomain(), t)
    [message] = messages
    assert message["response"] == "utter_ask_tech_domain"
    titles = [b["title"] for b in message["buttons"]]
    assert titles[-1] == "其他领域"
    assert any("新" in title for title in titles[:-1])
    assert all(b["payload"] for b in message["buttons"])
    assert slot_events(events)["domain_candidates"]


async def test_the_summary_shows_every_field_readably():
    slots = {
        "need_title": "可降解包装材料开发",
        "budget": {"min_cny": 500000, "max_cny": 800000, "kind": "range", "text": "50-80万"},
        "coop_mode": ["技术开发(委托开发)", "技术咨询"],
        "contact_email": "未提供",
        "tech_domain": "40",
    }
    _, [message] = await run(ActionAskSummaryConfirmed(), tracker("", slots=slots))
    assert message["response"] == "utter_summary"
    assert message["budget_text"] == "50–80万元"
    assert message["coop_mode_text"] == "技术开发(委托开发)、技术咨询"
    assert message["tech_domain_text"] == "新材料"
    assert message["contact_email_text"] == "未提供"
    lines = message["summary_lines"].split("\n")
    assert lines[0] == "【需求名称】可降解包装材料开发"
    assert "【拟投入资金】50–80万元" in lines and "【邮箱】未提供" in lines
    assert len(lines) == 13


async def test_a_question_in_the_form_is_answered_and_the_pending_question_asked_again():
    events, messages = await run(
        ValidateIntakeForm(),
        tracker("能签保密协议吗？", intent="faq_privacy", requested_slot="enterprise_name"),
    )
    assert [m["response"] for m in messages] == ["utter_faq_nda"]
    slots = slot_events(events)
    assert slots["requested_slot"] == "enterprise_name"
    assert "enterprise_name" not in slots


async def test_a_stop_ends_the_form_and_hands_over_to_the_end_of_interview_action():
    events, messages = await run(ValidateIntakeForm(), tracker("算了，取消吧", requested_slot="timeline"))
    slots = slot_events(events)
    assert slots["intake_stop"] == "cancel" and slots["requested_slot"] is None
    assert {"event": "followup", "name": "action_end_intake", "timestamp": None} in events
    assert messages == []
