"""The enterprise's filed requests in the chat, through the actions: status, phone check, withdrawal, addition,
outside the form and in the middle of the interview."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import create_engine, text

from actions.filing import ActionFileRequest
from actions.forms import ValidateIntakeForm
from actions.outside import ActionReadOutsideForm
from tests.actions.test_filing import SLOTS
from tests.actions.trackers import slot_events, tracker


async def run(action, t):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t, {})
    return events, dispatcher.messages


def responses(messages) -> list[str]:
    return [m["response"] for m in messages]


async def _file(sender: str, draft: str = "draft-own") -> str:
    _, messages = await run(
        ActionFileRequest(), tracker("确认", slots={**SLOTS, "draft_id": draft}, sender=sender)
    )
    return messages[0]["ref"]


async def test_the_status_of_the_identity_s_request_and_of_a_number_filed_elsewhere(action_db):
    ref = await _file("openid-own")
    _, messages = await run(
        ActionReadOutsideForm(), tracker("我的需求进展到哪了", sender="openid-own", intent="ask_status")
    )
    assert responses(messages) == ["utter_status_new"] and messages[0]["ref"] == ref
    events, messages = await run(
        ActionReadOutsideForm(), tracker(f"查一下{ref}", sender="widget-other", intent="ask_status")
    )
    assert responses(messages) == ["utter_status_ask_tail"]
    pending = slot_events(events)["own_request_pending"]
    assert pending["ref"] == ref
    events, messages = await run(
        ActionReadOutsideForm(),
        tracker("5678", sender="widget-other", slots={"own_request_pending": pending}),
    )
    assert responses(messages) == ["utter_status_new"] and slot_events(events)["own_request_pending"] is None


async def test_a_withdrawal_after_confirmation_is_in_the_history(action_db):
    ref = await _file("conv-withdraw")
    filed = {"last_request_ref": ref}
    events, messages = await run(
        ActionReadOutsideForm(),
        tracker("这个需求我们不做了，撤回", sender="conv-withdraw", slots=filed, intent="withdraw_request"),
    )
    assert responses(messages) == ["utter_withdraw_confirm"]
    pending = slot_events(events)["own_request_pending"]
    _, messages = await run(
        ActionReadOutsideForm(),
        tracker("确认撤回", sender="conv-withdraw", slots={**filed, "own_request_pending": pending}),
    )
    assert responses(messages) == ["utter_withdrawn"]
    engine = create_engine(action_db, future=True)
    with engine.connect() as connection:
        status = connection.execute(text("SELECT status FROM requests")).scalar_one()
        history = connection.execute(
            text("SELECT actor, reason FROM status_changes ORDER BY id DESC")
        ).first()
    engine.dispose()
    assert status == "closed" and history.actor == "enterprise" and "不做了" in history.reason


async def test_an_addition_asked_for_then_given(action_db):
    ref = await _file("conv-add")
    filed = {"last_request_ref": ref}
    events, messages = await run(
        ActionReadOutsideForm(),
        tracker("我想补充一下", sender="conv-add", slots=filed, intent="supplement_request"),
    )
    assert responses(messages) == ["utter_supplement_ask"]
    pending = slot_events(events)["own_request_pending"]
    _, messages = await run(
        ActionReadOutsideForm(),
        tracker("夜班也要能检测", sender="conv-add", slots={**filed, "own_request_pending": pending}),
    )
    assert responses(messages) == ["utter_supplemented"]
    engine = create_engine(action_db, future=True)
    with engine.connect() as connection:
        description = connection.execute(text("SELECT need_description FROM requests")).scalar_one()
    engine.dispose()
    assert description.endswith("夜班也要能检测")


async def test_mid_interview_the_status_is_told_and_the_pending_question_asked_again(action_db):
    ref = await _file("conv-mid")
    draft = {"need_description": "想做焊缝视觉检测", "draft_id": "draft-2", "last_request_ref": ref}
    events, messages = await run(
        ValidateIntakeForm(),
        tracker("对了，我上次提交的需求有进展吗？", slots=draft, sender="conv-mid", requested_slot="budget"),
    )
    assert responses(messages) == ["utter_status_new"]
    slots = slot_events(events)
    assert slots["requested_slot"] == "budget" and "budget" not in slots
