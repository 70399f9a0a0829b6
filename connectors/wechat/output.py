"""The channel's output: the bot's messages collected for a passive reply, or pushed as 客服消息 in order."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from typing import Any

from rasa.core.channels.channel import OutputChannel

from chanyan.conversations.rules import STAFF_SIGNATURE
from connectors.wechat.api import IncidentRecorder, WeChatAPI, WeChatAPIError
from connectors.wechat.config import CHANNEL_NAME
from connectors.wechat.state import ChoiceMemory
from connectors.wechat.text import MAX_TEXT_BYTES, mask, render_buttons, split_text, utf8_size

logger = logging.getLogger(__name__)


class WeChatOutput(OutputChannel):
    """Collects the bot's messages for a passive reply, or pushes them as 客服消息 in order.

    One instance per user message. `collect=True` starts in collecting mode; `start_pushing()` switches
    to pushing (the reply window passed or the reply is too long) and queues what was collected first.
    `strict=True` (messages sent from outside a turn: staff replies through Rasa's HTTP API) raises the
    WeChatAPIError of a message WeChat refused, so the caller learns the outcome.
    """

    @classmethod
    def name(cls) -> str:
        return CHANNEL_NAME

    def __init__(
        self,
        api: WeChatAPI,
        choices: ChoiceMemory,
        incidents: IncidentRecorder,
        *,
        collect: bool = False,
        strict: bool = False,
    ) -> None:
        self._api = api
        self._choices = choices
        self._incidents = incidents
        self._collecting = collect
        self._strict = strict
        self.collected: list[tuple[str, str]] = []
        self._pending: deque[tuple[str, str]] = deque()
        self._lock = asyncio.Lock()
        self._blocked: WeChatAPIError | None = None
        self._after: asyncio.Future | None = None
        self.turn_buttons: list[dict[str, Any]] | None = None
        self.delivered = 0
        self.emitted = 0  # messages the bot produced in this turn, collected or pushed

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        """A reply typed by staff (its metadata names them) is signed with their name: WeChat shows no sender."""
        staff = message.get("staff")
        if isinstance(staff, str) and staff and message.get("text"):
            message = {**message, "text": STAFF_SIGNATURE.format(name=staff) + str(message["text"])}
        await super().send_response(recipient_id, message)

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
            if self._strict:
                raise self._blocked
            return
        try:
            await self._api.send_text(recipient_id, text)
            self.delivered += 1
        except WeChatAPIError as err:
            logger.error("Could not deliver a 客服消息 to %s: %s", mask(recipient_id), err, exc_info=True)
            if err.permanent:
                self._blocked = err
            await self._incidents.record(recipient_id, err.kind, _undelivered(err, text))
            if self._strict:
                raise
        except Exception:
            logger.error("Unexpected error delivering a 客服消息 to %s.", mask(recipient_id), exc_info=True)
            await self._incidents.record(recipient_id, "wechat_delivery_error", f"未送达的消息：{text[:200]}")


def _undelivered(error: WeChatAPIError, text: str) -> str:
    return f"errcode={error.errcode} errmsg={error.errmsg}；未送达的消息：{text[:200]}"
