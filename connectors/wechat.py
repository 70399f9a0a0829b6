"""WeChat Official Account (公众号) channel for Rasa: `connectors.wechat.WeChatInput` in credentials.yml.

WeChat posts each user message to `/webhooks/wechat/webhook` and waits 5 seconds for the answer, retrying
three times. The channel answers passively (the reply in the HTTP response) when the bot is quick enough,
otherwise it answers "success" at once and delivers the bot's messages through the customer-service message
API (客服消息). wechatpy does the protocol: signatures, AES (compatible and safe modes), XML messages.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import os
import secrets
import time
from collections import deque
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

import xmltodict
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.messages import BaseMessage
from wechatpy.replies import create_reply
from wechatpy.utils import WeChatSigner

from connectors.retry_notice import RETRY_NOTICE
from connectors.wechat_api import IncidentRecorder, WeChatAPI, WeChatAPIError
from connectors.wechat_store import KEY_PREFIX, ChannelStore, make_store
from connectors.wechat_text import (
    MAX_TEXT_BYTES,
    mask,
    match_title,
    neutralize_command,
    parse_choice,
    render_buttons,
    split_text,
    utf8_size,
)

logger = logging.getLogger(__name__)

# --- the channel's own texts (the bot's texts live in the domain) ---
WELCOME_TEXT = (
    "您好，欢迎关注产研通！我可以帮您把企业的技术需求整理成需求单，为您对接高校和科研院所。"
    "请直接用一两句话描述您的需求，例如：“我们想用机器视觉检测零件表面划痕”。"
)
VOICE_NOT_RECOGNIZED_TEXT = "抱歉，这条语音没能识别出文字，麻烦您用文字再说一下。"
UNSUPPORTED_MEDIA_TEXT = "抱歉，我目前只能读取文字和语音消息，图片、位置、链接和文件暂时无法处理。请用文字描述您的需求，我来帮您整理。"

# --- configuration ---
CHANNEL_NAME = "wechat"
MODES = ("plaintext", "compatible", "safe")
DEFAULT_API_BASE = "https://api.weixin.qq.com"
DEFAULT_REPLY_TIMEOUT = 4.5
WECHAT_WAIT_SECONDS = 5.0  # WeChat gives up on a passive reply after this long
TEST_HOOKS_ENV = "WECHAT_TEST_HOOKS"
REPLY_TIMEOUT_HEADER = "X-Chanyan-Reply-Timeout"
REQUIRED_CREDENTIALS = ("token", "appid", "secret")

# --- security and bookkeeping ---
MAX_BODY_BYTES = 64 * 1024  # a real callback is a few hundred bytes
MAX_CLOCK_SKEW = 300  # seconds; older signed requests are replays
DEDUP_TTL = 600.0
CHOICES_TTL = 24 * 3600.0
DEDUP_POLL_INTERVAL = 0.05
SUCCESS = "success"

# --- events and menu keys turned into user messages for Rasa ---
SUBSCRIBE_EVENTS = ("subscribe", "subscribe_scan")
MENU_PAYLOADS = {"START_INTAKE": "/request_filing", "HELP": "/faq_process"}
GREET_PAYLOAD = "/greet"
HELP_PAYLOAD = "/faq_process"
UNSUPPORTED_TYPES = ("image", "location", "link", "file", "video", "shortvideo", "miniprogrampage")

_background_tasks: set[asyncio.Task] = set()


def _keep(task: asyncio.Task) -> asyncio.Task:
    """Hold a reference to a background task until it ends (asyncio keeps only weak ones)."""
    _background_tasks.add(task)
    task.add_done_callback(_background_tasks.discard)
    return task


# --- configuration --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WeChatConfig:
    """The channel's settings (credentials.yml `wechat:` section, values from WECHAT_* env vars)."""

    token: str = field(repr=False)
    appid: str
    secret: str = field(repr=False)
    aes_key: str = field(default="", repr=False)
    mode: str = "plaintext"
    api_base: str = DEFAULT_API_BASE
    redis_url: str = field(default="", repr=False)
    reply_timeout: float = DEFAULT_REPLY_TIMEOUT
    test_hooks: bool = False

    @classmethod
    def from_credentials(cls, credentials: Mapping[str, Any]) -> WeChatConfig:
        """Validate and build; raises ValueError naming the offending key (never its value)."""
        missing = [key for key in REQUIRED_CREDENTIALS if not str(credentials.get(key) or "").strip()]
        if missing:
            raise ValueError(f"missing credentials: {', '.join(missing)}")
        mode = str(credentials.get("mode") or "plaintext").strip().lower()
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        aes_key = str(credentials.get("aes_key") or "").strip()
        if mode != "plaintext":
            if not aes_key:
                raise ValueError(f"aes_key (EncodingAESKey) is required in {mode} mode")
            try:
                WeChatCrypto("check", aes_key, "check")
            except Exception as err:
                raise ValueError("aes_key must be the 43-character EncodingAESKey") from err
        api_base = str(credentials.get("api_base") or DEFAULT_API_BASE).strip().rstrip("/")
        if not api_base.startswith(("https://", "http://")):
            raise ValueError("api_base must be an http(s) URL")
        raw_timeout = str(credentials.get("reply_timeout") or DEFAULT_REPLY_TIMEOUT).strip()
        try:
            reply_timeout = float(raw_timeout)
        except ValueError as err:
            raise ValueError("reply_timeout must be a number of seconds") from err
        if not 0 <= reply_timeout < WECHAT_WAIT_SECONDS:
            raise ValueError(f"reply_timeout must be between 0 and {WECHAT_WAIT_SECONDS} seconds")
        hooks = credentials.get("test_hooks", os.environ.get(TEST_HOOKS_ENV, ""))
        return cls(
            token=str(credentials["token"]).strip(),
            appid=str(credentials["appid"]).strip(),
            secret=str(credentials["secret"]).strip(),
            aes_key=aes_key,
            mode=mode,
            api_base=api_base,
            redis_url=str(credentials.get("redis_url") or "").strip(),
            reply_timeout=reply_timeout,
            test_hooks=str(hooks).strip().lower() in ("1", "true", "yes"),
        )


