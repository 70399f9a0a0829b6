"""Rasa's REST channel (`rest`, POST /webhooks/rest/webhook) with the same request and answer format, made safe to
expose.

- Who may use it: without a token it is open in development only (CHANYAN_ENV=development, the default of
  `make run` and the tests) and answers 403 in production. With `REST_TOKEN` (or `REST_TOKEN_FILE`) every call
  must carry `Authorization: Bearer <token>`, and the conversation is the client's own: the sender a client names
  is namespaced by the client (`<client>:<sender>`), so no client reaches another client's, a WeChat user's or
  a web chat user's conversation. `REST_TOKEN` holds one token (client `rest`) or `name:token` pairs separated
  by commas, one per client.
- What it accepts: a JSON object (no NaN or Infinity) of at most MAX_BODY_BYTES with a `sender` that is a valid
  conversation id (chanyan.domain.validation.SENDER_ID; there is no shared `default` conversation) and a
  `message` string of at most MAX_MESSAGE_CHARS characters. Anything else is answered with a 4xx JSON error
  `{"error": code, "message": 中文说明}` before the NLU sees it; an over-long message gets the channel's
  too-long notice. The client chooses neither the input channel nor the metadata recorded with the message.
- A message that got no bot message at all (the action server or a database was down) is answered with the
  retry notice (connectors/retry_notice.py).
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import re
from asyncio import CancelledError
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from chanyan.domain.validation import is_sender_id
from chanyan.settings import is_development
from connectors.message_limit import MAX_MESSAGE_CHARS, TOO_LONG_NOTICE, too_long
from connectors.retry_notice import OnNewMessage, with_retry_notice

logger = logging.getLogger(__name__)

CHANNEL_NAME = "rest"
# A message at the limit is a few kilobytes even with every character escaped; a bigger body is not read as JSON.
MAX_BODY_BYTES = 64 * 1024
DEFAULT_CLIENT = "rest"
CLIENT_NAME = re.compile(r"[A-Za-z0-9_-]{1,32}")
MIN_TOKEN_CHARS = 16

ERRORS: dict[str, tuple[int, str]] = {
    "rest_disabled": (403, "REST 通道未开放：生产环境需配置 REST_TOKEN。"),
    "unauthorized": (401, "缺少或无效的访问令牌（Authorization: Bearer …）。"),
    "too_large": (413, f"请求体过大（上限 {MAX_BODY_BYTES // 1024} KB）。"),
    "bad_json": (400, "请求体不是有效的 JSON。"),
    "not_an_object": (400, '请求体应为 JSON 对象，例如 {"sender": "…", "message": "…"}。'),
    "missing_sender": (400, "缺少 sender：请为每位用户提供各自的会话标识。"),
    "bad_sender": (
        400,
        "sender 无效：只能包含字母、数字和 _ . : @ -，以字母或数字开头，最长 128 个字符。",
    ),
    "missing_message": (400, "缺少 message。"),
    "bad_message": (400, "message 应为非空字符串。"),
    "too_long": (413, TOO_LONG_NOTICE),
}


class RestRefusal(Exception):
    """A request the channel answers with an error instead of handing it to the bot."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
        self.status, self.message = ERRORS[code]

    def body(self) -> dict[str, Any]:
        body: dict[str, Any] = {"error": self.code, "message": self.message}
        if self.code == "too_long":
            body["limit"] = MAX_MESSAGE_CHARS
        return body


@dataclass(frozen=True)
class RestAccess:
    """Who may use the channel: the configured clients' tokens, or nobody but a developer."""

    tokens: Mapping[str, str] = field(repr=False)  # client name -> token
    development: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> RestAccess:
        """From REST_TOKEN (or the file named by REST_TOKEN_FILE) and CHANYAN_ENV; a malformed value fails fast."""
        env = os.environ if environ is None else environ
        raw = env.get("REST_TOKEN", "").strip()
        path = env.get("REST_TOKEN_FILE", "").strip()
        if not raw and path:
            raw = Path(path).read_text(encoding="utf-8").strip()
        return cls(parse_tokens(raw), is_development(env))

    @property
    def enabled(self) -> bool:
        return bool(self.tokens) or self.development

    def client(self, authorization: str | None) -> str | None:
        """The client a bearer token belongs to (None: no or wrong token); "" when no token is needed."""
        if not self.tokens:
            return ""
        scheme, _, presented = (authorization or "").partition(" ")
        if scheme.lower() != "bearer" or not presented.strip():
            return None
        presented_bytes = presented.strip().encode()
        found = None
        for name, token in self.tokens.items():  # every token compared, in constant time
            if hmac.compare_digest(token.encode(), presented_bytes):
                found = name
        return found


