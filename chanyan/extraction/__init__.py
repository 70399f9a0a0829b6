"""Extraction: technical domain and constraints from enterprise messages (framework-free; no Rasa import).

from chanyan.extraction import get_extractor, to_entities, from_entities
ex = get_extractor()          # cached per process
ex.extract("想做锂电池极片缺陷的机器视觉检测，预算50-80万，明年6月前")
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any

from .entities import EXTRACTOR_NAME, from_entities, to_entities

if TYPE_CHECKING:
    from .extractor import Extractor

__all__ = [
    "EXTRACTOR_NAME",
    "Extractor",
    "empty_result",
    "from_entities",
    "get_extractor",
    "is_common_word",
    "is_person_name",
    "locate",
    "to_entities",
]

_LOCK = threading.Lock()
_EXTRACTOR: Extractor | None = None


def get_extractor() -> Extractor:
    """The per-process extractor: taxonomy, our jieba tokenizer and the spaCy pipeline, loaded on first call."""
    global _EXTRACTOR
    with _LOCK:
        if _EXTRACTOR is None:
            from .extractor import Extractor

            _EXTRACTOR = Extractor.load()
        return _EXTRACTOR


def is_person_name(word: str) -> bool:
    """Whether the part-of-speech tagger reads `word` as (containing) a person name (jieba nr)."""
    from .names import is_person_name as tagged

    return tagged(word)


def is_common_word(word: str) -> bool:
    """Whether `word` is a frequent everyday word of the tagger's dictionary, not a name ("老师", "小时")."""
    from .names import is_common_word as common

    return common(word)


def locate(text: str) -> dict | None:
    """The province and city a text places itself in ({"province": "四川", "city": "宜宾"}), or None."""
    from .terms import locate_place

    return locate_place(text)


def __getattr__(name: str) -> Any:
    # spaCy (and through thinc, TensorFlow) loads only when extraction is used, not when the package is imported
    # by the CLI, the console or the action server's light paths.
    if name in ("Extractor", "empty_result"):
        from . import extractor

        return getattr(extractor, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
