"""A polite notice when a user message got no answer at all (the action server or a store was down).

Rasa 3.6 logs a failed custom action ("Bot will continue, but the actions events are lost") and the user
hears nothing. Any channel can wrap the `on_new_message` it is given with `with_retry_notice`: when the
turn ends without a single bot message, or fails, the user is told to send the message again. The wording
lives here rather than in the domain because the domain's responses are exactly what is unavailable then.
A conversation that staff hold (Rasa's tracker is paused) is silent on purpose and gets no notice.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import UserMessage
from sanic import Sanic
from sanic.exceptions import SanicException

logger = logging.getLogger(__name__)

RASA_APP_NAME = "rasa_server"  # rasa/server.py's Sanic app (with the HTTP API)
RETRY_NOTICE = "抱歉，系统有点忙，请稍后再发一次，您已填写的内容都已保存。"

OnNewMessage = Callable[[UserMessage], Awaitable[Any]]


async def conversation_held(sender_id: str) -> bool:
    """Whether staff hold the conversation (the bot is paused in it), as this process's Rasa server's tracker
    store says; False when that cannot be told."""
    try:
        try:
            app = Sanic.get_app(RASA_APP_NAME)
        except SanicException:
            app = Sanic.get_app()  # the one server of this process
        store = app.ctx.agent.tracker_store
        tracker = await store.retrieve(sender_id)
    except Exception:  # no single app (tests), no agent yet, or the store is down: not known to be held
        return False
    return bool(tracker is not None and tracker.is_paused())


def with_retry_notice(on_new_message: OnNewMessage, notice: str = RETRY_NOTICE) -> OnNewMessage:
    """`on_new_message`, plus `notice` sent to the user when the turn produced no bot message."""

    async def handle(message: UserMessage) -> None:
        channel = message.output_channel
        original_send = channel.send_response
        replied = False

        async def send_response(recipient_id: str, bot_message: dict[str, Any]) -> None:
            nonlocal replied
            replied = True
            await original_send(recipient_id, bot_message)

        # Per message: every input channel creates a fresh output channel for each user message.
        channel.send_response = send_response  # type: ignore[method-assign]
        try:
            await on_new_message(message)
        except asyncio.CancelledError:
            raise  # the request is gone (timeout or disconnect): nobody to tell
        except Exception:
            logger.exception("handling a message from %s failed; sending the retry notice", message.sender_id)
            await _notify(original_send, message, notice)
            return
        finally:
            channel.send_response = original_send  # type: ignore[method-assign]
        if not replied and not await conversation_held(message.sender_id):
            logger.warning(
                "no bot message for a message from %s; sending the retry notice", message.sender_id
            )
            await _notify(original_send, message, notice)

    return handle


async def _notify(
    send: Callable[[str, dict[str, Any]], Awaitable[None]], message: UserMessage, notice: str
) -> None:
    try:
        await send(message.sender_id, {"text": notice})
    except Exception:
        logger.exception("could not send the retry notice to %s", message.sender_id)
