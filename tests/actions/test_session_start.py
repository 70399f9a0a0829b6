"""A new session (the user came back after an hour, or Rasa was asked for one): what was given is carried over,
and a conversation that staff hold stays with them instead of the bot answering in the middle of it."""

from __future__ import annotations

import asyncio
from datetime import datetime

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.session import ActionSessionStart
from chanyan.conversations.state import read_state, session_start_events

TOLD = [
    {"event": "user", "text": "我们想做机器视觉检测", "input_channel": "socketio", "timestamp": 100.0},
    {"event": "slot", "name": "need_description", "value": "机器视觉检测", "timestamp": 101.0},
]
HELD = [*TOLD, {"event": "pause", "metadata": {"staff": "李对接"}, "timestamp": 200.0}]
SLOTS = {"need_description": "机器视觉检测", "budget": None, "enterprise_name": "合肥启明光电有限公司"}


def kinds(events: list[dict]) -> list[str]:
    return [e["event"] for e in events]


def test_the_answers_given_are_carried_into_the_new_session_and_the_bot_listens():
    opened = session_start_events(TOLD, SLOTS)
    assert kinds(opened) == ["session_started", "slot", "slot", "action"]
    assert {e["name"]: e["value"] for e in opened if e["event"] == "slot"} == {
        "need_description": "机器视觉检测",
        "enterprise_name": "合肥启明光电有限公司",
    }
    assert opened[-1]["name"] == "action_listen"
    assert not read_state("c", [*TOLD, *opened]).held


def test_a_conversation_staff_hold_stays_held_by_them_since_they_took_it():
    opened = session_start_events(HELD, SLOTS)
    [pause] = [e for e in opened if e["event"] == "pause"]
    assert pause["metadata"]["staff"] == "李对接"
    state = read_state("c", [*HELD, *opened])
    assert state.held_by == "李对接"
    assert state.held_since == datetime(
        1970, 1, 1, 0, 3, 20
    )  # when staff took it, not when the session began
    # A second expiry while still held keeps the same staff member and moment.
    again = session_start_events([*HELD, *opened], SLOTS)
    assert read_state("c", [*HELD, *opened, *again]).held_since == datetime(1970, 1, 1, 0, 3, 20)


def test_a_conversation_handed_back_to_the_bot_is_not_held_again():
    handed_back = [*HELD, {"event": "resume", "metadata": {"staff": "李对接"}, "timestamp": 300.0}]
    assert "pause" not in kinds(session_start_events(handed_back, SLOTS))


def test_the_action_follows_the_domains_carry_over_setting():
    tracker = Tracker(
        sender_id="held-web",
        slots=SLOTS,
        latest_message={},
        events=HELD,
        paused=True,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )
    action = ActionSessionStart()
    kept = asyncio.run(
        action.run(
            CollectingDispatcher(), tracker, {"session_config": {"carry_over_slots_to_new_session": True}}
        )
    )
    dropped = asyncio.run(
        action.run(
            CollectingDispatcher(), tracker, {"session_config": {"carry_over_slots_to_new_session": False}}
        )
    )
    assert kinds(kept) == ["session_started", "slot", "slot", "pause", "action"]
    assert kinds(dropped) == ["session_started", "pause", "action"]
