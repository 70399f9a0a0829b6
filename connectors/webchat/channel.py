"""Rasa's ``socketio`` input channel, speaking the widget's protocol (connectors/webchat/protocol.py).

Compared with Rasa 3.6's own channel: sessions are named by the server and bound to a secret the client keeps
(a client naming another user's session gets a new one instead); the sender is the socket's session, never a
field of the message; messages over the length limit are refused before the NLU; every message carries an id
(resends are handled once); and a client that reconnects gets the session's transcript, including replies
sent while it was away. Rooms are joined with ``await`` (RasaHQ/rasa#13027). Use it in credentials.yml::

    connectors.webchat.channel.SocketIOInput:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered

It keeps the name ``socketio``, so the webhook path and the recorded input channel do not change.
"""

from __future__ import annotations

import hmac
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncRedisManager, AsyncServer

from connectors.retry_notice import with_retry_notice
from connectors.webchat.presence import LocalPresence, RedisPresence
from connectors.webchat.protocol import WebchatProtocol
from connectors.webchat.sessions import SessionSigner, load_key

logger = logging.getLogger(__name__)

CHANNEL_NAME = "socketio"
# The Redis pub/sub channel replicas pass widget messages on (pub/sub is not scoped by Redis database number).
DEFAULT_REDIS_CHANNEL = "chanyan:webchat"


class WebchatOutput(OutputChannel):
    """Sends bot messages to the session's room through the protocol (ids, journal)."""

    def __init__(self, protocol: WebchatProtocol) -> None:
        self.protocol = protocol

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        await self.protocol.send_bot(recipient_id, dict(message))

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        await self.protocol.send_bot(recipient_id, {**kwargs, "text": text})


def _authorized(header: str) -> bool:
    """Whether `header` is "Bearer <RASA_TOKEN>" (no token configured: nobody is)."""
    token = os.environ.get("RASA_TOKEN", "").strip()
    scheme, _, presented = header.partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(presented.strip(), token)


class _AppBlueprint(SocketBlueprint):
    """Rasa's Socket.IO blueprint that also remembers the Sanic app (for the agent's tracker store)."""

    def register(self, app: Sanic, options: dict[str, Any]) -> None:
        self.ctx.app = app
        super().register(app, options)


class SocketIOInput(InputChannel):
    """The ``socketio`` channel for the 产研通 widget."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        return cls(
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            namespace=credentials.get("namespace"),
            socketio_path=credentials.get("socketio_path", "/socket.io"),
            redis_url=credentials.get("redis_url") or None,
            redis_channel=credentials.get("redis_channel") or DEFAULT_REDIS_CHANNEL,
        )

    def __init__(
        self,
        user_message_evt: str = "user_uttered",
        bot_message_evt: str = "bot_uttered",
        namespace: str | None = None,
        socketio_path: str = "/socket.io",
        signer: SessionSigner | None = None,
        redis_url: str | None = None,
        redis_channel: str = DEFAULT_REDIS_CHANNEL,
    ) -> None:
        """With `redis_url`, several Rasa replicas share one room space: a message emitted on any replica (a
        staff reply pushed through another replica, say) reaches the page whichever replica holds its socket,
        and each replica can tell whether a session's page is open on any of them."""
        self.user_message_evt = user_message_evt
        self.bot_message_evt = bot_message_evt
        self.namespace = namespace
        self.socketio_path = socketio_path
        self.signer = signer
        self.redis_url = redis_url
        self.redis_channel = redis_channel
        self.sio: AsyncServer | None = None
        self.protocol: WebchatProtocol | None = None

    def get_output_channel(self) -> OutputChannel | None:
        """For messages Rasa sends on its own (reminders, triggered intents)."""
        return WebchatOutput(self.protocol) if self.protocol is not None else None

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # Rasa's own workaround: no CORS handling in python-socketio (the widget is served from another origin).
        manager = AsyncRedisManager(self.redis_url, channel=self.redis_channel) if self.redis_url else None
        presence = RedisPresence.from_url(self.redis_url) if self.redis_url else LocalPresence()
        sio = self.sio = AsyncServer(async_mode="sanic", cors_allowed_origins=[], client_manager=manager)
        webhook = _AppBlueprint(sio, self.socketio_path, "socketio_webhook", __name__)
        handle = with_retry_notice(on_new_message)

        async def process(session_id: str, text: str, message_id: str) -> None:
            message = UserMessage(
                text,
                WebchatOutput(protocol),
                session_id,
                input_channel=CHANNEL_NAME,
                message_id=message_id,
            )
            await handle(message)

        async def load_events(session_id: str) -> list[dict[str, Any]]:
            app = getattr(webhook.ctx, "app", None)
            agent = getattr(app.ctx, "agent", None) if app is not None else None
            store = getattr(agent, "tracker_store", None)
            if store is None:
                return []
            tracker = await store.retrieve_full_tracker(session_id)
            return [event.as_dict() for event in tracker.events] if tracker is not None else []

        protocol = self.protocol = WebchatProtocol(
            sio,
            signer=self.signer or SessionSigner(load_key()),
            process=process,
            load_events=load_events,
            namespace=self.namespace,
            user_event=self.user_message_evt,
            bot_event=self.bot_message_evt,
            presence=presence,
        )
        protocol.register()

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/presence/<session_id>", methods=["GET"])
        async def presence(request: Request, session_id: str) -> HTTPResponse:
            # For the staff console (chanyan.conversations.rasa): is a page of this session connected, here or on
            # a replica sharing Redis?
            if not _authorized(request.headers.get("authorization", "")):
                return response.json({"error": "unauthorized"}, status=401)
            try:
                connected = await protocol.connected_anywhere(session_id)
            except Exception:
                logger.warning("could not read web chat presence from Redis", exc_info=True)
                return response.json({"error": "presence_unavailable"}, status=503)
            return response.json({"connected": connected})

        return webhook
