"""Verification and message handling of WeChat's callbacks, independent of Sanic.

WeChat posts each user message to `/webhooks/wechat/webhook` and waits 5 seconds for the answer, retrying
three times. The webhook answers passively (the reply in the HTTP response) when the bot is quick enough,
otherwise it answers "success" at once and delivers the bot's messages through the customer-service message
API (客服消息). wechatpy does the protocol: signatures, AES (compatible and safe modes), XML messages.
"""

from __future__ import annotations

import asyncio
import hmac
import logging
import secrets
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from rasa.core.channels.channel import UserMessage
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException, InvalidSignatureException
from wechatpy.messages import BaseMessage
from wechatpy.replies import create_reply
from wechatpy.utils import WeChatSigner

from chanyan.domain.validation import is_sender_id
from chanyan.domain.wechat_menu import MENU_PAYLOADS, UNKNOWN_KEY_PAYLOAD
from connectors.message_limit import TOO_LONG_NOTICE, too_long
from connectors.retry_notice import RETRY_NOTICE, conversation_held
from connectors.wechat.api import IncidentRecorder, WeChatAPI
from connectors.wechat.config import CHANNEL_NAME, WeChatConfig
from connectors.wechat.output import WeChatOutput
from connectors.wechat.state import (
    CLAIM_WATCH_LIMIT,
    PROCESSING_LEASE,
    ChoiceMemory,
    Deduplicator,
    QueryMemory,
    dedup_key,
)
from connectors.wechat.store import ChannelStore, make_store
from connectors.wechat.text import (
    UNSUPPORTED_MEDIA_TEXT,
    VOICE_NOT_RECOGNIZED_TEXT,
    WELCOME_TEXT,
    mask,
    match_title,
    neutralize_command,
    parse_choice,
)
from connectors.wechat.xml import MalformedMessage, cdata_safe, parse_xml

logger = logging.getLogger(__name__)

# --- security ---
MAX_BODY_BYTES = 64 * 1024  # a real callback is a few hundred bytes
MAX_CLOCK_SKEW = 300  # seconds; older signed requests are replays
SUCCESS = "success"

# --- events and menu keys turned into user messages for Rasa (the menu itself: chanyan.domain.wechat_menu) ---
SUBSCRIBE_EVENTS = ("subscribe", "subscribe_scan")
GREET_PAYLOAD = "/greet"

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]

_background_tasks: set[asyncio.Task] = set()


def _keep(task: asyncio.Task) -> asyncio.Task:
    """Hold a reference to a background task until it ends (asyncio keeps only weak ones)."""
    _background_tasks.add(task)
    task.add_done_callback(_background_tasks.discard)
    return task


@dataclass(frozen=True)
class WebhookResponse:
    """What the webhook answers WeChat, independent of the web framework."""

    status: int
    body: str
    content_type: str = "text/plain; charset=utf-8"


OK_SUCCESS = WebhookResponse(200, SUCCESS)


def refuse(status: int, reason: str) -> WebhookResponse:
    """A refusal (400, 403 or 413), logged with its reason; the body says no more than the status."""
    logger.warning("Refused a WeChat callback (%d): %s", status, reason)
    return WebhookResponse(status, {400: "bad request", 403: "forbidden", 413: "too large"}[status])


