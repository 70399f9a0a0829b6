"""The privacy actions: the notice before the first personal question, the FAQ's figures, deleting on a yes."""

from __future__ import annotations

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.privacy import ActionAskContactName, ActionDeleteMyData, ActionFaqPrivacy
from chanyan.requests.privacy import ERASED_MARK
from chanyan.store.models import Request
from chanyan.store.requests import file_request
from chanyan.store.session import make_engine, make_sessionmaker
from tests.actions.trackers import TIMESTAMP, slot_events, tracker
from tests.console.console_support import request_fields


async def test_the_notice_comes_once_before_the_first_personal_question(monkeypatch) -> None:
    from actions import runtime

    monkeypatch.setenv("CHANYAN_RETENTION_DAYS", "90")
    monkeypatch.setenv("CHANYAN_PRIVACY_URL", "https://platform.example.cn/privacy")
    runtime.settings.cache_clear()
    try:
        dispatcher = CollectingDispatcher()
        events = await ActionAskContactName().run(dispatcher, tracker("", requested_slot="contact_name"), {})
        notice, question = dispatcher.messages
        assert notice["response"] == "utter_privacy_notice"
        assert (notice["retention_days"], notice["privacy_url"]) == (
            90,
            "https://platform.example.cn/privacy",
        )
        assert question["response"] == "utter_ask_contact_name"
        assert slot_events(events) == {"privacy_notice_shown": True}

        again = CollectingDispatcher()
        shown = tracker("", requested_slot="contact_name", slots={"privacy_notice_shown": True})
        assert await ActionAskContactName().run(again, shown, {}) == []
        assert [m["response"] for m in again.messages] == ["utter_ask_contact_name"]

        faq = CollectingDispatcher()
        await ActionFaqPrivacy().run(faq, tracker("我的信息会泄露吗", intent="faq_privacy"), {})
        assert faq.messages[0]["retention_days"] == 90
    finally:
        runtime.settings.cache_clear()


def confirmed(sender: str, *, asked: bool) -> Tracker:
    base = tracker("确认删除", intent="confirm_delete", sender=sender, slots={"contact_name": "王经理"})
    before = [
        {"event": "user", "text": "删除我的信息", "timestamp": TIMESTAMP - 3},
        {
            "event": "action",
            "name": "action_ask_delete_my_data" if asked else "utter_greet",
            "timestamp": TIMESTAMP - 2,
        },
    ]
    base.events[:0] = before
    return base


async def test_deleting_needs_the_confirmation_question_first(action_db) -> None:
    sessions = make_sessionmaker(make_engine(action_db))
    file_request(sessions, request_fields(conversation_id="conv-del"))

    dispatcher = CollectingDispatcher()
    assert await ActionDeleteMyData().run(dispatcher, confirmed("conv-del", asked=False), {}) == []
    assert dispatcher.messages[0]["response"] == "utter_delete_not_asked"
    with sessions() as session:
        assert session.scalars(select(Request.contact_phone)).one() == "13812345678"

    dispatcher = CollectingDispatcher()
    events = await ActionDeleteMyData().run(dispatcher, confirmed("conv-del", asked=True), {})
    assert dispatcher.messages[0]["response"] == "utter_deleted" and dispatcher.messages[0]["count"] == 1
    assert slot_events(events) == {"contact_name": None, "contact_phone": None, "contact_email": None}
    with sessions() as session:
        row = session.scalars(select(Request)).one()
    assert (row.contact_name, row.contact_phone, row.contact_email) == (ERASED_MARK, "", None)
