"""The widget's socket.io protocol over a real python-socketio server and clients (no browser, no Rasa)."""

from __future__ import annotations

import asyncio
import os
import stat
import time
from pathlib import Path
from typing import Any

import pytest

from connectors.message_limit import MAX_MESSAGE_CHARS
from connectors.webchat.journal import Journal
from connectors.webchat.protocol import WebchatProtocol
from connectors.webchat.sessions import SessionSigner, load_key
from connectors.webchat.transcript import bot_items, event_items, for_display, merge

KEY = b"test-key-" + b"x" * 32


class Bot:
    """Echoes every message after `delay`, storing the turn's events afterwards, as Rasa does."""

    def __init__(self) -> None:
        self.handled: list[tuple[str, str, str]] = []
        self.events: dict[str, list[dict[str, Any]]] = {}
        self.delay = 0.0
        self.protocol: WebchatProtocol | None = None

    async def process(self, session_id: str, text: str, message_id: str) -> None:
        self.handled.append((session_id, text, message_id))
        user = {"event": "user", "text": text, "message_id": message_id, "timestamp": time.time()}
        await asyncio.sleep(self.delay)
        bot = {"event": "bot", "text": f"收到：{text}", "data": {}, "metadata": {}, "timestamp": time.time()}
        await self.protocol.send_bot(session_id, {"text": bot["text"], "timestamp": bot["timestamp"]})
        self.events.setdefault(session_id, []).extend([user, bot])

    async def load(self, session_id: str) -> list[dict[str, Any]]:
        return list(self.events.get(session_id, []))


class Hub:
    """A stand-in for python-socketio's server: handlers, rooms, and what each socket received."""

    def __init__(self) -> None:
        self.handlers: dict[str, Any] = {}
        self.rooms: dict[str, set[str]] = {}
        self.inbox: dict[str, list[tuple[str, Any]]] = {}

    def on(self, event: str, handler: Any, namespace: str | None = None) -> None:
        self.handlers[event] = handler

    async def enter_room(self, sid: str, room: str, namespace: str | None = None) -> None:
        self.rooms.setdefault(room, set()).add(sid)

    async def leave_room(self, sid: str, room: str, namespace: str | None = None) -> None:
        self.rooms.get(room, set()).discard(sid)

    async def emit(self, event: str, data: Any, room: str, namespace: str | None = None) -> None:
        for sid in self.rooms.get(room, set()) | ({room} if room in self.inbox else set()):
            self.inbox[sid].append((event, data))

    async def disconnect(self, sid: str) -> None:
        for members in self.rooms.values():
            members.discard(sid)
        del self.inbox[sid]
        await self.handlers["disconnect"](sid)


@pytest.fixture
def server():
    bot = Bot()
    hub = Hub()
    bot.protocol = WebchatProtocol(hub, signer=SessionSigner(KEY), process=bot.process, load_events=bot.load)
    bot.protocol.register()
    count = iter(range(1000))

    async def connect(**session: str) -> Client:
        client = Client(hub, f"sock-{next(count)}")
        await client.connect(session)
        return client

    return bot, connect


class Client:
    def __init__(self, hub: Hub, sid: str) -> None:
        self.hub, self.sid = hub, sid
        hub.inbox[sid] = []
        self.confirm: dict[str, Any] = {}

    @property
    def bot(self) -> list[dict[str, Any]]:
        return [data for event, data in self.hub.inbox.get(self.sid, []) if event == "bot_uttered"]

    async def connect(self, session: dict[str, str]) -> None:
        assert await self.hub.handlers["connect"](self.sid, {}, None)
        await self.hub.handlers["session_request"](self.sid, session)
        [self.confirm] = [data for event, data in self.hub.inbox[self.sid] if event == "session_confirm"]

    async def call(self, event: str, data: Any) -> Any:
        return await self.hub.handlers[event](self.sid, data)

    async def say(self, text: str, message_id: str = "", **extra: Any) -> dict[str, Any]:
        data = {"message": text, "message_id": message_id or f"m{time.time_ns()}", **extra}
        return await self.call("user_uttered", data)

    async def disconnect(self) -> None:
        await self.hub.disconnect(self.sid)

    async def replies(self, count: int) -> list[str]:
        for _ in range(100):
            if len(self.bot) >= count:
                break
            await asyncio.sleep(0.02)
        return [m["text"] for m in self.bot]


async def test_a_new_client_gets_a_server_issued_session_and_secret(server) -> None:
    _, connect = server
    client = await connect()
    confirm = client.confirm
    assert len(confirm["session_id"]) == 32 and len(confirm["secret"]) == 64
    assert confirm["resumed"] is False and confirm["started"] is False and confirm["history"] == []
    assert confirm["limits"] == {"message_chars": MAX_MESSAGE_CHARS}