@dataclass(frozen=True)
class Envelope:
    """How a callback arrived: whether the reply must be encrypted."""

    encrypted: bool


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
        dedup_lease: float = PROCESSING_LEASE,
    ) -> None:
        self.config = config
        self.store = store or make_store(config.redis_url)
        self.api = api or WeChatAPI(config.api_base, config.appid, config.secret, self.store)
        self.incidents = incidents or IncidentRecorder()
        self.choices = ChoiceMemory(self.store, config.appid)
        self.dedup = Deduplicator(self.store, config.appid, dedup_lease)
        # A timestamp is fresh for MAX_CLOCK_SKEW on either side of now: remember its queries that long.
        self.queries = QueryMemory(self.store, config.appid, 2 * MAX_CLOCK_SKEW)
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

    def output(self, *, collect: bool = False, strict: bool = False) -> WeChatOutput:
        """A new output channel bound to this webhook's API and stores (`strict`: refusals raise)."""
        return WeChatOutput(self.api, self.choices, self.incidents, collect=collect, strict=strict)

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
            return refuse(403, "missing signature, timestamp or nonce")
        if not self._fresh(timestamp):
            return refuse(403, "timestamp too far from now (replay?)")
        if not self._signed(signature, timestamp, nonce):
            return refuse(403, "bad signature")
        return None

    async def verify(self, query: Mapping[str, str]) -> WebhookResponse:
        """URL verification (GET): echo `echostr` when the signature is WeChat's."""
        refusal = self._check_query(query)
        if refusal is not None:
            return refusal
        echostr = query.get("echostr", "")
        if not echostr:
            return refuse(400, "missing echostr")
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
            return refuse(400, str(err))
        encrypted = self.config.mode == "safe" or (
            self.config.mode == "compatible" and query.get("encrypt_type", "").lower() == "aes"
        )
        if not encrypted:
            try:
                return body.decode("utf-8"), outer, Envelope(encrypted=False)
            except UnicodeDecodeError:
                return refuse(400, "body is not UTF-8")
        msg_signature, encrypt = query.get("msg_signature", ""), outer.get("Encrypt")
        if not msg_signature or not isinstance(encrypt, str) or not encrypt:
            return refuse(403, "missing msg_signature or Encrypt in an encrypted mode")
        if not self._signed(msg_signature, query["timestamp"], query["nonce"], encrypt):
            return refuse(403, "bad msg_signature")
        assert self._crypto is not None
        try:
            xml = self._crypto.decrypt_message(
                {"Encrypt": encrypt}, msg_signature, query["timestamp"], query["nonce"]
            )
        except (InvalidSignatureException, InvalidAppIdException) as err:
            return refuse(403, f"{type(err).__name__} while decrypting")
        except Exception as err:
            return refuse(400, f"undecryptable Encrypt ({type(err).__name__})")
        try:
            fields = parse_xml(xml)
        except MalformedMessage as err:
            return refuse(400, f"decrypted {err}")
        return xml, fields, Envelope(encrypted=True)

    # --- replies ---

    def _passive(self, text: str, message: BaseMessage, envelope: Envelope) -> WebhookResponse:
        xml = create_reply(cdata_safe(text), message=message, render=True)
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
            return refuse(413, f"body of {len(body)} bytes")
        opened = self._open(query, body)
        if isinstance(opened, WebhookResponse):
            return opened
        xml, fields, envelope = opened
        if not envelope.encrypted and not await self.queries.first_body(
            query["timestamp"], query["nonce"], body
        ):
            return refuse(403, "a signed query seen before with another body (replay)")
        try:
            message = parse_message(xml)
        except Exception as err:
            return refuse(400, f"not a WeChat message ({type(err).__name__})")
        openid = str(message.source or "")
        if not openid:
            return refuse(400, "no FromUserName")
        if not is_sender_id(openid):
            return refuse(400, "FromUserName is not an openid")
        timeout = self.config.reply_timeout if reply_timeout is None else reply_timeout

        key = dedup_key(message, fields)
        deadline = time.monotonic() + timeout
        while not await self.dedup.claim(key):
            logger.info(
                "Duplicate WeChat delivery %s from %s; processed once.", key.split(":")[0], mask(openid)
            )
            earlier = await self.dedup.outcome(key, max(deadline - time.monotonic(), 0.0))
            if not earlier.abandoned:
                if not earlier.finished and not earlier.reply:
                    # "success" stops WeChat's retries while the first delivery is still at work: should its
                    # replica die now, nobody would process the message, so this one stands by to take over.
                    self._stand_by(key, message, fields, envelope, on_new_message)
                return self._passive(earlier.reply, message, envelope) if earlier.reply else OK_SUCCESS
            logger.warning("The delivery processing %s stopped (replica gone?); taking it over.", key)
        timeout = max(deadline - time.monotonic(), 0.0)
        try:
            return await self._dispatch(message, fields, envelope, key, on_new_message, timeout)
        except Exception:
            logger.error("Failed to handle a WeChat message from %s.", mask(openid), exc_info=True)
            await self.dedup.finish(key, None)
            return OK_SUCCESS

    def _stand_by(
        self,
        key: str,
        message: BaseMessage,
        fields: Mapping[str, Any],
        envelope: Envelope,
        on_new_message: OnNewMessage,
    ) -> None:
        """Take the message over (answering through 客服消息) if the delivery processing it stops unfinished."""

        async def watch() -> None:
            if not await self.dedup.lapses(key, CLAIM_WATCH_LIMIT) or not await self.dedup.claim(key):
                return
            logger.warning("The delivery processing %s stopped (replica gone?); taking it over.", key)
            try:
                await self._dispatch(message, fields, envelope, key, on_new_message, 0.0)
            except Exception:
                logger.error("Failed to handle a WeChat message taken over (%s).", key, exc_info=True)
                await self.dedup.finish(key, None)

        _keep(asyncio.ensure_future(watch()))

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
            content = str(fields.get("Content") or "")
            if too_long(content):
                return await self._answer_now(key, TOO_LONG_NOTICE, message, envelope)
            text = await self._resolve_choice(openid, content, metadata)
        elif msg_type == "voice":
            text = neutralize_command(str(fields.get("Recognition") or "").strip())
            if not text:
                return await self._answer_now(key, VOICE_NOT_RECOGNIZED_TEXT, message, envelope)
            if too_long(text):
                return await self._answer_now(key, TOO_LONG_NOTICE, message, envelope)
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
                text = MENU_PAYLOADS.get(event_key, UNKNOWN_KEY_PAYLOAD)
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
            if not output.emitted and (fallback is not None or not await conversation_held(openid)):
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
