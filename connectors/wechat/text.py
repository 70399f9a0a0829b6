"""The WeChat channel's own texts and text helpers: size limits, numbered choices, masking for logs."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import Any

from chanyan.domain.numerals import read_int

# The channel's own texts (the bot's texts live in the domain).
WELCOME_TEXT = (
    "您好，欢迎关注产研通！我可以帮您把企业的技术需求整理成需求单，为您对接高校和科研院所。"
    "请直接用一两句话描述您的需求，例如：“我们想用机器视觉检测零件表面划痕”。"
)
VOICE_NOT_RECOGNIZED_TEXT = "抱歉，这条语音没能识别出文字，麻烦您用文字再说一下。"
UNSUPPORTED_MEDIA_TEXT = "抱歉，我目前只能读取文字和语音消息，图片、位置、链接和文件暂时无法处理。请用文字描述您的需求，我来帮您整理。"

# WeChat documents 2048 bytes for a text message (passive reply and 客服消息); keep a margin.
MAX_TEXT_BYTES = 2000
BUTTON_HINT = "（回复序号即可选择）"

_CHOICE_RE = re.compile(
    r"^(?:选择?|选)?\s*第?\s*(?P<number>\d{1,2}|[一二三四五六七八九十])\s*(?:个|项|条|种|号)?\s*[.。、)）]?\s*$"
)
_SENTENCE_END_RE = re.compile(r"(?<=[。！？；!?;])")


def utf8_size(text: str) -> int:
    """The size of `text` as WeChat counts it (UTF-8 bytes)."""
    return len(text.encode("utf-8"))


def split_text(text: str, max_bytes: int = MAX_TEXT_BYTES) -> list[str]:
    """Split a reply into messages of at most `max_bytes`, at paragraph, line or sentence ends if possible."""
    text = text.strip()
    if not text:
        return []
    if utf8_size(text) <= max_bytes:
        return [text]
    chunks: list[str] = []
    current = ""
    for unit in _units(text, max_bytes):
        if utf8_size(current + unit) <= max_bytes:
            current += unit
            continue
        if current.strip():
            chunks.append(current.strip())
        current = unit
    if current.strip():
        chunks.append(current.strip())
    return chunks


def _units(text: str, max_bytes: int) -> Iterable[str]:
    """Lines (with their newline), lines too long cut at sentence ends, sentences too long cut anywhere."""
    for line in text.splitlines(keepends=True):
        if utf8_size(line) <= max_bytes:
            yield line
            continue
        for sentence in _SENTENCE_END_RE.split(line):
            if utf8_size(sentence) <= max_bytes:
                yield sentence
                continue
            yield from _hard_split(sentence, max_bytes)


def _hard_split(text: str, max_bytes: int) -> Iterable[str]:
    piece = ""
    for char in text:
        if utf8_size(piece + char) > max_bytes:
            yield piece
            piece = ""
        piece += char
    if piece:
        yield piece


def render_buttons(text: str, buttons: Sequence[dict[str, Any]]) -> str:
    """Bot buttons as numbered lines under the text ("1. 委托开发"), since 公众号 text has no buttons."""
    lines = [text.strip()] if text and text.strip() else []
    lines += [
        f"{index}. {button.get('title') or button.get('payload', '')}"
        for index, button in enumerate(buttons, 1)
    ]
    if "序号" not in (text or ""):
        lines.append(BUTTON_HINT)
    return "\n".join(lines)


def parse_choice(text: str, count: int) -> int | None:
    """The 0-based index a reply such as "1", "１", "第1个" or "选2" picks among `count` choices, else None."""
    if count <= 0 or not text:
        return None
    match = _CHOICE_RE.match(unicodedata.normalize("NFKC", text).strip())
    if not match:
        return None
    raw = match.group("number")
    number = read_int(raw) or 0
    return number - 1 if 1 <= number <= count else None


def match_title(text: str, buttons: Sequence[dict[str, Any]]) -> int | None:
    """The index of the button whose title the user typed exactly (e.g. "委托开发"), else None."""
    typed = unicodedata.normalize("NFKC", text or "").strip()
    for index, button in enumerate(buttons):
        title = unicodedata.normalize("NFKC", str(button.get("title") or "")).strip()
        if title and typed == title:
            return index
    return None


def neutralize_command(text: str) -> str:
    """Typed text must not reach Rasa as an intent payload ("/restart", '/choose{...}'): 公众号 users are anonymous."""
    return "／" + text[1:] if text.startswith("/") else text


def mask(value: str | None, keep: int = 4) -> str:
    """An openid or phone number shortened for logs: "oyOR…f0rs"."""
    if not value:
        return "-"
    if len(value) <= 2 * keep:
        return value[:1] + "…"
    return f"{value[:keep]}…{value[-keep:]}"
