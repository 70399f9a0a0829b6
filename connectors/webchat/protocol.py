"""The widget's Socket.IO protocol, independent of Rasa (the channel and the test server both use it).

    client                                   server
    session_request {session_id?, secret?}   -> resumes the session when the secret matches, else a new one
                                             <- session_confirm {session_id, secret, resumed, history, started, pending,
                                                                 limits: {message_chars}}
    user_uttered {message, message_id,       -> ack {ok} | {ok: false, error: too_long|no_session|bad_message}
                  retry?}                       (a message id already taken is acknowledged, not handled again)
    history_request                          -> ack {history, pending}
                                             <- bot_uttered {id, text, quick_replies?, image?, ts}

The sender of a message is always the session this socket was confirmed for, never a field of the message, so
a client that names another user's session neither receives that user's messages nor speaks as them.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from connectors.message_limit import MAX_MESSAGE_CHARS, TOO_LONG_NOTICE, too_long
from connectors.webchat.journal import Journal
from connectors.webchat.presence import LocalPresence
from connectors.webchat.sessions import MESSAGE_ID_RE, SessionSigner
from connectors.webchat.transcript import Item, bot_items, event_items, for_display, merge, user_item

logger = logging.getLogger(__name__)

LoadEvents = Callable[[str], Awaitable[list[dict[str, Any]]]]


class Process(Protocol):
    """Hands one user message to the bot; bot messages go out through `protocol.send_bot`."""

    def __call__(self, session_id: str, text: str, message_id: str) -> Awaitable[None]: ...


class WebchatProtocol:
    """Registers the widget's events on a python-socketio AsyncServer.

    Args:
        sio: the Socket.IO server (Sanic in Rasa, aiohttp in tests).
        signer: issues and checks session secrets.
        process: runs one user message through the bot.
        load_events: the stored tracker events of a session (empty when there are none).
        namespace: the Socket.IO namespace (None: the default one).
        max_chars: the longest message handed to the bot.
    """

    def __init__(
        self,
        sio: Any,
        *,
        signer: SessionSigner,
        process: Process,
        load_events: LoadEvents,
        namespace: str | None = None,
        max_chars: int = MAX_MESSAGE_CHARS,
        user_event: str = "user_uttered",
        bot_event: str = "bot_uttered",
        journal: Journal | None = None,
        presence: LocalPresence | None = None,
    ) -> None:
        self.sio = sio
        self.signer = signer
        self.process = process
        self.load_events = load_events
        self.namespace = namespace
        self.max_chars = max_chars
        self.user_event = user_event
        self.bot_event = bot_event
        self.journal = journal or Journal()
        self.presence = presence or LocalPresence()
        self._bound: dict[str, str] = {}  # socket id -> session id
        self._chains: dict[str, asyncio.Task] = {}  # session id -> its latest turn (turns run in order)
        self._pending: dict[str, int] = {}  # session id -> messages taken and not yet answered
        self._notice_ids = itertools.count()

    # --- registration --------------------------------------------------------

    def register(self) -> None:
        ns = self.namespace
        self.sio.on("connect", self.on_connect, namespace=ns)
        self.sio.on("disconnect", self.on_disconnect, namespace=ns)
        self.sio.on("session_request", self.on_session_request, namespace=ns)
        self.sio.on(self.user_event, self.on_user_message, namespace=ns)
        self.sio.on("history_request", self.on_history_request, namespace=ns)

    async def on_connect(self, sid: str, environ: dict, auth: Any = None) -> bool:
        return True

    async def on_disconnect(self, sid: str, *args: Any) -> None:
        self._bound.pop(sid, None)
        await self.presence.left(sid)

    # --- sessions ------------------------------------------------------------

    async def on_session_request(self, sid: str, data: Any = None) -> None:
        data = data if isinstance(data, dict) else {}
        session_id, secret = data.get("session_id"), data.get("secret")
        resumed = self.signer.verify(session_id, secret)
        if not resumed:
            session_id, secret = self.signer.issue()
        previous = self._bound.get(sid)
        if previous and previous != session_id:
            await _maybe_await(self.sio.leave_room(sid, previous, namespace=self.namespace))
        # Join before reading the history: a reply sent from now on reaches this socket live.
        await _maybe_await(self.sio.enter_room(sid, session_id, namespace=self.namespace))
        self._bound[sid] = session_id
        await self.presence.joined(session_id, sid)
        history, started = await self.transcript(session_id) if resumed else ([], False)
        confirm = {
            "session_id": session_id,
            "secret": secret,
            "resumed": resumed,
            "history": history,
            "started": started,
            "pending": self.is_pending(session_id),
            "limits": {"message_chars": self.max_chars},
        }
        await self.sio.emit("session_confirm", confirm, room=sid, namespace=self.namespace)

    async def on_history_request(self, sid: str, data: Any = None) -> dict[str, Any]:
        session_id = self._bound.get(sid)
        if session_id is None:
            return {"error": "no_session"}
        history, _ = await self.transcript(session_id)
        return {"history": history, "pending": self.is_pending(session_id)}

    async def transcript(self, session_id: str) -> tuple[list[Item] | None, bool]:
        """The session's transcript for display (None when the store cannot be read), and whether the
        conversation has begun at all (commands such as /greet count, though they are not shown)."""
        try:
            stored = event_items(await self.load_events(session_id))
        except Exception:
            logger.exception("could not read the transcript of web chat session %s", session_id)
            return None, True
        items = merge(stored, self.journal.items(session_id))
        return for_display(items), bool(items)

    def connected(self, session_id: str) -> bool:
        """Whether a socket of the session is connected to this server."""
        return session_id in self._bound.values()

    async def connected_anywhere(self, session_id: str) -> bool:
        """Whether a socket of the session is connected to this server or, sharing Redis, to another replica."""
        return self.connected(session_id) or await self.presence.connected(session_id)

    def is_pending(self, session_id: str) -> bool:
        return self._pending.get(session_id, 0) > 0

    # --- user messages -------------------------------------------------------

    async def on_user_message(self, sid: str, data: Any = None) -> dict[str, Any]:
        session_id = self._bound.get(sid)
        if session_id is None:
            return {"ok": False, "error": "no_session"}
        data = data if isinstance(data, dict) else {}
        text = data.get("message")
        if not isinstance(text, str):
            return {"ok": False, "error": "bad_message"}
        if too_long(text, self.max_chars):
            await self.send_notice(sid, TOO_LONG_NOTICE)
            return {"ok": False, "error": "too_long", "limit": self.max_chars, "text": TOO_LONG_NOTICE}
        message_id = data.get("message_id")
        if not isinstance(message_id, str) or not MESSAGE_ID_RE.fullmatch(message_id):
            message_id = uuid.uuid4().hex
        if not self.journal.take(session_id, message_id):
            return {"ok": True, "duplicate": True}
        if data.get("retry") and await self._stored(session_id, message_id):
            return {"ok": True, "duplicate": True}  # handled by another replica before the reconnect
        self.journal.add(session_id, user_item(message_id, text, int(time.time() * 1000)))
        self._enqueue(session_id, text, message_id)
        return {"ok": True}

    async def _stored(self, session_id: str, message_id: str) -> bool:
        try:
            events = await self.load_events(session_id)
        except Exception:
            logger.exception("could not check web chat session %s for a resent message", session_id)
            return False
        return any(e.get("event") == "user" and e.get("message_id") == message_id for e in events)

    def _enqueue(self, session_id: str, text: str, message_id: str) -> None:
        previous = self._chains.get(session_id)
        self._pending[session_id] = self._pending.get(session_id, 0) + 1

        async def turn() -> None:
            if previous is not None:
                await asyncio.wait([previous])  # in order, whatever became of the one before
            try:
                await self.process(session_id, text, message_id)
            except Exception:
                logger.exception("a web chat message of session %s failed", session_id)
            finally:
                left = self._pending.get(session_id, 1) - 1
                if left > 0:
                    self._pending[session_id] = left
                else:
                    self._pending.pop(session_id, None)

        task = asyncio.get_running_loop().create_task(turn())
        self._chains[session_id] = task
        task.add_done_callback(lambda done: self._drop_chain(session_id, done))

    def _drop_chain(self, session_id: str, done: asyncio.Task) -> None:
        if self._chains.get(session_id) is done:
            del self._chains[session_id]

    # --- bot messages --------------------------------------------------------

    async def send_bot(self, session_id: str, message: dict[str, Any]) -> None:
        """Sends one bot message to every socket of the session and journals it."""
        now_ms = int(time.time() * 1000)
        for item in bot_items(message, fallback_id=f"n{time.time_ns()}"):
            item.setdefault("ts", now_ms)
            self.journal.add(session_id, item)
            await self.sio.emit(self.bot_event, _wire(item), room=session_id, namespace=self.namespace)

    async def send_notice(self, sid: str, text: str) -> None:
        """A message from the channel itself to one socket (not part of the conversation)."""
        item = {
            "id": f"notice-{next(self._notice_ids)}-{time.time_ns()}",
            "from": "bot",
            "text": text,
            "ts": int(time.time() * 1000),
            "notice": True,
        }
        await self.sio.emit(self.bot_event, _wire(item), room=sid, namespace=self.namespace)

    def forget(self, session_id: str) -> None:
        """Drop what is kept in memory for a session."""
        self.journal.forget(session_id)


def _wire(item: Item) -> dict[str, Any]:
    """A bot item as Rasa's socketio channel spells it (plus its id and time)."""
    wire = {"id": item["id"], "text": item.get("text", ""), "ts": item.get("ts") or int(time.time() * 1000)}
    if item.get("quick_replies"):
        wire["quick_replies"] = [
            {"content_type": "text", "title": r["title"], "payload": r["payload"]}
            for r in item["quick_replies"]
        ]
    if item.get("image"):
        wire["attachment"] = {"type": "image", "payload": {"src": item["image"]}}
    if item.get("notice"):
        wire["notice"] = True
    if item.get("staff"):
        wire["staff"] = item["staff"]
    return wire


async def _maybe_await(value: Any) -> None:
    if asyncio.iscoroutine(value) or isinstance(value, asyncio.Future):
        await value
