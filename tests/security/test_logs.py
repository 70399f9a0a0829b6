"""Personal data never reaches the logs of the running stack in full, not even through Python warnings."""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.e2e

LEAKS = ("13987654321", "leak.test@example.com", "13000000000")


def test_a_slash_message_with_a_phone_and_an_email_leaves_them_masked_in_every_log(rasa_stack):
    sender = f"sec_logleak_{time.time_ns()}"
    messages = ["/我的手机13987654321邮箱leak.test@example.com", '/inform{"contact_phone":"13000000000"}']
    for message in messages:
        rasa_stack.rest(sender, message)
    events = rasa_stack.tracker(sender)["events"]
    assert [e["text"] for e in events if e["event"] == "user"] == messages  # both reached Rasa
    rasa = next(p for p in rasa_stack.processes if p.name == "rasa")
    deadline = time.monotonic() + 10  # the warning for the first message is written by now; wait for the log
    while "139****4321" not in rasa.log.read_text(errors="replace") and time.monotonic() < deadline:
        time.sleep(0.2)
    logs = "\n".join(p.log.read_text(errors="replace") for p in rasa_stack.processes)
    assert "139****4321" in logs  # the warning is there, masked
    assert not [leak for leak in LEAKS if leak in logs]
