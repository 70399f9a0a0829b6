"""How the intake reads a message: simplified script, half-width characters, common typos mended.

The reading form is for understanding only; names are stored as the user typed them.
"""

from __future__ import annotations

import functools
import re

from chanyan.domain.typos import mend_typos

# Full-width ASCII and the ideographic space folded to half width, one character for one, so that a position in
# the reading form is the same position in what the user typed (NFKC would turn "℃" into two characters).
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}


@functools.lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


@functools.lru_cache(maxsize=4096)
def to_simplified(text: str) -> str:
    """Traditional characters converted to simplified (OpenCC t2s); the text's length may change."""
    if not text or text.isascii():
        return text
    return _converter().convert(text)


@functools.lru_cache(maxsize=4096)
def reading_form(text: str | None) -> str:
    """The message as the intake reads it: simplified, NFKC-folded, whitespace collapsed, typos mended."""
    if not text:
        return ""
    folded = to_simplified(text).translate(_HALF_WIDTH)
    folded = "".join(ch for ch in folded if ch.isprintable() or ch in "\n\t")
    folded = re.sub(r"[ \t]+", " ", folded).strip()  # the caller passes normalize_text() output: no change
    return mend_typos(folded)
