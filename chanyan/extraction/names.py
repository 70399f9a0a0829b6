"""Person names as jieba's part-of-speech tagger reads them (nr, nrfg, nrt), for the interview's name reader."""

from __future__ import annotations

import functools


@functools.lru_cache(maxsize=2048)
def is_person_name(word: str) -> bool:
    """Whether jieba tags `word`, or a token of it, as a person name ("龚立新" → 龚/nr; "张力" → n)."""
    import jieba.posseg

    return any(pair.flag.startswith("nr") for pair in jieba.posseg.cut(word))
