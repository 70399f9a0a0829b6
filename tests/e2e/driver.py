"""Drive a whole intake the way a user would: read the bot's question, answer it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

REF = re.compile(r"XQ-\d{8}-\d{4}")

# Key words of each question → the user's answer.
DEFAULT_ANSWERS: dict[str, str] = {
    "核对您的需求单": "确认",
    "技术问题或需求": "零件表面划痕靠人工检测，漏检率高，想做自动检测",
    "起一个简短的名称": "零件表面缺陷视觉检测",
    "关键技术指标": "跳过",
    "技术领域": "1",
    "投入多少资金": "50万左右",
    "什么时候完成": "明年6月前",
    "合作方式": "委托开发",
    "知识产权": "跳过",
    "合作方有偏好": "不限",
    "单位的全称": "苏州精工机械有限公司",
    "怎么称呼": "王经理",
    "手机号码": "13912345678",
    "邮箱": "跳过",
}


@dataclass
class Intake:
    """The record of one conversation."""

    turns: list[tuple[str, list[str]]] = field(default_factory=list)
    ref: str | None = None

    @property
    def bot_texts(self) -> list[str]:
        return [text for _, texts in self.turns for text in texts]


def question_key(texts: list[str], answers: dict[str, str]) -> str | None:
    """The first answer key found in the bot's last messages (latest message first)."""
    for text in reversed(texts):
        for key in answers:
            if key in text:
                return key
    return None


def run_intake(
    send: Callable[[str], list[dict]],
    first_message: str,
    answers: dict[str, str] | None = None,
    max_turns: int = 30,
) -> Intake:
    """Talk until the bot files the request (its reply carries a reference number) or turns run out."""
    answers = {**DEFAULT_ANSWERS, **(answers or {})}
    intake = Intake()
    message = first_message
    for _ in range(max_turns):
        replies = send(message)
        texts = [r.get("text", "") for r in replies if r.get("text")]
        intake.turns.append((message, texts))
        found = next((m.group(0) for t in texts for m in [REF.search(t)] if m), None)
        if found:
            intake.ref = found
            return intake
        key = question_key(texts, answers)
        if key is None:
            raise AssertionError(f"unexpected bot reply to {message!r}: {texts}")
        message = answers[key]
    raise AssertionError(f"no request filed after {max_turns} turns: {intake.turns}")
