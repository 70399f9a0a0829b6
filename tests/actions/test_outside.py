"""Outside the interview and at its end: edits of a filed request (audited), stops, requests not handled."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import create_engine, text

from actions.filing import ActionFileRequest
from actions.outside import ActionEndIntake, ActionReadOutsideForm
from tests.actions.test_filing import SLOTS
from tests.actions.trackers import slot_events, tracker


async def run(action, t):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, {})
    return events, dispatcher.messages


async def test_an_edit_after_filing_changes_that_request_with_an_audit_entry(action_db):
    sender = "conv-amend"
    events, messages = await run(ActionFileRequest(), tracker("确认", slots=SLOTS, sender=sender))
    ref = messages[0]["ref"]
    after = {"last_request_ref": ref}
    events, messages = await run(
        ActionReadOutsideForm(),
        tracker("刚才提交的那个预算能改吗？", slots=after, sender=sender, intent="amend_request"),
    )
    assert [m["response"] for m in messages] == ["utter_amend_ask"]
    assert slot_events(events)["amend_pending"] is True
    events, messages = await run(
        ActionReadOutsideForm(),
        tracker("预算改成80万", slots={**after, "amend_pending": True}, sender=sender),
    )
    assert messages[0]["response"] == "utter_amended" and messages[0]["ref"] == ref
    assert "拟投入资金" in messages[0]["fields"]
    engine = create_engine(action_db, future=True)
    with engine.connect() as connection:
        budgets = connection.execute(text("SELECT budget FROM requests")).scalars().all()
        audit = connection.execute(text("SELECT actor, field, new_value FROM audit_log")).all()
    engine.dispose()
    assert len(budgets) == 1 and "800000" in str(budgets[0])
    assert [(a.actor, a.field) for a in audit] == [("enterprise", "budget")]


async def test_a_cancel_clears_the_draft_and_a_pause_keeps_it():
    draft = {"need_description": "想做视觉检测", "budget": {"min_cny": 1}, "intake_stop": "cancel"}
    events, messages = await run(ActionEndIntake(), tracker("算了，取消吧", slots=draft))
    assert [m["response"] for m in messages] == ["utter_cancelled"]
    slots = slot_events(events)
    assert slots["need_description"] is None and slots["intake_stop"] is None
    assert {"event": "followup", "name": "action_listen", "timestamp": None} in events
    events, messages = await run(
        ActionEndIntake(), tracker("先这样", slots={**draft, "intake_stop": "pause"})
    )
    assert [m["response"] for m in messages] == ["utter_paused"]
    assert "need_description" not in slot_events(events)


async def test_outside_the_form_a_loan_is_declined_and_a_need_starts_the_interview():
    _, messages = await run(
        ActionReadOutsideForm(), tracker("你们能帮忙贷款吗？想贷个300万", intent="non_technical")
    )
    assert [m["response"] for m in messages] == ["utter_decline_loan"]
    events, messages = await run(
        ActionReadOutsideForm(),
        tracker("我们想做注塑件表面缺陷的视觉检测，漏检率太高", intent="nlu_fallback"),
    )
    assert {"event": "followup", "name": "intake_form", "timestamp": None} in events
    assert messages == []
