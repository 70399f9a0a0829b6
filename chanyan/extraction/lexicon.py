"""The technical-term lexicon and our own jieba tokenizer (never the global one Rasa's JiebaTokenizer uses)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from pathlib import Path

import jieba

from chanyan.taxonomy import LEXICON_PATH

from .taxonomy import Taxonomy
from .textnorm import fold

logger = logging.getLogger(__name__)

_LOCK = threading.Lock()
_TOKENIZERS: dict[tuple[str, ...], jieba.Tokenizer] = {}
_DEFAULT_KEY: tuple[str, ...] | None = None


def read_lexicon(path: Path | str = LEXICON_PATH) -> list[str]:
    """Terms from a jieba-format user dictionary file (`term [freq] [tag]`, `#` comments)."""
    terms = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if line and not line.startswith("#"):
                terms.append(line.split()[0])
    return terms


def lexicon_terms(taxonomy: Taxonomy, extra_path: Path | str | None = LEXICON_PATH) -> list[str]:
    """All user-dictionary terms: taxonomy keywords, names and aliases plus the extra lexicon file."""
    terms = list(taxonomy.term_index())
    if extra_path is not None and Path(extra_path).exists():
        terms.extend(fold(term) for term in read_lexicon(extra_path))
    return sorted(set(terms))


def build_tokenizer(terms: Iterable[str]) -> jieba.Tokenizer:
    """A fresh jieba.Tokenizer with `terms` added, each with a frequency that keeps it whole."""
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    for term in terms:
        # jieba's default segmenter cannot keep a term with whitespace together; the matcher still finds it.
        if not term or any(ch.isspace() for ch in term):
            continue
        tokenizer.add_word(term)
        if term.lower() != term:
            tokenizer.add_word(term.lower())
    return tokenizer


def get_tokenizer(terms: Iterable[str] | None = None) -> jieba.Tokenizer:
    """The per-process tokenizer for a term list (default: the packaged lexicon); built once per term list."""
    global _DEFAULT_KEY
    with _LOCK:
        if terms is None:
            if _DEFAULT_KEY is None:
                _DEFAULT_KEY = tuple(lexicon_terms(Taxonomy.load()))
            key = _DEFAULT_KEY
        else:
            key = tuple(sorted(set(terms)))
        if key not in _TOKENIZERS:
            jieba.setLogLevel(logging.WARNING)
            _TOKENIZERS[key] = build_tokenizer(key)
        return _TOKENIZERS[key]
