"""The REST channel against the real stack: no shared conversation, no odd senders, no long messages, no 500s,
and with tokens no client reaches another client's conversation."""

from __future__ import annotations

import json
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator

import pytest

from connectors.message_limit import MAX_MESSAGE_CHARS, TOO_LONG_NOTICE
from tests.e2e.stack import Stack, free_port, http_json

pytestmark = pytest.mark.e2e

VICTIM_TOKEN = "security-probe-victim-token-0001"
ATTACKER_TOKEN = "security-probe-attacker-token-02"
VICTIM_PHONE = "13912345678"
VICTIM_FIRST = f"我们是苏州精工机械有限公司，想用机器视觉检测零件表面划痕，联系人张三，手机{VICTIM_PHONE}"


def post(url: str, data: bytes, token: str | None = None, timeout: float = 60) -> tuple[int, object, float]:
    """(status, decoded JSON body, seconds) of one POST to the REST webhook."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook", data=data, method="POST", headers=headers
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as err:
        status, raw = err.code, err.read()
    elapsed = time.monotonic() - started
    try:
        return status, json.loads(raw), elapsed
    except ValueError:
        return status, raw.decode(errors="replace"), elapsed


def send(url: str, body: dict, token: str | None = None) -> tuple[int, object, float]:
    return post(url, json.dumps(body, ensure_ascii=False).encode(), token)


def user_texts(stack: Stack, conversation_id: str) -> list[str]:
    quoted = urllib.parse.quote(conversation_id, safe=":@")
    tracker = http_json(
        "GET", f"{stack.rasa_url}/conversations/{quoted}/tracker?token={stack.env['RASA_TOKEN']}"
    )
    return [e.get("text") for e in tracker.get("events", []) if e.get("event") == "user"]


def test_a_message_without_a_sender_is_refused_instead_of_joining_a_shared_default_conversation(rasa_stack):
    for body in ({"message": "你好"}, {"sender": "", "message": "你好"}, {"sender": None, "message": "你好"}):
        status, answer, _ = send(rasa_stack.rasa_url, body)
        assert status == 400 and answer["error"] == "missing_sender", answer
    assert user_texts(rasa_stack, "default") == []


@pytest.mark.parametrize(
    "sender",
    ["sec_slash/../x?y#z", "line\r\nbreak", "nul\x00byte", "rtl\u202eevil", "<script>", "a'b", "s" * 10_000],
    ids=["slash", "crlf", "nul", "rtl", "html", "quote", "10k"],
)
def test_an_odd_sender_is_refused_and_never_becomes_a_conversation(rasa_stack, sender):
    status, answer, _ = send(rasa_stack.rasa_url, {"sender": sender, "message": "转人工"})
    assert status == 400 and answer["error"] == "bad_sender", answer


def test_a_long_message_is_refused_at_once_with_the_notice_and_other_users_are_answered(rasa_stack):
    url = rasa_stack.rasa_url
    big = json.dumps({"sender": "sec_big", "message": "我们想做机器视觉检测，" * 90909}, ensure_ascii=False)
    status, answer, elapsed = post(url, big.encode())
    assert status == 413 and answer["error"] == "too_large" and elapsed < 2
    status, answer, elapsed = send(url, {"sender": "sec_big", "message": "字" * 10_000})
    assert status == 413 and answer == {
        "error": "too_long",
        "message": TOO_LONG_NOTICE,
        "limit": MAX_MESSAGE_CHARS,
    }
    assert elapsed < 2
    assert user_texts(rasa_stack, "sec_big") == []
    # Many at once do not hold up a normal user.
    results: list[float] = []
    flood = [threading.Thread(target=lambda: results.append(post(url, big.encode())[2])) for _ in range(20)]
    for thread in flood:
        thread.start()
    status, answer, elapsed = send(url, {"sender": "sec_normal", "message": "你好"})
    for thread in flood:
        thread.join()
    assert status == 200 and answer and elapsed < 10
    assert max(results) < 10


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"", "bad_json"),
        (b"sender=a&message=b", "bad_json"),
        (b'{"sender": "sec_nan", "message": NaN}', "bad_json"),
        (b"[1, 2]", "not_an_object"),
        (b'"hi"', "not_an_object"),
        (b'{"sender": "sec_int", "message": 42}', "bad_message"),
        (b'{"sender": "sec_none"}', "missing_message"),
    ],
    ids=["empty", "form", "nan", "array", "string", "int", "missing"],
)
def test_a_bad_body_gets_a_400_with_its_reason_never_a_500(rasa_stack, data, error):
    status, answer, _ = post(rasa_stack.rasa_url, data)
    assert status == 400 and answer["error"] == error, answer


# --- with tokens: the deployment that exposes REST to clients ------------------------------------------------


@pytest.fixture(scope="module")
def token_rasa(rasa_stack) -> Iterator[str]:
    """A second Rasa of the same deployment with two REST clients (victim, attacker)."""
    port = free_port()
    name = "rasa-rest-tokens"
    rasa_stack.start_rasa(
        name=name, port=port, env={"REST_TOKEN": f"victim:{VICTIM_TOKEN},attacker:{ATTACKER_TOKEN}"}
    )
    try:
        rasa_stack.wait_ready()
        yield f"http://127.0.0.1:{port}"
    finally:
        rasa_stack.process(name).stop()


def test_with_tokens_a_call_without_a_valid_token_is_refused(token_rasa):
    for token in (None, "not-a-token-0000000000", "e2e-token"):
        status, answer, _ = send(token_rasa, {"sender": "sec_anon", "message": "你好"}, token)
        assert status == 401 and answer["error"] == "unauthorized"


def test_a_client_naming_another_clients_sender_cannot_read_or_change_that_conversation(
    rasa_stack, token_rasa
):
    status, said, _ = send(token_rasa, {"sender": "sec_victim1", "message": VICTIM_FIRST}, VICTIM_TOKEN)
    assert status == 200 and said
    assert VICTIM_FIRST in user_texts(rasa_stack, "victim:sec_victim1")
    for message in ("继续刚才的需求", "我的手机号是多少", "邮箱改成attacker@evil.example", "确认"):
        status, said, _ = send(token_rasa, {"sender": "sec_victim1", "message": message}, ATTACKER_TOKEN)
        assert status == 200
        assert VICTIM_PHONE not in json.dumps(said, ensure_ascii=False)
        assert all(m["recipient_id"] == "sec_victim1" for m in said)
    assert user_texts(rasa_stack, "victim:sec_victim1") == [VICTIM_FIRST]
    assert "确认" in user_texts(rasa_stack, "attacker:sec_victim1")
    assert user_texts(rasa_stack, "sec_victim1") == []
    assert rasa_stack.filed_requests("victim:sec_victim1") == []
