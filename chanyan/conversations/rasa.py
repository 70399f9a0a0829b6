"""Rasa's HTTP API as the conversation service uses it (and the widget channel's presence route).

Appending events goes through Rasa, never straight into the tracker store: Rasa takes the conversation's lock
(no race with a user's turn on any replica) and, with ``execute_side_effects``, hands bot messages to the named
channel's output (the widget's socket room, WeChat 客服消息). Synchronous (urllib): callers run it off their
event loop.
"""

from __future__ import annotations

import json
import logging
import re
import urllib.error
import urllib.request
from typing import Any, Protocol
from urllib.parse import quote, urlencode

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 20.0
# How a WeChat refusal reaches us through Rasa's error answer (connectors/wechat/api.py: WeChatAPIError).
WECHAT_ERROR_RE = re.compile(r"WeChat API error (-?\d+)")
PRESENCE_PATH = "/webhooks/socketio/presence/"


class RasaError(Exception):
    """Rasa did not take the call.

    Attributes:
        unavailable: no answer at all (down, unreachable, timed out).
        wechat_errcode: the WeChat errcode when the WeChat channel refused to deliver.
    """

    def __init__(self, message: str, *, unavailable: bool = False, wechat_errcode: int | None = None) -> None:
        super().__init__(message)
        self.unavailable = unavailable
        self.wechat_errcode = wechat_errcode


class ConversationTransport(Protocol):
    """What the conversation service needs from Rasa (a fake in unit tests)."""

    def append_events(
        self, conversation_id: str, events: list[dict[str, Any]], *, output_channel: str | None = None
    ) -> None: ...

    def execute(self, conversation_id: str, action: str, *, output_channel: str | None = None) -> None: ...

    def widget_connected(self, conversation_id: str) -> bool | None: ...


class RasaClient:
    """Rasa's HTTP API at `base_url`, authenticated with `token` (RASA_TOKEN)."""

    def __init__(self, base_url: str, token: str, *, timeout: float = TIMEOUT_SECONDS) -> None:
        self.base_url = base_url.rstrip("/")
        self._token = token
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"RasaClient({self.base_url!r})"

    def append_events(
        self, conversation_id: str, events: list[dict[str, Any]], *, output_channel: str | None = None
    ) -> None:
        """Append events; with `output_channel`, bot messages among them are sent on that channel."""
        query = {"output_channel": output_channel, "execute_side_effects": "true"} if output_channel else {}
        self._call("POST", f"/conversations/{quote(conversation_id, safe='')}/tracker/events", events, query)

    def execute(self, conversation_id: str, action: str, *, output_channel: str | None = None) -> None:
        """Run one action in the conversation (its messages go out on `output_channel`)."""
        query = {"output_channel": output_channel} if output_channel else {}
        self._call(
            "POST", f"/conversations/{quote(conversation_id, safe='')}/execute", {"name": action}, query
        )

    def widget_connected(self, conversation_id: str) -> bool | None:
        """Whether a widget page of the session is connected to this Rasa (None: could not tell)."""
        try:
            answer = self._call("GET", PRESENCE_PATH + quote(conversation_id, safe=""), None, {}, bearer=True)
        except RasaError:
            logger.warning("could not ask Rasa whether web chat session %s is connected", conversation_id)
            return None
        return bool((answer or {}).get("connected"))

    def _call(self, method: str, path: str, body: Any, query: dict[str, str], *, bearer: bool = False) -> Any:
        headers = {"Content-Type": "application/json"}
        if bearer:
            headers["Authorization"] = f"Bearer {self._token}"
        else:
            query = {**query, "token": self._token}
        url = f"{self.base_url}{path}?{urlencode(query)}" if query else f"{self.base_url}{path}"
        data = None if body is None else json.dumps(body, ensure_ascii=False).encode("utf-8")
        request = urllib.request.Request(url, data=data, method=method, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (configured URL)
                raw = response.read()
        except urllib.error.HTTPError as err:
            text = err.read().decode("utf-8", "replace")
            match = WECHAT_ERROR_RE.search(text)
            raise RasaError(
                f"Rasa answered HTTP {err.code} to {method} {path.split('?')[0]}: {_message(text)}",
                wechat_errcode=int(match.group(1)) if match else None,
            ) from err
        except (urllib.error.URLError, OSError) as err:  # the URL holds the token: never log it
            raise RasaError(f"Rasa unreachable ({type(err).__name__})", unavailable=True) from err
        try:
            return json.loads(raw) if raw else None
        except ValueError:
            return None


def _message(text: str) -> str:
    try:
        return str(json.loads(text).get("message") or text)[:300]
    except (ValueError, AttributeError):
        return text[:300]
