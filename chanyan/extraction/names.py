"""Person names as jieba's part-of-speech tagger reads them (nr, nrfg, nrt), for the interview's name reader."""

from __future__ import annotations

import functools


@functools.lru_cache(maxsize=2048)
def is_person_name(word: str) -> bool:
    """Whether jieba tags `word`, or a token of it, as a person name ("龚立新" → 龚/nr; "张力" → n)."""
    import jieba.posseg

    return any(pair.flag.startswith("nr") for pair in jieba.posseg.cut(word))


# jieba's dictionary frequency from which a word is an everyday word ("小时" 8143, "老师" 6415, "小麦" 1683) rather
# than a nickname that happens to be listed ("老张" 256, "小张" 302).
COMMON_WORD_FREQ = 350


@functools.lru_cache(maxsize=2048)
def is_common_word(word: str) -> bool:
    """Whether `word` is a frequent dictionary word not tagged as a name ("老师", "小时"; not "老龚", "老李")."""
    import jieba
    import jieba.posseg

    jieba.dt.check_initialized()
    tag = jieba.posseg.dt.word_tag_tab.get(word, "")
    return jieba.dt.FREQ.get(word, 0) >= COMMON_WORD_FREQ and not tag.startswith("nr")
