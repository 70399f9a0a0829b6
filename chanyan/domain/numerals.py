"""The one reader of Chinese numerals (一百五十, 两千, 三万五): digits and words to numbers.

Extraction (money, dates), the interview (ordinal answers such as 第二个) and the channels (WeChat's numbered
replies) all read numbers here. cn2an does the arithmetic; this module adds the colloquial 两 and 〇.
"""

from __future__ import annotations

import re

import cn2an

# Every character that can be part of a Chinese number (for patterns that find numbers inside a text).
CHINESE_DIGIT_CHARS = "零〇一二两三四五六七八九十百千万亿"
SINGLE_DIGITS: dict[str, int] = {
    "零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
_NUMBER = re.compile(rf"^(?:\d+(?:\.\d+)?|[{CHINESE_DIGIT_CHARS}]+)$")


def read_number(text: str) -> float | None:
    """A number written in digits or Chinese words ("150", "一百五十", "两千", "十"), or None.

    Returns an int-valued float for whole numbers; None for anything that is not one number.
    """
    text = (text or "").strip()
    if not text or not _NUMBER.match(text):
        return None
    if text[0].isdigit():
        return float(text)
    if len(text) > 1 and all(ch in SINGLE_DIGITS for ch in text):  # digit by digit: 二〇二八 -> 2028
        return float("".join(str(SINGLE_DIGITS[ch]) for ch in text))
    try:
        return float(cn2an.cn2an(text.replace("两", "二").replace("〇", "零"), "smart"))
    except (ValueError, KeyError):
        return None


def read_int(text: str) -> int | None:
    """A whole number written in digits or Chinese words, or None (see read_number)."""
    value = read_number(text)
    return int(value) if value is not None and value == int(value) else None
