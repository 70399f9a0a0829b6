"""Helpers for the scale-out tests: conversations spread over replicas, stopped at a chosen question."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable

from tests.e2e.driver import DEFAULT_ANSWERS, question_key

SUMMARY = "核对您的需求单"
FIRST_MESSAGE = "我们是苏州精工机械有限公司，想用机器视觉检测零件表面划痕，预算50-80万，明年6月前完成"

Send = Callable[[str], list[dict]]


def new_sender(kind: str) -> str:
    return f"scale-{kind}-{uuid.uuid4().hex[:10]}"


def texts(replies: list[dict]) -> list[str]:
    return [r.get("text", "") for r in replies if r.get("text")]


def alternating(replicas, sender: str, order: tuple[str, ...] = ("a", "b")) -> Send:
    """A `send` whose messages go to the replicas in turn."""
    turn = itertools.cycle(order)
    return lambda message: replicas.rest(next(turn), sender, message)


def answer_until(send: Send, first: str, stop_key: str, answers: dict[str, str] | None = None) -> list[str]:
    """Answer the bot's questions (the driver's defaults) until it asks the one containing `stop_key`;
    the bot's texts of that turn."""
    merged = {**DEFAULT_ANSWERS, **(answers or {})}
    message = first
    for _ in range(30):
        said = texts(send(message))
        key = question_key(said, merged)
        if key == stop_key:
            return said
        if key is None:
            raise AssertionError(f"unexpected bot reply to {message!r}: {said}")
        message = merged[key]
    raise AssertionError(f"{stop_key!r} never asked")