async def test_the_secret_resumes_the_session_with_its_transcript(server) -> None:
    bot, connect = server
    first = await connect()
    assert (await first.say("我们想做视觉检测"))["ok"] is True
    assert await first.replies(1) == ["收到：我们想做视觉检测"]
    again = await connect(session_id=first.confirm["session_id"], secret=first.confirm["secret"])
    assert again.confirm["resumed"] is True and again.confirm["session_id"] == first.confirm["session_id"]
    assert [(i["from"], i["text"]) for i in again.confirm["history"]] == [
        ("user", "我们想做视觉检测"),
        ("bot", "收到：我们想做视觉检测"),
    ]
    # The history's bot item has the id the live message had: a client can tell it already shows it.
    assert again.confirm["history"][1]["id"] == first.bot[0]["id"]


async def test_another_users_session_id_without_its_secret_gets_nothing(server) -> None:
    bot, connect = server
    victim = await connect()
    victim_id = victim.confirm["session_id"]
    await victim.say("我的手机是13912345678")
    await victim.replies(1)

    real = victim.confirm["secret"]
    almost = real[:-1] + ("1" if real[-1] == "0" else "0")  # one character off
    for secret in ("", "0" * 64, almost):
        intruder = await connect(session_id=victim_id, secret=secret)
        assert intruder.confirm["session_id"] != victim_id
        assert intruder.confirm["resumed"] is False and intruder.confirm["history"] == []
        # Naming the victim's session in the message changes nothing: the sender is the socket's session.
        assert (await intruder.say("把邮箱改成 evil@example.com", session_id=victim_id))["ok"] is True
        # Its turn is over once its own answer is there: whatever it sent anyone else was sent by then.
        assert await intruder.replies(1) == ["收到：把邮箱改成 evil@example.com"]
    senders = {session for session, text, _ in bot.handled if "evil" in text}
    assert victim_id not in senders and len(senders) == 3
    assert [m["text"] for m in victim.bot] == ["收到：我的手机是13912345678"]  # nothing of the intruders'


async def test_a_message_without_a_session_is_refused(server) -> None:
    bot, connect = server
    client = await connect()
    answer = await bot.protocol.on_user_message(
        "sock-never-confirmed", {"message": "你好", "session_id": client.confirm["session_id"]}
    )
    assert answer == {"ok": False, "error": "no_session"}
    assert bot.handled == []


async def test_a_message_over_the_limit_is_refused_before_the_bot(server) -> None:
    bot, connect = server
    client = await connect()
    answer = await client.say("长" * (MAX_MESSAGE_CHARS + 1))
    assert answer["ok"] is False and answer["error"] == "too_long" and answer["limit"] == MAX_MESSAGE_CHARS
    assert f"超过了{MAX_MESSAGE_CHARS}字" in answer["text"]
    assert await client.replies(1) == [answer["text"]]  # told in the chat as well
    assert (await client.say("长" * MAX_MESSAGE_CHARS))["ok"] is True
    await client.replies(2)
    assert [len(text) for _, text, _ in bot.handled] == [MAX_MESSAGE_CHARS]


async def test_a_resent_message_is_handled_once(server) -> None:
    bot, connect = server
    client = await connect()
    assert await client.say("只处理一次", message_id="client-msg-0001") == {"ok": True}
    assert await client.say("只处理一次", message_id="client-msg-0001", retry=True) == {
        "ok": True,
        "duplicate": True,
    }
    # A later message's answer marks the point by which a processed duplicate would have been answered too.
    assert await client.say("下一句", message_id="client-msg-0002") == {"ok": True}
    assert await client.replies(2) == ["收到：只处理一次", "收到：下一句"]
    assert [text for _, text, _ in bot.handled] == ["只处理一次", "下一句"]


async def test_a_resend_handled_elsewhere_is_found_in_the_tracker(server) -> None:
    bot, connect = server
    client = await connect()
    session = client.confirm["session_id"]
    # Another replica handled it: the tracker has the message id, this process's journal does not.
    bot.events[session] = [{"event": "user", "text": "你好", "message_id": "elsewhere-001", "timestamp": 1.0}]
    answer = await client.say("你好", message_id="elsewhere-001", retry=True)
    assert answer == {"ok": True, "duplicate": True}
    assert bot.handled == []


async def test_messages_of_one_session_are_handled_in_order(server) -> None:
    bot, connect = server
    bot.delay = 0.05
    client = await connect()
    answers = await asyncio.gather(*(client.say(f"第{i}条", message_id=f"order-{i:04d}") for i in range(5)))
    assert all(a["ok"] for a in answers)
    await client.replies(5)
    assert [text for _, text, _ in bot.handled] == [f"第{i}条" for i in range(5)]


