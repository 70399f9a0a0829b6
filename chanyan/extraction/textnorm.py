"""Text normalization shared by the parsers: full-width to half-width, whitespace, junk removal."""

from __future__ import annotations

import re
import unicodedata

MAX_CHARS = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
_SPACES = re.compile(r"[ \t\u3000]+")
# NFKC would turn 「，」 into 「,」; we keep Chinese punctuation and convert only letters, digits and symbols.
_FULLWIDTH = {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F) if chr(c) not in "，；：！？（）"}
_FULLWIDTH_TABLE = str.maketrans(_FULLWIDTH)


def normalize(text: str) -> str:
    """Half-width letters and digits, no control characters, single spaces; overlong text is truncated."""
    if not isinstance(text, str):
        return ""
    text = unicodedata.normalize("NFC", text[: MAX_CHARS * 2]).translate(_FULLWIDTH_TABLE)
    text = _CONTROL.sub(" ", text)
    return _SPACES.sub(" ", text).strip()[:MAX_CHARS]


def has_chinese(text: str) -> bool:
    """True when the text contains at least one CJK ideograph."""
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def clauses(text: str) -> list[tuple[int, str]]:
    """Split into clauses at sentence and comma punctuation: [(start offset, clause)]."""
    out = []
    for match in re.finditer(r"[^，。；;！!？?\n,]+", text):
        out.append((match.start(), match.group()))
    return out
