"""Extraction: technical domain and constraints from enterprise messages (framework-free; no Rasa import).

from chanyan.extraction import get_extractor, to_entities, from_entities
ex = get_extractor()          # cached per process
ex.extract("想做锂电池极片缺陷的机器视觉检测，预算50-80万，明年6月前")
"""

from __future__ import annotations

import threading

from .entities import EXTRACTOR_NAME, from_entities, to_entities
from .extractor import Extractor, empty_result

__all__ = ["EXTRACTOR_NAME", "Extractor", "empty_result", "from_entities", "get_extractor", "to_entities"]

_LOCK = threading.Lock()
_EXTRACTOR: Extractor | None = None


def get_extractor() -> Extractor:
    """The per-process extractor: taxonomy, our jieba tokenizer and the spaCy pipeline, loaded on first call."""
    global _EXTRACTOR
    with _LOCK:
        if _EXTRACTOR is None:
            _EXTRACTOR = Extractor.load()
        return _EXTRACTOR