# --- XML ------------------------------------------------------------------------------------------------


class MalformedMessage(ValueError):
    """The body is not a WeChat XML message."""


def _forbid_doctype(*_args: Any) -> None:
    raise ValueError("DOCTYPE is not allowed")


class _NoDoctypeExpat:
    """`xml.parsers.expat` for xmltodict, rejecting any DOCTYPE: WeChat never sends one, and a DTD is where
    entity bombs and external entities live. (xmltodict rejects entity declarations on its own too.)"""

    @staticmethod
    def ParserCreate(*args: Any, **kwargs: Any) -> Any:  # noqa: N802 (expat's name)
        parser = expat.ParserCreate(*args, **kwargs)
        parser.StartDoctypeDeclHandler = _forbid_doctype
        parser.ExternalEntityRefHandler = _forbid_doctype
        return parser


def parse_xml(data: bytes | str) -> dict[str, Any]:
    """The fields of a `<xml>...</xml>` document, parsed without DTDs or entities."""
    try:
        document = xmltodict.parse(data, expat=_NoDoctypeExpat, disable_entities=True)
    except (expat.ExpatError, ValueError, UnicodeError) as err:
        raise MalformedMessage(f"unparsable XML: {err}") from err
    fields = document.get("xml") if isinstance(document, dict) else None
    if not isinstance(fields, dict):
        raise MalformedMessage("the root element is not <xml> with fields")
    return fields


def _cdata_safe(text: str) -> str:
    # Replies are rendered in CDATA sections; a "]]>" echoed from user input would end one early.
    return text.replace("]]>", "]]＞")


# --- responses ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WebhookResponse:
    """What the webhook answers WeChat, independent of the web framework."""

    status: int
    body: str
    content_type: str = "text/plain; charset=utf-8"


OK_SUCCESS = WebhookResponse(200, SUCCESS)


def _refuse(status: int, reason: str) -> WebhookResponse:
    logger.warning("Refused a WeChat callback (%d): %s", status, reason)
    return WebhookResponse(status, {400: "bad request", 403: "forbidden", 413: "too large"}[status])


@dataclass(frozen=True)
class Envelope:
    """How a callback arrived: whether the reply must be encrypted."""

    encrypted: bool


# --- state shared by requests and replicas --------------------------------------------------------------


