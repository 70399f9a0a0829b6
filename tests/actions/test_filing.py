"""Filing from the tracker: one request per draft, the truth told when the database is down."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import create_engine, text

from actions.filing import ActionFileRequest
from actions.handoff import ActionHandoff
from tests.actions.trackers import slot_events, tracker

SLOTS = {
    "need_description": "零件表面划痕靠人工检测，漏检率高",
    "need_title": "零件表面缺陷视觉检测",
    "tech_targets": "未提供",
    "tech_domain": "803",
    "budget": {"min_cny": 500000, "max_cny": 500000, "kind": "approx", "text": "50万左右"},
    "timeline": {"deadline": "2027-06-30", "months": None, "text": "明年6月前"},
    "coop_mode": ["技术开发(委托开发)"],
    "ip_preference": "未提供",
    "partner_preference": {"types": ["不限"], "names": [], "regions": []},
    "enterprise_name": "苏州精工机械有限公司",
    "contact_name": "王经理",
    "contact_phone": "13912345678",
    "contact_email": "未提供",
    "summary_confirmed": True,
    "draft_id": "draft-a",
}


def count(url: str) -> int:
    engine = create_engine(url, future=True)
    with engine.connect() as connection:
        value = connection.execute(text("SELECT count(*) FROM requests")).scalar_one()
    engine.dispose()
    return value


async def test_filing_twice_from_the_same_draft_creates_one_request(action_db):
    first = CollectingDispatcher()
    events = await ActionFileRequest().run(first, tracker("确认", slots=SLOTS, channel="wechat"), {})
    assert first.messages[0]["response"] == "utter_filed"
    assert first.messages[0]["phone_masked"] == "139****5678"
    ref = first.messages[0]["ref"]
    slots = slot_events(events)
    assert slots["last_request_ref"] == ref
    assert slots["need_description"] is None and slots["draft_id"] is None
    assert "contact_phone" not in slots  # who the user is stays for the next need

    retry = CollectingDispatcher()
    await ActionFileRequest().run(retry, tracker("确认", slots=SLOTS), {})
    assert retry.messages[0] == {**retry.messages[0], "response": "utter_filed_before", "ref": ref}
    assert count(action_db) == 1


async def test_a_database_outage_keeps_everything_and_goes_back_to_the_summary(action_db, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://nobody@127.0.0.1:1/none")
    from actions import runtime

    runtime.settings.cache_clear()
    runtime.session_factory.cache_clear()
    dispatcher = CollectingDispatcher()
    events = await ActionFileRequest().run(dispatcher, tracker("确认", slots=SLOTS), {})
    assert dispatcher.messages[0]["response"] == "utter_filing_failed"
    assert {"event": "active_loop", "name": "intake_form", "timestamp": None} in events
    slots = slot_events(events)
    assert slots["summary_confirmed"] is None and slots["requested_slot"] == "summary_confirmed"
    assert "need_description" not in slots


def at_local(monkeypatch, moment: str) -> None:
    """Pin the action server's clock to a local time (Asia/Shanghai)."""
    from datetime import datetime

    from chanyan import clock

    fixed = datetime.fromisoformat(moment).replace(tzinfo=clock.zone("Asia/Shanghai"))
    monkeypatch.setattr(clock, "now_local", lambda: fixed)


async def test_handoff_is_recorded_and_answered_once_staff_can_reach_the_user(action_db, monkeypatch):
    at_local(monkeypatch, "2026-12-02T10:00")  # a Wednesday morning
    engine = create_engine(action_db, future=True)

    def handoffs() -> list[str]:
        with engine.connect() as connection:
            return list(connection.execute(text("SELECT message FROM handoffs")).scalars())

    dispatcher = CollectingDispatcher()
    events = await ActionHandoff().run(dispatcher, tracker("转人工", intent="handoff", sender="conv-h"), {})
    assert dispatcher.messages[0]["response"] == "utter_handoff_ask_contact"
    assert slot_events(events)["handoff_pending"] is True
    assert handoffs() == []
    dispatcher = CollectingDispatcher()
    pending = {"handoff_pending": True}
    reply = tracker("我电话13912347788，让专员打给我吧", intent="handoff", sender="conv-h", slots=pending)
    events = await ActionHandoff().run(dispatcher, reply, {})
    assert dispatcher.messages[0]["response"] == "utter_handoff"
    assert slot_events(events)["contact_phone"] == "13912347788"
    assert [m for m in handoffs() if "13912347788" in m]
    engine.dispose()


async def test_handoff_outside_working_hours_says_when_staff_will_answer(action_db, monkeypatch):
    monkeypatch.setenv("CHANYAN_WORKING_HOURS", "08:30-17:30")
    at_local(monkeypatch, "2026-12-04T19:00")  # a Friday evening
    dispatcher = CollectingDispatcher()
    known = {"contact_phone": "13912347788"}
    await ActionHandoff().run(
        dispatcher, tracker("转人工", intent="handoff", sender="conv-n", slots=known), {}
    )
    [message] = dispatcher.messages
    assert message["response"] == "utter_handoff_after_hours"
    assert message["when"] == "12月7日（周一）08:30" and message["hours"] == "8:30–17:30"


async def test_handing_back_asks_the_pending_question_again():
    from actions.handoff import ActionStaffHandback

    dispatcher = CollectingDispatcher()
    await ActionStaffHandback().run(dispatcher, tracker("好的谢谢", requested_slot="budget"), {})
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_staff_handback",
        "utter_continue_form",
        "utter_ask_budget_and_timeline",  # the timeline is still open: asked with the budget
    ]
    dispatcher = CollectingDispatcher()
    await ActionStaffHandback().run(dispatcher, tracker("好的谢谢"), {})
    assert [m["response"] for m in dispatcher.messages] == [
        "utter_staff_handback",
        "utter_staff_handback_idle",
    ]
