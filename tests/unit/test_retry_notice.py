"""The retry notice: a user message that got no bot message at all (action server or a store down)."""

from __future__ import annotations

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from connectors.rest import RetryNoticeRestInput
from connectors.retry_notice import RETRY_NOTICE, with_retry_notice


def user_message(text: str = "委托开发") -> UserMessage:
    return UserMessage(text, CollectingOutputChannel(), "user-1", input_channel="rest")


async def test_a_silent_turn_gets_the_notice() -> None:
    async def silent(_message: UserMessage) -> None:
        return None

    message = user_message()
    await with_retry_notice(silent)(message)
    assert [m["text"] for m in message.output_channel.messages] == [RETRY_NOTICE]


async def test_a_turn_with_an_answer_is_left_alone() -> None:
    async def answers(message: UserMessage) -> None:
        await message.output_channel.send_response(message.sender_id, {"text": "您的需求属于哪个技术领域？"})

    message = user_message()
    await with_retry_notice(answers)(message)
    assert [m["text"] for m in message.output_channel.messages] == ["您的需求属于哪个技术领域？"]


async def test_a_failing_turn_gets_the_notice_instead_of_an_error() -> None:
    async def fails(_message: UserMessage) -> None:
        raise ConnectionError("tracker store unreachable")

    message = user_message()
    await with_retry_notice(fails)(message)
    assert [m["text"] for m in message.output_channel.messages] == [RETRY_NOTICE]


async def test_a_cancelled_turn_stays_cancelled() -> None:
    import asyncio

    async def cancelled(_message: UserMessage) -> None:
        raise asyncio.CancelledError

    message = user_message()
    with pytest.raises(asyncio.CancelledError):
        await with_retry_notice(cancelled)(message)
    assert message.output_channel.messages == []


def test_the_rest_channel_keeps_rasas_name_and_routes() -> None:
    async def silent(_message: UserMessage) -> None:
        return None

    channel = RetryNoticeRestInput.from_credentials(None)
    assert channel.name() == "rest" and channel.url_prefix() == "rest"
    uris = {route.uri for route in channel.blueprint(silent)._future_routes}
    assert {"/", "/webhook"} <= uris


async def test_a_conversation_held_by_staff_is_silent_on_purpose(monkeypatch) -> None:
    import connectors.retry_notice as retry_notice

    async def held(sender_id: str) -> bool:
        return sender_id == "user-1"

    async def silent(_message: UserMessage) -> None:
        return None

    monkeypatch.setattr(retry_notice, "conversation_held", held)
    message = user_message()
    await with_retry_notice(silent)(message)
    assert message.output_channel.messages == []
