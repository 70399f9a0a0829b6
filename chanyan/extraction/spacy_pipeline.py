"""The project's spaCy pipeline: blank "zh" with our jieba tokenizer and a text classifier (taxonomy terms are
found by chanyan.extraction.matcher, which also works without the model and inside tokens)."""

from __future__ import annotations

import logging
import os
from pathlib import Path

import spacy
from spacy.language import Language

from chanyan.settings import PROJECT_ROOT

from .lexicon import get_tokenizer

logger = logging.getLogger(__name__)

DEFAULT_MODEL_DIR = PROJECT_ROOT / "models" / "spacy"


@spacy.registry.callbacks("chanyan.own_jieba.v1")
def own_jieba_callback():
    """After nlp creation, make the zh tokenizer cut with our jieba.Tokenizer (never the global one)."""

    def use_own_jieba(nlp: Language) -> Language:
        attach_tokenizer(nlp)
        return nlp

    return use_own_jieba


def attach_tokenizer(nlp: Language, tokenizer=None) -> None:
    """Point spaCy's ChineseTokenizer at our jieba.Tokenizer with the technical-term user dictionary."""
    if hasattr(nlp.tokenizer, "jieba_seg"):
        nlp.tokenizer.jieba_seg = tokenizer or get_tokenizer()


def model_dir() -> Path:
    """Where the trained pipeline lives: $CHANYAN_SPACY_MODEL or models/spacy."""
    return Path(os.environ.get("CHANYAN_SPACY_MODEL") or DEFAULT_MODEL_DIR)


def load_pipeline(path: Path | str | None = None, tokenizer=None) -> Language | None:
    """Load the trained pipeline from disk; None (and one warning) when it is absent or unreadable."""
    path = Path(path) if path else model_dir()
    if not (path / "meta.json").exists():
        logger.warning(
            "spaCy model not found at %s; extraction runs on taxonomy rules only (run `make spacy-model`)",
            path,
        )
        return None
    try:
        nlp = spacy.load(path)
    except Exception:  # a half-written or incompatible model must not take extraction down
        logger.warning(
            "could not load the spaCy model at %s; extraction runs on rules only", path, exc_info=True
        )
        return None
    attach_tokenizer(nlp, tokenizer)
    return nlp