async def test_a_reconnect_during_a_turn_gets_the_message_and_the_pending_flag(server) -> None:
    bot, connect = server
    bot.delay = 1.0
    first = await connect()
    await first.say("正在处理的话", message_id="inflight-0001")
    await first.disconnect()
    again = await connect(session_id=first.confirm["session_id"], secret=first.confirm["secret"])
    assert again.confirm["pending"] is True
    assert [(i["id"], i["text"]) for i in again.confirm["history"]] == [("inflight-0001", "正在处理的话")]
    assert await again.replies(1) == ["收到：正在处理的话"]  # delivered live to the new socket
    for _ in range(100):  # the turn's events are stored right after the reply
        answer = await again.call("history_request", {})
        if not answer["pending"]:
            break
        await asyncio.sleep(0.02)
    assert answer["pending"] is False and [i["text"] for i in answer["history"]][-1] == "收到：正在处理的话"


def test_bot_items_split_like_rasa_and_keep_ids_stable() -> None:
    message = {
        "text": "请核对：\n【手机】13912345678\n\n信息无误请回复“确认”",
        "buttons": [{"title": "确认提交", "payload": "确认"}],
        "timestamp": 1764600000.123456,
    }
    items = bot_items(message, fallback_id="x")
    assert [i["text"] for i in items] == ["请核对：\n【手机】13912345678", "信息无误请回复“确认”"]
    assert [i["id"] for i in items] == ["1764600000.123456:0", "1764600000.123456:1"]
    assert "quick_replies" not in items[0] and items[1]["quick_replies"] == [
        {"title": "确认提交", "payload": "确认"}
    ]
    stored = {
        "event": "bot",
        "text": message["text"],
        "data": {"buttons": message["buttons"]},
        "metadata": {},
        "timestamp": message["timestamp"],
    }
    assert event_items([stored]) == items


def test_display_shows_titles_hides_commands_masks_and_starts_at_a_new_conversation() -> None:
    ask = {
        "event": "bot",
        "text": "合作方式？",
        "data": {"buttons": [{"title": "委托开发", "payload": "技术开发(委托开发)"}]},
        "timestamp": 3.0,
    }
    events = [
        {"event": "user", "text": "旧的话", "message_id": "old-00001", "timestamp": 1.0},
        {"event": "user", "text": "/new_conversation", "message_id": "new-00001", "timestamp": 2.0},
        ask,
        {"event": "user", "text": "技术开发(委托开发)", "message_id": "choice-001", "timestamp": 4.0},
        {"event": "user", "text": "/greet", "message_id": "greet-0001", "timestamp": 5.0},
        {
            "event": "user",
            "text": "电话13912345678，邮箱 wang@example.com",
            "message_id": "contact-01",
            "timestamp": 6.0,
        },
    ]
    shown = for_display(event_items(events))
    assert [(i["from"], i["text"]) for i in shown] == [
        ("bot", "合作方式？"),
        ("user", "委托开发"),
        ("user", "电话139****5678，邮箱 w***@example.com"),
    ]


def test_merge_adds_only_what_the_store_lacks() -> None:
    stored = [{"id": "a", "from": "user", "text": "1"}]
    recent = [{"id": "a", "from": "user", "text": "1"}, {"id": "b", "from": "bot", "text": "2"}]
    assert [i["id"] for i in merge(stored, recent)] == ["a", "b"]


def test_journal_forgets_after_its_time() -> None:
    now = [0.0]
    journal = Journal(ttl_s=60, clock=lambda: now[0])
    journal.add("s", {"id": "a", "from": "user", "text": "x"})
    assert journal.take("s", "m1") and not journal.take("s", "m1")
    now[0] = 61
    assert journal.items("s") == []
    journal.add("t", {"id": "b", "from": "user", "text": "y"})  # touching another session expires the old one
    assert journal.take("s", "m1")


def test_signer_verifies_only_its_own_secrets() -> None:
    signer = SessionSigner(KEY)
    session_id, secret = signer.issue()
    assert signer.verify(session_id, secret)
    assert not SessionSigner(b"another-key-" + b"y" * 32).verify(session_id, secret)
    assert not signer.verify(session_id, secret.upper())
    assert not signer.verify("../etc/passwd", signer.secret("../etc/passwd"))  # not an id this server makes
    assert not signer.verify(None, secret)
    with pytest.raises(ValueError):
        SessionSigner(b"short")


def test_the_key_comes_from_the_environment_or_a_private_file(tmp_path: Path) -> None:
    assert load_key({"WEBCHAT_SESSION_KEY": "k" * 40}) == b"k" * 40
    key_file = tmp_path / "key"
    key_file.write_text("f" * 40 + "\n")
    assert load_key({"WEBCHAT_SESSION_KEY_FILE": str(key_file)}) == b"f" * 40
    generated = load_key({}, var_dir=tmp_path / "var")
    path = tmp_path / "var" / "webchat-session.key"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert load_key({}, var_dir=tmp_path / "var") == generated  # the same after a restart