def parse_tokens(raw: str) -> dict[str, str]:
    """`token` (client `rest`) or `name:token,name:token` into {client name: token} (tokens hold no `:` or `,`)."""
    if not raw:
        return {}
    tokens: dict[str, str] = {}
    entries = [e.strip() for e in raw.split(",") if e.strip()]
    for entry in entries:
        name, sep, token = entry.partition(":")
        if not sep:
            name, token = DEFAULT_CLIENT, entry
        if not CLIENT_NAME.fullmatch(name):
            raise ValueError(f"REST_TOKEN: client names are 1-32 letters, digits, _ or - (got {name!r})")
        if len(token) < MIN_TOKEN_CHARS:
            raise ValueError(
                f"REST_TOKEN: the token of client {name!r} needs at least {MIN_TOKEN_CHARS} characters"
            )
        if name in tokens:
            raise ValueError(f"REST_TOKEN: client {name!r} appears twice")
        tokens[name] = token
    if len(set(tokens.values())) != len(tokens):
        raise ValueError("REST_TOKEN: two clients share a token")
    return tokens


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def read_message(body: bytes) -> tuple[str, str]:
    """The (sender, message) of a request body, or RestRefusal."""
    if len(body) > MAX_BODY_BYTES:
        raise RestRefusal("too_large")
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError):  # json.JSONDecodeError is a ValueError
        raise RestRefusal("bad_json") from None
    if not isinstance(data, dict):
        raise RestRefusal("not_an_object")
    sender, text = data.get("sender"), data.get("message")
    if sender is None or sender == "":
        raise RestRefusal("missing_sender")
    if not is_sender_id(sender):
        raise RestRefusal("bad_sender")
    if text is None:
        raise RestRefusal("missing_message")
    if not isinstance(text, str) or not text.strip():
        raise RestRefusal("bad_message")
    if too_long(text):
        raise RestRefusal("too_long")
    return sender, text


def conversation_id(client: str, sender: str) -> str:
    """The tracker's id for a client's sender: the sender itself without tokens, else `<client>:<sender>`."""
    return f"{client}:{sender}" if client else sender


class RetryNoticeRestInput(RestInput):
    """The REST channel (same name, path, request and answer format) with access control, checked input and the
    retry notice."""

    def __init__(self, access: RestAccess | None = None) -> None:
        self.access = access or RestAccess.from_env()

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> RetryNoticeRestInput:
        return cls()

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        handle = with_retry_notice(on_new_message)
        access = self.access
        if access.tokens:
            logger.info("REST channel: %d client(s) with a token", len(access.tokens))
        elif access.development:
            logger.warning("REST channel open without a token (CHANYAN_ENV=development only)")
        else:
            logger.info("REST channel off (no REST_TOKEN outside development)")
        webhook = Blueprint(f"custom_webhook_{type(self).__name__}", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if access.enabled else "disabled"})

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            try:
                if not access.enabled:
                    raise RestRefusal("rest_disabled")
                client = access.client(request.headers.get("Authorization"))
                if client is None:
                    raise RestRefusal("unauthorized")
                sender, text = read_message(request.body or b"")
            except RestRefusal as refusal:
                headers = (
                    {"WWW-Authenticate": 'Bearer realm="chanyan-rest"'} if refusal.status == 401 else None
                )
                return response.json(refusal.body(), status=refusal.status, headers=headers)
            collector = CollectingOutputChannel()
            message = UserMessage(
                text, collector, conversation_id(client, sender), input_channel=CHANNEL_NAME
            )
            try:
                await handle(message)
            except CancelledError:
                logger.error("a REST message from %s timed out", message.sender_id)
            except Exception:
                logger.exception("a REST message from %s failed", message.sender_id)
            # The client knows its users by the sender it sent, not by the namespaced conversation id.
            return response.json([{**m, "recipient_id": sender} for m in collector.messages])

        return webhook
