"""What the interview needs from extraction, as a protocol: the intake never imports spaCy or jieba itself.

chanyan.extraction.Extractor implements it; `text_extractor()` returns the process's instance (loaded on first
use). Tests may pass any object with these methods.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol


class DomainTaxonomy(Protocol):
    """The taxonomy of technical domains (国家重点支持的高新技术领域)."""

    @property
    def domains(self) -> list[dict]: ...

    def find(self, code_or_name: str) -> dict | None: ...


class TextExtractor(Protocol):
    """Reads domains and constraints from a message (design.md's extraction output)."""

    taxonomy: Any

    def extract(self, text: str, now: datetime | None = None, explain: bool = False) -> dict: ...

    def rank_domains(self, text: str, top_k: int = 3) -> list[dict]: ...

    def parse_budget(self, text: str) -> dict | None: ...

    def parse_timeline(self, text: str, now: datetime | None = None) -> dict | None: ...

    def parse_coop_modes(self, text: str) -> list[str]: ...

    def parse_ip_preference(self, text: str) -> str | None: ...

    def parse_partner(self, text: str, *, answer: bool = False) -> dict: ...


def text_extractor() -> TextExtractor:
    """The process's extractor (chanyan.extraction's, loaded on first call)."""
    from chanyan.extraction import get_extractor

    return get_extractor()


def is_person_name(word: str) -> bool:
    """Whether the part-of-speech tagger reads `word` as a person name (chanyan.extraction's jieba tagger)."""
    from chanyan.extraction import is_person_name as tagged

    return tagged(word)


def is_common_word(word: str) -> bool:
    """Whether `word` is a frequent everyday word rather than a name ("老师", "小时"; not "老龚")."""
    from chanyan.extraction import is_common_word as common

    return common(word)


def locate(text: str) -> dict | None:
    """The province and city `text` places itself in ({"province": "四川", "city": "宜宾"}), or None
    (chanyan.extraction's reading of JioNLP's administrative map)."""
    from chanyan.extraction import locate as located

    return located(text)