class ChoiceMemory:
    """The buttons last shown to each openid, so that a reply "1" can stand for the first one."""

    def __init__(self, store: ChannelStore, appid: str) -> None:
        self._store = store
        self._prefix = f"{KEY_PREFIX}:{appid}:choices:"

    async def remember(self, openid: str, buttons: Sequence[dict[str, Any]]) -> None:
        """Keep the latest buttons shown to `openid`."""
        kept = [{"title": str(b.get("title") or ""), "payload": str(b.get("payload") or "")} for b in buttons]
        await self._store.set(self._prefix + openid, json.dumps(kept, ensure_ascii=False), CHOICES_TTL)

    async def recall(self, openid: str) -> list[dict[str, str]]:
        """The buttons shown last, or an empty list."""
        raw = await self._store.get(self._prefix + openid)
        if not raw:
            return []
        try:
            buttons = json.loads(raw)
        except ValueError:
            return []
        return buttons if isinstance(buttons, list) else []

    async def forget(self, openid: str) -> None:
        """The bot's last turn had no buttons: numbers are just numbers again."""
        await self._store.delete(self._prefix + openid)


class Deduplicator:
    """One processing per WeChat message, whatever the retries; remembers the passive reply for them."""

    PROCESSING = "processing"
    DONE = "done"
    REPLY = "reply:"

    def __init__(self, store: ChannelStore, appid: str) -> None:
        self._store = store
        self._prefix = f"{KEY_PREFIX}:{appid}:seen:"

    async def claim(self, key: str) -> bool:
        """True for the first delivery of a message, False for a retry or duplicate."""
        return await self._store.add(self._prefix + key, self.PROCESSING, DEDUP_TTL)

    async def finish(self, key: str, reply: str | None) -> None:
        """Record the outcome: the passive reply given, or done (nothing or 客服消息)."""
        await self._store.set(self._prefix + key, self.REPLY + reply if reply else self.DONE, DEDUP_TTL)

    async def outcome(self, key: str, wait: float) -> str | None:
        """The passive reply of the first delivery, waiting up to `wait` seconds while it is processed."""
        deadline = time.monotonic() + wait
        state = await self._store.get(self._prefix + key)
        while state == self.PROCESSING and time.monotonic() < deadline:
            await asyncio.sleep(DEDUP_POLL_INTERVAL)
            state = await self._store.get(self._prefix + key)
        if state and state.startswith(self.REPLY):
            return state[len(self.REPLY) :]
        return None


def dedup_key(message: BaseMessage, fields: Mapping[str, Any]) -> str:
    """MsgId for messages; FromUserName + CreateTime for events (as WeChat recommends)."""
    msg_id = str(fields.get("MsgId") or "").strip()
    if msg_id and msg_id != "0":
        return f"msg:{msg_id}"
    return f"evt:{message.source}:{fields.get('CreateTime', '')}"


# --- output ---------------------------------------------------------------------------------------------


