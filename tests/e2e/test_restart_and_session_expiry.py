"""What was given survives a new session and a Rasa restart (SQL tracker store, slots carried over), and a held
conversation stays held."""

from __future__ import annotations

import uuid

import pytest

from tests.e2e.driver import run_intake
from tests.e2e.stack import http_json
from tests.e2e.test_intake_rest import rows, texts

pytestmark = pytest.mark.e2e


def test_a_new_session_keeps_the_answers_and_resumes_on_request(rasa_stack):
    user = f"expiry-{uuid.uuid4().hex[:8]}"
    rasa_stack.rest(user, "我们是合肥启明光电有限公司，想提升OLED面板的发光效率，预算200万以内")
    token = rasa_stack.env["RASA_TOKEN"]
    # What Rasa does when a conversation was left for longer than session_expiration_time.
    http_json(
        "POST",
        f"{rasa_stack.rasa_url}/conversations/{user}/execute?token={token}",
        {"name": "action_session_start"},
    )
    greeting = texts(rasa_stack.rest(user, "你好"))
    assert "还没有提交" in greeting  # the returning user is offered to continue
    back = texts(rasa_stack.rest(user, "继续刚才的需求"))
    assert "接着" in back
    intake = run_intake(lambda m: rasa_stack.rest(user, m), "跳过")
    [row] = rows(rasa_stack, user)
    assert row["ref"] == intake.ref
    assert row["enterprise_name"] == "合肥启明光电有限公司"
    assert row["budget"]["max_cny"] == 2_000_000


def test_a_rasa_restart_in_the_middle_of_the_form_loses_nothing(rasa_stack):
    user = f"restart-{uuid.uuid4().hex[:8]}"
    first = texts(
        rasa_stack.rest(user, "我们是青岛海润食品有限公司，想延长低温肉制品的保质期，预算60万，明年底前")
    )
    assert "技术指标" in first
    rasa = rasa_stack.process("rasa")
    rasa.stop()
    rasa_stack.start_rasa()
    rasa_stack.wait_ready()
    # The pending question is answered as if nothing had happened.
    intake = run_intake(lambda m: rasa_stack.rest(user, m), "货架期从15天延长到30天")
    [row] = rows(rasa_stack, user)
    assert row["ref"] == intake.ref
    assert row["tech_targets"] == "货架期从15天延长到30天"
    assert row["budget"]["min_cny"] == 600_000


def test_a_conversation_staff_hold_stays_with_them_when_a_new_session_begins(rasa_stack):
    user = f"held-{uuid.uuid4().hex[:8]}"
    rasa_stack.rest(user, "我们想做锂电池极片的缺陷检测")
    token = rasa_stack.env["RASA_TOKEN"]
    events_url = f"{rasa_stack.rasa_url}/conversations/{user}/tracker/events?token={token}"
    http_json("POST", events_url, [{"event": "pause", "metadata": {"staff": "李对接"}}])
    http_json(
        "POST",
        f"{rasa_stack.rasa_url}/conversations/{user}/execute?token={token}",
        {"name": "action_session_start"},
    )
    # The user writes while the staff member still holds the conversation: the bot stays quiet.
    assert rasa_stack.rest(user, "请问什么时候能联系我？") == []
    tracker = http_json("GET", f"{rasa_stack.rasa_url}/conversations/{user}/tracker?token={token}")
    assert tracker["paused"] is True
    http_json("POST", events_url, [{"event": "resume", "metadata": {"staff": "李对接"}}])
    assert texts(rasa_stack.rest(user, "你好"))  # handed back: the bot answers again
