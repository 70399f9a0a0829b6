"""Rasa's socketio input channel with session persistence that works on python-socketio >= 5.10.

Rasa 3.6 calls ``sio.enter_room(...)`` without ``await``; since python-socketio 5.10 that is a
coroutine, so the socket never joins the session's room and, with ``session_persistence: true``,
every bot reply (emitted to the room) is lost (RasaHQ/rasa#13027). This subclass re-registers
``session_request`` with the await. Use it in credentials.yml under its module path::

    connectors.webchat.channel.SocketIOInput:
      user_message_evt: user_uttered
      bot_message_evt: bot_uttered
      session_persistence: true

It keeps the name ``socketio``, so the webhook path and the recorded input channel do not change.
"""

from __future__ import annotations

import inspect
import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.socketio import SocketIOInput as RasaSocketIOInput
from sanic import Blueprint

from connectors.retry_notice import with_retry_notice

logger = logging.getLogger(__name__)


class SocketIOInput(RasaSocketIOInput):
    """``socketio`` channel whose ``session_request`` really joins the session room."""

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # Issue 7 (retry notice, connectors/retry_notice.py): a message that got no answer at all is told so.
        socketio_webhook = super().blueprint(with_retry_notice(on_new_message))
        sio = self.sio
        assert sio is not None  # set by the parent's blueprint()

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: dict[str, Any] | None) -> None:
            data = data if isinstance(data, dict) else {}
            if not data.get("session_id"):
                data["session_id"] = uuid.uuid4().hex
            session_id = str(data["session_id"])
            if self.session_persistence:
                joined = sio.enter_room(sid, session_id, namespace=self.namespace)
                if inspect.isawaitable(joined):  # a coroutine from python-socketio 5.10 on
                    await joined
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)
            logger.debug("Socket %s joined session %s.", sid, session_id)

        return socketio_webhook