class WeChatOutput(OutputChannel):
    """Collects the bot's messages for a passive reply, or pushes them as 客服消息 in order.

    One instance per user message. `collect=True` starts in collecting mode; `start_pushing()` switches
    to pushing (the reply window passed or the reply is too long) and queues what was collected first.
    """

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    def __init__(
        self, api: WeChatAPI, choices: ChoiceMemory, incidents: IncidentRecorder, *, collect: bool = False
    ) -> None:
        self._api = api
        self._choices = choices
        self._incidents = incidents
        self._collecting = collect
        self.collected: list[tuple[str, str]] = []
        self._pending: deque[tuple[str, str]] = deque()
        self._lock = asyncio.Lock()
        self._blocked: WeChatAPIError | None = None
        self._after: asyncio.Future | None = None
        self.turn_buttons: list[dict[str, Any]] | None = None
        self.delivered = 0
        self.emitted = 0  # messages the bot produced in this turn, collected or pushed

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Send text, split within WeChat's size limit."""
        for chunk in split_text(text):
            await self._emit(recipient_id, chunk)

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Buttons become numbered lines; the list is remembered so that "1" selects the first."""
        self.turn_buttons = list(buttons)
        await self._choices.remember(recipient_id, buttons)
        await self.send_text_message(recipient_id, render_buttons(text, buttons))

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        """Images are sent as their link (uploading media is out of scope)."""
        await self.send_text_message(recipient_id, f"图片：{image}")

    async def send_attachment(self, recipient_id: str, attachment: str, **kwargs: Any) -> None:
        """Attachments are sent as text."""
        await self.send_text_message(recipient_id, str(attachment))

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        """Only a custom payload's `text` can be shown on WeChat."""
        text = json_message.get("text") if isinstance(json_message, dict) else None
        if text:
            await self.send_text_message(recipient_id, str(text))
        else:
            logger.debug("Custom payload without text not sent on WeChat.")

    async def _emit(self, recipient_id: str, text: str) -> None:
        self.emitted += 1
        if self._collecting:
            self.collected.append((recipient_id, text))
            return
        self._pending.append((recipient_id, text))
        await self.flush()

    def passive_text(self) -> str | None:
        """The collected messages as one passive reply, or None if there are none or they do not fit."""
        if not self.collected:
            return None
        joined = "\n\n".join(text for _, text in self.collected)
        return joined if utf8_size(joined) <= MAX_TEXT_BYTES else None

    def start_pushing(self, after: asyncio.Future | None = None) -> None:
        """From now on deliver through 客服消息, beginning with what was collected.

        Args:
            after: an earlier turn's delivery to the same user; nothing is sent before it ends.
        """
        self._after = after
        self._collecting = False
        self._pending.extend(self.collected)
        self.collected = []

    async def flush(self) -> None:
        """Deliver everything queued, in order (one sender at a time)."""
        async with self._lock:
            if self._after is not None:
                await asyncio.wait({self._after})
                self._after = None
            while self._pending:
                recipient_id, text = self._pending.popleft()
                await self._deliver(recipient_id, text)

    async def _deliver(self, recipient_id: str, text: str) -> None:
        if self._blocked is not None:
            # The window is closed or the quota used: more calls would fail the same way.
            await self._incidents.record(recipient_id, self._blocked.kind, _undelivered(self._blocked, text))
            return
        try:
            await self._api.send_text(recipient_id, text)
            self.delivered += 1
        except WeChatAPIError as err:
            logger.error("Could not deliver a 客服消息 to %s: %s", mask(recipient_id), err, exc_info=True)
            if err.permanent:
                self._blocked = err
            await self._incidents.record(recipient_id, err.kind, _undelivered(err, text))
        except Exception:
            logger.error("Unexpected error delivering a 客服消息 to %s.", mask(recipient_id), exc_info=True)
            await self._incidents.record(recipient_id, "wechat_delivery_error", f"未送达的消息：{text[:200]}")


def _undelivered(error: WeChatAPIError, text: str) -> str:
    return f"errcode={error.errcode} errmsg={error.errmsg}；未送达的消息：{text[:200]}"


# --- the webhook ----------------------------------------------------------------------------------------


OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


