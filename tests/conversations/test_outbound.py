"""The outbound delivery service: each channel's rules, every attempt recorded, holding and handing back."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from chanyan.conversations.outbound import HANDBACK_ACTION, ConversationError
from chanyan.conversations.rasa import RasaError
from chanyan.conversations.rules import MAX_TEXT_CHARS, WECHAT_WINDOW, reply_window
from chanyan.conversations.state import read_state


def test_widget_reply_reaches_a_connected_page_and_waits_for_an_absent_one(service, rasa):
    rasa.user_says("web-1", "你好，想转人工", "socketio")
    rasa.connected.add("web-1")
    live = service.send("web-1", "您好，我是李对接", author="李对接")
    assert (live.status, live.delivered) == ("sent", True)
    assert rasa.sent[-1] == ("web-1", "您好，我是李对接", {"staff": "李对接", "outbound": "staff"})
    rasa.connected.clear()
    later = service.send("web-1", "稍后给您回电")
    assert later.status == "queued" and "下次打开" in later.message
    # Kept in the transcript: that is what the widget shows on the next visit.
    assert [e["text"] for e in service_events(rasa, "web-1") if e["event"] == "bot"] == [
        "您好，我是李对接",
        "稍后给您回电",
    ]


def service_events(rasa, conversation_id):
    from chanyan.store.tracker import conversation_events

    return conversation_events(rasa.engine, conversation_id)


def test_wechat_allows_five_messages_per_user_message_within_48_hours(service, rasa, fake_clock):
    rasa.user_says("wx-1", "请专员联系我", "wechat", at=fake_clock.now)
    window = service.window("wx-1")
    assert window.allowed and window.messages_left == 5
    assert window.window_ends_at == window.last_user_message_at + WECHAT_WINDOW
    outcomes = [service.send("wx-1", f"第{i}条", author="李对接") for i in range(1, 7)]
    assert [o.status for o in outcomes] == ["sent"] * 5 + ["refused"]
    assert outcomes[4].window.messages_left == 0
    assert outcomes[5].reason == "wechat_quota_used" and "5条" in outcomes[5].message
    assert len(rasa.sent) == 5
    # The user writes again: five more.
    fake_clock.advance(minutes=1)
    rasa.user_says("wx-1", "好的", "wechat", at=fake_clock.now)
    assert service.window("wx-1").messages_left == 5
    # 48 hours after that message the window is closed, however many are left.
    fake_clock.advance(hours=48)
    late = service.send("wx-1", "还在吗？", author="李对接")
    assert (late.status, late.reason) == ("refused", "wechat_window_closed")
    assert len(rasa.sent) == 5


def test_rest_conversations_cannot_be_pushed_to(service, rasa):
    rasa.user_says("rest-1", "转人工", "rest")
    outcome = service.send("rest-1", "您好", author="李对接")
    assert outcome.status == "refused" and outcome.reason == "rest_cannot_push"
    assert "REST" in outcome.message and not rasa.sent
    assert service.window("rest-1").allowed is False


def test_every_attempt_is_recorded_with_its_outcome(service, rasa, fake_clock):
    rasa.user_says("wx-2", "在吗", "wechat", at=fake_clock.now)
    service.send("wx-2", "您好", author="李对接")
    rasa.fail_with = RasaError(
        "HTTP 500: WeChat API error 45015: response out of time limit", wechat_errcode=45015
    )
    failed = service.send("wx-2", "再试一次", author="李对接")
    assert (failed.status, failed.reason) == ("failed", "wechat_window_closed")
    rasa.fail_with = RasaError("unreachable", unavailable=True)
    down = service.send("wx-2", "第三次", kind="notice", request_ref="XQ-20261202-0001")
    assert (down.status, down.reason) == ("failed", "rasa_unavailable")
    service.send("wx-2", "   ")
    service.send("wx-2", "长" * (MAX_TEXT_CHARS + 1))
    rows = service.attempts("wx-2")
    assert [(r["status"], r["reason"]) for r in rows] == [
        ("refused", "too_long"),
        ("refused", "empty"),
        ("failed", "rasa_unavailable"),
        ("failed", "wechat_window_closed"),
        ("sent", None),
    ]
    assert service.attempts(request_ref="XQ-20261202-0001")[0]["kind"] == "notice"
    assert all(r["finished_at"] is not None for r in rows)
    # A failed send does not use up one of WeChat's five.
    rasa.fail_with = None
    assert service.window("wx-2").messages_left == 4


def test_a_conversation_without_user_messages_is_refused(service):
    outcome = service.send("nobody", "您好")
    assert outcome.reason == "no_user_message"
    with pytest.raises(ConversationError):
        service.hold("nobody", "李对接")


def test_holding_pauses_the_bot_and_handing_back_resumes_it(service, rasa):
    rasa.user_says("web-2", "转人工", "socketio")
    held = service.hold("web-2", "李对接")
    assert held.held and held.held_by == "李对接"
    assert service.hold("web-2", "王对接").held_by == "李对接"  # already held: unchanged
    assert [e["event"] for e in service_events(rasa, "web-2")].count("pause") == 1
    released = service.release("web-2", "李对接")
    assert not released.held
    assert rasa.executed == [("web-2", HANDBACK_ACTION, "socketio")]


def test_handing_back_a_rest_conversation_pushes_nothing(service, rasa):
    rasa.user_says("rest-2", "转人工", "rest")
    service.hold("rest-2", "李对接")
    service.release("rest-2", "李对接")
    assert rasa.executed == [("rest-2", HANDBACK_ACTION, None)]


def test_holding_fails_clearly_when_rasa_is_down(service, rasa):
    rasa.user_says("web-3", "转人工", "socketio")
    rasa.fail_with = RasaError("unreachable", unavailable=True)
    with pytest.raises(ConversationError, match="Rasa"):
        service.hold("web-3", "李对接")


def test_a_new_session_ends_a_hold():
    events = [
        {"event": "user", "text": "转人工", "input_channel": "wechat", "timestamp": 1.0},
        {"event": "pause", "metadata": {"staff": "李对接"}, "timestamp": 2.0},
    ]
    assert read_state("c", events).held_by == "李对接"
    assert not read_state("c", [*events, {"event": "session_started", "timestamp": 3.0}]).held
    assert read_state("c", events).last_user_message_at == datetime(1970, 1, 1, 0, 0, 1)


def test_the_window_closes_exactly_48_hours_after_the_user_wrote():
    wrote = datetime(2026, 12, 1, 8, 0)
    assert reply_window("wechat", wrote, 0, wrote + timedelta(hours=47, minutes=59)).allowed
    assert not reply_window("wechat", wrote, 0, wrote + timedelta(hours=48)).allowed
