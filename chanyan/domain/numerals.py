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


_MULTIPLIERS: dict[str, int] = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000}
# 两三, 三五十万, 七八千, 两三百万: two neighbouring digits say "between", a unit after them scales both.
_COLLOQUIAL = re.compile(
    r"^(?P<a>[一二两三四五六七八九])(?P<b>[二两三四五六七八九])(?P<unit>[十百千])?(?P<mag>[万亿])?$"
)


# 一百五, 两千三, 三万五, 一亿二: the unit after the last digit is left unsaid; it is the next one down.
# Where such a number ends: an elided digit stands last ("三万五", "三万五左右", "一百五到两百万"); before other words
# it is a word of its own ("三十万一期", "十万一般够", "五十万两年内": 一期, 一般, 两年).
ELIDED_DIGIT_END = r"(?=$|[^\u4e00-\u9fff\d.]|[到至左上以内元块吧啊呀的])"
_ELIDED = re.compile(
    r"(?<=[一二两三四五六七八九十])(?P<unit>[百千万亿])(?P<digit>[一二两三四五六七八九])" + ELIDED_DIGIT_END
)
_NEXT_UNIT_DOWN = {"百": "十", "千": "百", "万": "千", "亿": "千万"}


def expand_elided(text: str) -> str:
    """Chinese numbers in `text` with the unsaid last unit written out: "一百五到两百万" → "一百五十到两百万",
    "三万五" → "三万五千" (readers that take 一百五 for 105 then read it right)."""
    return _ELIDED.sub(lambda m: m["unit"] + m["digit"] + _NEXT_UNIT_DOWN[m["unit"]], text or "")


def read_range(text: str) -> tuple[float, float] | None:
    """A colloquial range of two neighbouring digits ("两三" → (2, 3), "三五十万" → (300000, 500000),
    "七八千" → (7000, 8000)), or None when the text is not one."""
    match = _COLLOQUIAL.match((text or "").strip())
    if not match:
        return None
    scale = _MULTIPLIERS.get(match["unit"] or "", 1) * _MULTIPLIERS.get(match["mag"] or "", 1)
    low, high = SINGLE_DIGITS[match["a"]] * scale, SINGLE_DIGITS[match["b"]] * scale
    return (float(low), float(high)) if low < high else None


# A number said digit by digit, as dictation writes phone numbers ("一三八 二零一六 七七四五", "幺五八…": 幺 is 1).
_SPOKEN_DIGIT = "零〇一二三四五六七八九幺"
_SPOKEN_RUN = re.compile(rf"[{_SPOKEN_DIGIT}\d](?:[\s-]?[{_SPOKEN_DIGIT}\d]){{6,}}")
_SPOKEN_TABLE = str.maketrans(_SPOKEN_DIGIT, "001234567891")


def spoken_digits(text: str) -> str:
    """`text` with every run of seven or more digits said one by one (some may be typed) in ASCII digits."""
    return _SPOKEN_RUN.sub(lambda m: m.group(0).translate(_SPOKEN_TABLE), text or "")
