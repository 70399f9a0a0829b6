"""Text normalization at the entry of extraction: traditional → simplified (OpenCC t2s), full-width → half-width,
no control characters, single spaces — with a map back to the user's original text, so every span a parser
finds can be reported as the user wrote it.

The same folding (`fold`) is applied to every lexicon term, so a term matches whatever script the user typed.
"""

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from chanyan.domain.typos import mend_typos

MAX_CHARS = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
_SPACE = re.compile(r"[ \t\u3000]")
# NFKC would turn 「，」 into 「,」; we keep Chinese punctuation and convert only letters, digits and symbols.
_FULLWIDTH = {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F) if chr(c) not in "，；：！？（）"}
_FULLWIDTH_TABLE = str.maketrans(_FULLWIDTH)
_CLAUSE = re.compile(r"[^，。；;！!？?\n,|｜]+")
# Anything that makes the normalized text shorter than the original (runs of spaces, tabs, edges).
_SQUEEZE = re.compile(r"[ \t\u3000]{2,}|[\t\u3000]|^[\s]|[\s]$")

# Hong Kong variant characters that OpenCC t2s leaves as they are (hk2s would convert them): 衞星 → 卫星.
_HK_VARIANTS = str.maketrans("衞敍枱粧糭衹", "卫叙台妆粽只")

_LOCK = threading.Lock()
_CONVERTER = None


def _t2s():
    global _CONVERTER
    with _LOCK:
        if _CONVERTER is None:
            import opencc

            _CONVERTER = opencc.OpenCC("t2s")
        return _CONVERTER


@lru_cache(maxsize=8192)
def _t2s_char(ch: str) -> str:
    converted = _t2s().convert(ch)
    return converted if len(converted) == 1 else ch


def to_simplified(text: str) -> str:
    """Traditional → simplified, one character for one character (OpenCC t2s; its phrase table where it keeps
    the length, character by character where it would not)."""
    if text.isascii():
        return text
    converted = _t2s().convert(text)
    if len(converted) != len(text):
        converted = "".join(_t2s_char(ch) for ch in text)
    return converted.translate(_HK_VARIANTS)


def fold(text: str) -> str:
    """The form in which text and lexicon terms are compared: simplified script, half-width letters and digits."""
    return to_simplified(unicodedata.normalize("NFC", text)).translate(_FULLWIDTH_TABLE)


@dataclass(frozen=True)
class Normalized:
    """A message as the parsers read it (`text`) and as the user wrote it (`original`).

    `origin[i]` is the index in `original` of `text[i]`, so a span of `text` maps back with `original_span`.
    """

    original: str
    text: str
    origin: Sequence[int]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        """The (start, end) in `original` of the span text[start:end]."""
        if not self.text or start >= end:
            at = self.origin[start] if start < len(self.origin) else len(self.original)
            return at, at
        return self.origin[start], self.origin[end - 1] + 1

    def original_text(self, start: int, end: int) -> str:
        """The user's own wording of text[start:end]."""
        a, b = self.original_span(start, end)
        return self.original[a:b]

    def find(self, fragment: str, start: int = 0) -> int:
        """Where `fragment` (in normalized form) starts in `text`, or -1."""
        return self.text.find(fragment, start)


def normalize_text(text: str) -> Normalized:
    """Normalize a message, keeping the map back to it; overlong text is truncated to MAX_CHARS."""
    if not isinstance(text, str):
        text = ""
    original = text[: MAX_CHARS * 2]
    if not unicodedata.is_normalized("NFC", original):
        original = unicodedata.normalize("NFC", original)
    folded = mend_typos(_CONTROL.sub(" ", to_simplified(original).translate(_FULLWIDTH_TABLE)))
    if not _SQUEEZE.search(folded):  # the usual message: one character for one character
        return Normalized(original, folded[:MAX_CHARS], range(min(len(folded), MAX_CHARS)))
    chars: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(folded):
        if _SPACE.match(ch):
            if not chars or chars[-1] == " ":
                continue
            ch = " "
        elif ch in "\r\n" and not chars:
            continue
        chars.append(ch)
        origin.append(index)
    while chars and chars[-1] in " \r\n":
        chars.pop()
        origin.pop()
    return Normalized(original, "".join(chars[:MAX_CHARS]), tuple(origin[:MAX_CHARS]))


def normalize(text: str) -> str:
    """Simplified script, half-width letters and digits, no control characters, single spaces (truncated)."""
    return normalize_text(text).text


def as_normalized(text: str | Normalized) -> Normalized:
    """A Normalized message from either a raw string or one already normalized."""
    return text if isinstance(text, Normalized) else normalize_text(text)


def has_chinese(text: str) -> bool:
    """True when the text contains at least one CJK ideograph."""
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def clauses(text: str) -> list[tuple[int, str]]:
    """Split into clauses at sentence and comma punctuation (and line breaks, form separators): [(start, clause)]."""
    return [(match.start(), match.group()) for match in _CLAUSE.finditer(text)]