class WeChatWebhook:
    """Verification and message handling, independent of Sanic (the blueprint only adapts requests)."""

    def __init__(
        self,
        config: WeChatConfig,
        *,
        store: ChannelStore | None = None,
        api: WeChatAPI | None = None,
        incidents: IncidentRecorder | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.store = store or make_store(config.redis_url)
        self.api = api or WeChatAPI(config.api_base, config.appid, config.secret, self.store)
        self.incidents = incidents or IncidentRecorder()
        self.choices = ChoiceMemory(self.store, config.appid)
        self.dedup = Deduplicator(self.store, config.appid)
        # The last 客服消息 delivery per openid: a later turn's replies wait for it, so they arrive in order.
        self._delivery_tails: dict[str, asyncio.Future] = {}
        self._clock = clock
        self._crypto = (
            WeChatCrypto(config.token, config.aes_key, config.appid) if config.mode != "plaintext" else None
        )

    async def close(self) -> None:
        """Release HTTP, Redis and database resources."""
        await self.api.close()
        await self.store.close()
        self.incidents.close()

    def output(self, *, collect: bool = False) -> WeChatOutput:
        """A new output channel bound to this webhook's API and stores."""
        return WeChatOutput(self.api, self.choices, self.incidents, collect=collect)

    # --- checks ---

    def _fresh(self, timestamp: str) -> bool:
        return timestamp.isdigit() and abs(self._clock() - int(timestamp)) <= MAX_CLOCK_SKEW

    def _signed(self, signature: str, *parts: str) -> bool:
        signer = WeChatSigner()
        signer.add_data(self.config.token, *parts)
        return bool(signature) and hmac.compare_digest(signer.signature.encode(), signature.encode("utf-8"))

    def _check_query(self, query: Mapping[str, str]) -> WebhookResponse | None:
        signature, timestamp, nonce = (query.get(k, "") for k in ("signature", "timestamp", "nonce"))
        if not (signature and timestamp and nonce):
            return _refuse(403, "missing signature, timestamp or nonce")
        if not self._fresh(timestamp):
            return _refuse(403, "timestamp too far from now (replay?)")
        if not self._signed(signature, timestamp, nonce):
            return _refuse(403, "bad signature")
        return None

    async def verify(self, query: Mapping[str, str]) -> WebhookResponse:
        """URL verification (GET): echo `echostr` when the signature is WeChat's."""
        refusal = self._check_query(query)
        if refusal is not None:
            return refusal
        echostr = query.get("echostr", "")
        if not echostr:
            return _refuse(400, "missing echostr")
        logger.info("WeChat server URL verified.")
        return WebhookResponse(200, echostr)

    def _open(
        self, query: Mapping[str, str], body: bytes
    ) -> tuple[str, dict[str, Any], Envelope] | WebhookResponse:
        """Check and decrypt a callback: (message XML, its fields, envelope) or a refusal."""
        refusal = self._check_query(query)
        if refusal is not None:
            return refusal
        try:
            outer = parse_xml(body)
        except MalformedMessage as err:
            return _refuse(400, str(err))
        encrypted = self.config.mode == "safe" or (
            self.config.mode == "compatible" and query.get("encrypt_type", "").lower() == "aes"
        )
        if not encrypted:
            try:
                return body.decode("utf-8"), outer, Envelope(encrypted=False)
            except UnicodeDecodeError:
                return _refuse(400, "body is not UTF-8")
        msg_signature, encrypt = query.get("msg_signature", ""), outer.get("Encrypt")
        if not msg_signature or not isinstance(encrypt, str) or not encrypt:
            return _refuse(403, "missing msg_signature or Encrypt in an encrypted mode")
        if not self._signed(msg_signature, query["timestamp"], query["nonce"], encrypt):
            return _refuse(403, "bad msg_signature")
        assert self._crypto is not None
        try:
            xml = self._crypto.decrypt_message(
                {"Encrypt": encrypt}, msg_signature, query["timestamp"], query["nonce"]
            )
        except (InvalidSignatureException, InvalidAppIdException) as err:
            return _refuse(403, f"{type(err).__name__} while decrypting")
        except Exception as err:
            return _refuse(400, f"undecryptable Encrypt ({type(err).__name__})")
        try:
            fields = parse_xml(xml)
        except MalformedMessage as err:
            return _refuse(400, f"decrypted {err}")
        return xml, fields, Envelope(encrypted=True)

    # --- replies ---

    def _passive(self, text: str, message: BaseMessage, envelope: Envelope) -> WebhookResponse:
        xml = create_reply(_cdata_safe(text), message=message, render=True)
        if envelope.encrypted:
            assert self._crypto is not None
            xml = self._crypto.encrypt_message(xml, secrets.token_hex(8), str(int(self._clock())))
        return WebhookResponse(200, xml, "text/xml; charset=utf-8")

    # --- messages ---

    async def receive(
        self,
        query: Mapping[str, str],
        body: bytes,
        on_new_message: OnNewMessage,
        *,
        reply_timeout: float | None = None,
    ) -> WebhookResponse:
        """Handle a callback (POST): check, deduplicate, answer passively or via 客服消息."""
        if len(body) > MAX_BODY_BYTES:
            return _refuse(413, f"body of {len(body)} bytes")
        opened = self._open(query, body)
        if isinstance(opened, WebhookResponse):
            return opened
        xml, fields, envelope = opened
        try:
            message = parse_message(xml)
        except Exception as err:
            return _refuse(400, f"not a WeChat message ({type(err).__name__})")
        openid = str(message.source or "")
        if not openid:
            return _refuse(400, "no FromUserName")
        timeout = self.config.reply_timeout if reply_timeout is None else reply_timeout

        key = dedup_key(message, fields)
        if not await self.dedup.claim(key):
            logger.info(
                "Duplicate WeChat delivery %s from %s; processed once.", key.split(":")[0], mask(openid)
            )
            earlier = await self.dedup.outcome(key, timeout)
            return self._passive(earlier, message, envelope) if earlier else OK_SUCCESS

        try:
            return await self._dispatch(message, fields, envelope, key, on_new_message, timeout)
        except Exception:
            logger.error("Failed to handle a WeChat message from %s.", mask(openid), exc_info=True)
            await self.dedup.finish(key, None)
            return OK_SUCCESS

    async def _dispatch(
        self,
        message: BaseMessage,
        fields: Mapping[str, Any],
        envelope: Envelope,
        key: str,
        on_new_message: OnNewMessage,
        timeout: float,
    ) -> WebhookResponse:
        openid = str(message.source)
        msg_type = str(fields.get("MsgType") or "").lower()
        metadata: dict[str, Any] = {
            "wechat": {"msg_type": msg_type, "msg_id": str(fields.get("MsgId") or "")}
        }
        fallback: str | None = None

        if msg_type == "text":
            text = await self._resolve_choice(openid, str(fields.get("Content") or ""), metadata)
        elif msg_type == "voice":
            text = neutralize_command(str(fields.get("Recognition") or "").strip())
            if not text:
                return await self._answer_now(key, VOICE_NOT_RECOGNIZED_TEXT, message, envelope)
        elif msg_type == "event":
            event = str(fields.get("Event") or "").lower()
            event_key = str(fields.get("EventKey") or "")
            metadata["wechat"].update(event=event, event_key=event_key)
            if event == "subscribe" or message.type in SUBSCRIBE_EVENTS:
                text, fallback = GREET_PAYLOAD, WELCOME_TEXT
            elif event == "unsubscribe":
                await self.choices.forget(openid)
                logger.info("%s unsubscribed.", mask(openid))
                return await self._answer_now(key, None, message, envelope)
            elif event == "click":
                text = MENU_PAYLOADS.get(event_key, HELP_PAYLOAD)
                if event_key not in MENU_PAYLOADS:
                    logger.warning("Unknown menu key %r; showing help.", event_key)
            else:
                return await self._answer_now(key, None, message, envelope)
        else:
            return await self._answer_now(key, UNSUPPORTED_MEDIA_TEXT, message, envelope)

        if not text.strip():
            return await self._answer_now(key, None, message, envelope)
        return await self._converse(text, message, envelope, key, on_new_message, timeout, metadata, fallback)

    async def _resolve_choice(self, openid: str, content: str, metadata: dict[str, Any]) -> str:
        """A reply "1" (or a button's exact title) after numbered choices becomes that button's payload."""
        buttons = await self.choices.recall(openid)
        index = parse_choice(content, len(buttons))
        if index is None:
            index = match_title(content, buttons)
        if index is None or not buttons[index].get("payload"):
            return neutralize_command(content.strip())
        metadata["wechat"]["choice"] = buttons[index].get("title", "")
        return buttons[index]["payload"]

    async def _answer_now(
        self, key: str, text: str | None, message: BaseMessage, envelope: Envelope
    ) -> WebhookResponse:
        await self.dedup.finish(key, text)
        return self._passive(text, message, envelope) if text else OK_SUCCESS

    async def _converse(
        self,
        text: str,
        message: BaseMessage,
        envelope: Envelope,
        key: str,
        on_new_message: OnNewMessage,
        timeout: float,
        metadata: dict[str, Any],
        fallback: str | None,
    ) -> WebhookResponse:
        openid = str(message.source)
        output = self.output(collect=True)
        msg_id = metadata["wechat"]["msg_id"]
        user_message = UserMessage(
            text,
            output,
            openid,
            input_channel=CHANNEL_NAME,
            message_id=msg_id if msg_id and msg_id != "0" else None,
            metadata=metadata,
        )
        turn = _keep(asyncio.ensure_future(self._run_turn(on_new_message, user_message, output, fallback)))
        if timeout <= 0:
            # No passive window at all: a bot that never yields to the loop would otherwise finish "in time".
            self._push_rest(turn, output, key, openid)
            return OK_SUCCESS
        try:
            done, _ = await asyncio.wait({turn}, timeout=timeout)
        except asyncio.CancelledError:
            # WeChat hung up: the bot still answers, through 客服消息.
            self._push_rest(turn, output, key, openid)
            raise
        if turn in done:
            reply = output.passive_text()
            if reply is not None or not output.collected:
                await self.dedup.finish(key, reply)
                return self._passive(reply, message, envelope) if reply else OK_SUCCESS
        logger.info(
            "Bot reply to %s %s; delivering through 客服消息.",
            mask(openid),
            "too long for a passive reply" if turn in done else f"not ready after {timeout}s",
        )
        self._push_rest(turn, output, key, openid)
        return OK_SUCCESS

    def _push_rest(self, turn: asyncio.Future, output: WeChatOutput, key: str, openid: str) -> None:
        previous = self._delivery_tails.get(openid)
        output.start_pushing(after=previous)

        async def finish() -> None:
            await asyncio.wait({turn})
            await output.flush()
            await self.dedup.finish(key, None)

        task = _keep(asyncio.ensure_future(finish()))
        self._delivery_tails[openid] = task

        def forget(done: asyncio.Future) -> None:
            if self._delivery_tails.get(openid) is done:
                del self._delivery_tails[openid]

        task.add_done_callback(forget)

    async def _run_turn(
        self,
        on_new_message: OnNewMessage,
        user_message: UserMessage,
        output: WeChatOutput,
        fallback: str | None = None,
    ) -> None:
        """Run the bot on one message; a turn that fails or says nothing still gets an answer.

        Rasa 3.6 only logs a custom action that could not run (action server down) and says nothing, so a
        silent turn is answered with `fallback` (the welcome text for a subscription) or the retry notice.
        """
        openid = user_message.sender_id
        try:
            await on_new_message(user_message)
        except Exception:
            logger.error("The bot failed on a message from %s.", mask(openid), exc_info=True)
            await self.incidents.record(openid, "bot_error", "处理微信消息时出错，已请用户稍后重发。")
            await output.send_text_message(openid, RETRY_NOTICE)
        else:
            if not output.emitted:
                if fallback is None:
                    logger.warning(
                        "No bot message for a message from %s; sending the retry notice.", mask(openid)
                    )
                await output.send_text_message(openid, fallback or RETRY_NOTICE)
        try:
            if output.turn_buttons is None:
                await self.choices.forget(openid)
        except Exception:
            logger.warning("Could not update the choices of %s.", mask(openid), exc_info=True)


# --- Rasa channel ---------------------------------------------------------------------------------------


class WeChatInput(InputChannel):
    """WeChat Official Account (公众号) input channel."""

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        if not credentials:
            cls.raise_missing_credentials_exception()
        try:
            config = WeChatConfig.from_credentials(credentials)
        except ValueError as err:
            raise RasaException(f"The wechat channel is misconfigured: {err}.") from err
        return cls(config)

    def __init__(self, config: WeChatConfig, webhook: WeChatWebhook | None = None) -> None:
        self.config = config
        self.webhook = webhook or WeChatWebhook(config)
        logger.info("WeChat channel in %s mode for appid %s.", config.mode, config.appid)

    def get_output_channel(self) -> OutputChannel:
        """An output that pushes through 客服消息 (for messages the bot sends on its own)."""
        return self.webhook.output()

    def _reply_timeout(self, request: Request) -> float | None:
        if not self.config.test_hooks:
            return None
        raw = request.headers.get(REPLY_TIMEOUT_HEADER)
        try:
            return min(max(float(raw), 0.0), self.config.reply_timeout) if raw else None
        except ValueError:
            return None

    def blueprint(self, on_new_message: OnNewMessage) -> Blueprint:
        wechat_webhook = Blueprint("wechat_webhook", __name__)

        @wechat_webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @wechat_webhook.route("/webhook", methods=["GET", "POST"])
        async def webhook(request: Request) -> HTTPResponse:
            query = {name: values[0] for name, values in request.args.items() if values}
            declared = request.headers.get("content-length", "")
            try:
                if request.method == "GET":
                    result = await self.webhook.verify(query)
                elif declared.isdigit() and int(declared) > MAX_BODY_BYTES:
                    result = _refuse(413, f"declared body of {declared} bytes")
                else:
                    result = await self.webhook.receive(
                        query, request.body or b"", on_new_message, reply_timeout=self._reply_timeout(request)
                    )
            except Exception:
                # A bug must not make WeChat show "该公众号暂时无法提供服务" and retry into it again.
                logger.error("Unexpected error in the WeChat webhook.", exc_info=True)
                result = OK_SUCCESS
            return response.text(result.body, status=result.status, content_type=result.content_type)

        @wechat_webhook.listener("after_server_stop")
        async def close(_app: Any, _loop: Any) -> None:
            await self.webhook.close()

        return wechat_webhook
