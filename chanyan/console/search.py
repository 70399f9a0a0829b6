"""Chinese full-text search: the query is cut into words with jieba and every word must occur in the request's
search text (NFKC, lower case; see chanyan.store.models.request_search_text). Plain LIKE works the same on
SQLite and PostgreSQL, and a substring match also finds words jieba cut differently when the request was filed."""

from __future__ import annotations

import logging
import re
import threading
import unicodedata

MAX_TOKENS = 8
STOPWORDS = frozenset(
    ["的", "了", "和", "与", "及", "或", "在", "是", "等", "把", "被", "对", "中", "有", "吗", "呢", "啊"]
)
_PUNCT_ONLY = re.compile(r"^[\W_]+$", re.UNICODE)
_LOCK = threading.Lock()
_ready = False


def _jieba():
    global _ready
    import jieba

    if not _ready:
        with _LOCK:
            if not _ready:
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _ready = True
    return jieba


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower().strip()


def query_tokens(query: str) -> list[str]:
    """The words of a search query, e.g. "表面划痕 检测" → ["表面", "划痕", "检测"]."""
    tokens: list[str] = []
    for chunk in normalize(query).split():
        words = [chunk] if len(chunk) <= 2 or chunk.isascii() else list(_jieba().cut(chunk))
        for word in words:
            word = word.strip()
            if not word or _PUNCT_ONLY.match(word) or word in STOPWORDS or word in tokens:
                continue
            tokens.append(word)
    return tokens[:MAX_TOKENS]
