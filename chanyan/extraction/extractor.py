"""The extractor: one object per process that turns a user message into design.md's extraction dict."""

from __future__ import annotations

import copy
import functools
import logging
import re
from datetime import datetime
from pathlib import Path
from typing import Any

from spacy.language import Language

from chanyan import clock
from chanyan.domain.labelled_form import labelled_spans
from chanyan.domain.schema import MAX_KEYWORDS
from chanyan.taxonomy import CURRENCY_PATH, DATA_DIR, LEXICON_PATH, TAXONOMY_PATH

from . import money, needs, terms, timeline
from .domains import DomainRanker
from .lexicon import get_tokenizer, lexicon_terms
from .spacy_pipeline import attach_tokenizer, load_pipeline
from .taxonomy import Taxonomy
from .textnorm import Normalized, has_chinese, normalize_text

logger = logging.getLogger(__name__)

MAX_INPUT_CHARS = 5000
# Distinct texts whose pipeline reading is kept (a few conversations' descriptions and messages).
ANALYSED_TEXTS = 512
# Where a labelled contact's name ends: at a title in brackets, a phone or e-mail, or a separator.
_NAME_END = re.compile(
    r"\s*(?:[（(]|[\d+]|[\w.+-]+@|[，,；;/、]|$)"
)  # longer input is not a chat message (a paste of a file, junk): empty result


def empty_result(text: str = "") -> dict:
    """The extraction dict with nothing found."""
    return {
        "text": text,
        "domains": [],
        "keywords": [],
        "budget": None,
        "timeline": None,
        "coop_modes": [],
        "ip_preference": None,
        "partner": {"types": [], "names": [], "regions": []},
        "phones": [],
        "emails": [],
        "not_technical": None,
        "labelled": {},
    }


def labelled_fields(norm: Normalized) -> dict[str, str]:
    """Slot -> value for every labelled field of a pasted form ("联系人：孙立新", also in 繁體), the value in the
    user's own script; a phone or e-mail field holds the normalized address, or is left out when it holds none.
    A contact field that also carries the phone or a title ("马丽 139…", "杨志远（技术部部长）") gives the name alone
    (and the phone, when no phone field is labelled)."""
    fields: dict[str, str] = {}
    for slot, (start, end) in labelled_spans(norm.text).items():
        value = norm.text[start:end]
        if slot == "contact_phone":
            found = terms.parse_phones(value)
        elif slot == "contact_email":
            found = terms.parse_emails(value)
        else:
            if slot == "contact_name":
                end = start + _NAME_END.search(value).start()
                for phone in terms.parse_phones(value)[:1]:
                    fields.setdefault("contact_phone", phone)
            found = [norm.original_text(start, end)] if end > start else []
        if found:
            fields[slot] = found[0]
    return fields


def message_time(now: datetime | None) -> datetime:
    """The message time as a naive local time in CHANYAN_TZ (relative dates resolve against it): an aware time
    is converted, a naive one is taken as local, None is now."""
    if now is None:
        return clock.now_local().replace(tzinfo=None)
    if now.tzinfo is not None:
        return now.astimezone(clock.local_tz()).replace(tzinfo=None)
    return now


def _printable(text: Any) -> str:
    if not isinstance(text, str):
        return ""
    return text.encode("utf-8", "replace").decode("utf-8")


class Extractor:
    """Domain ranking and constraint parsing; create through `get_extractor()` (loads once per process)."""

    def __init__(self, taxonomy: Taxonomy, nlp: Language | None, data_dir: Path | None = None) -> None:
        data_dir = Path(data_dir or DATA_DIR)
        self.taxonomy = taxonomy
        self.nlp = nlp
        self.ranker = DomainRanker(taxonomy)
        self.tokenizer = get_tokenizer(lexicon_terms(taxonomy, data_dir / LEXICON_PATH.name))
        self.currencies = money.load_currencies(data_dir / CURRENCY_PATH.name)
        self.partner_vocab = terms.load_partner_vocabulary(data_dir / terms.PARTNERS_PATH.name)
        if nlp is not None:
            attach_tokenizer(nlp, self.tokenizer)
        # One interview turn reads the same message and description several times (the values, the domain, the
        # title's keywords, the next turn's candidates): the pipeline and the extraction run once per distinct text.
        self._analysed = functools.lru_cache(maxsize=ANALYSED_TEXTS)(self._analyse)
        self._extracted = functools.lru_cache(maxsize=ANALYSED_TEXTS)(self._extract_safely)

    @classmethod
    def load(cls, model_path: Path | str | None = None, data_dir: Path | str | None = None) -> Extractor:
        """Load the taxonomy, our jieba tokenizer and the spaCy pipeline (rules only when it is absent).

        Args:
            model_path: the spaCy pipeline directory (default: $CHANYAN_SPACY_MODEL or models/spacy).
            data_dir: a directory with taxonomy.yml, lexicon.txt, currency.yml and partners.yml (default: the
                packaged chanyan/taxonomy); the Rasa component passes the copy stored in its model.
        """
        data_dir = Path(data_dir or DATA_DIR)
        taxonomy = Taxonomy.load(data_dir / TAXONOMY_PATH.name)
        tokenizer = get_tokenizer(lexicon_terms(taxonomy, data_dir / LEXICON_PATH.name))
        extractor = cls(taxonomy, load_pipeline(model_path, tokenizer), data_dir)
        extractor.warm_up()
        return extractor

    def warm_up(self) -> None:
        """Run every parser once so JioNLP's lazy dictionaries load now, not on a user's first message."""
        self.extract("明年6月前完成锂电池检测，预算50-80万，三个月内", now=datetime(2026, 1, 1))

    # --- the parts -------------------------------------------------------------------------------------

    def parse_budget(self, text: str) -> dict | None:
        """拟投入资金 from an answer: see chanyan.extraction.money.parse_budget."""
        return money.parse_budget(text, currencies=self.currencies)

    def parse_timeline(self, text: str, now: datetime | None = None) -> dict | None:
        """需求时限 from an answer: see chanyan.extraction.timeline.parse_timeline."""
        return timeline.parse_timeline(text, message_time(now))

    def parse_coop_modes(self, text: str) -> list[str]:
        """合作方式 values from chanyan.domain.schema.COOP_MODES."""
        return terms.parse_coop_modes(text)

    def parse_ip_preference(self, text: str) -> str | None:
        """知识产权归属 as a short normalized phrase."""
        return terms.parse_ip_preference(text)

    def parse_partner(self, text: str, *, answer: bool = False) -> dict:
        """意向合作方: types, institution names and regions (`answer`: the reply to the partner question)."""
        return terms.parse_partner(text, self.partner_vocab, answer=answer)

    def analyse(self, text: str) -> tuple[set[int], dict[str, float], list[str]]:
        """Token boundaries, the classifier's probabilities (empty without a model) and the tokens."""
        boundaries, scores, tokens = self._analysed(text)
        return set(boundaries), dict(scores), list(tokens)

    def _analyse(self, text: str) -> tuple[frozenset[int], tuple[tuple[str, float], ...], tuple[str, ...]]:
        boundaries, scores, tokens = self._run_pipeline(text)
        return frozenset(boundaries), tuple(scores.items()), tuple(tokens)

    def _run_pipeline(self, text: str) -> tuple[set[int], dict[str, float], list[str]]:
        if self.nlp is not None:
            doc = self.nlp(text)
            tokens = [t.text for t in doc]
            boundaries = {t.idx for t in doc} | {t.idx + len(t.text) for t in doc}
            return boundaries, dict(doc.cats), tokens
        boundaries, tokens, offset = {0}, [], 0
        for token in self.tokenizer.cut(text):
            tokens.append(token)
            offset += len(token)
            boundaries.add(offset)
        return boundaries, {}, tokens

    def rank_domains(self, text: str, top_k: int = 3) -> list[dict]:
        """Ranked [{"code","name","sub_code","sub_name","score"}], best first, score in [0, 1]."""
        text = normalize_text(text).text
        if not has_chinese(text):
            return []
        boundaries, model_scores, _ = self.analyse(text)
        matches = self.ranker.match_terms(text, boundaries)
        ranked, _ = self.ranker.rank(text, model_scores, top_k=top_k, matches=matches)
        return ranked

    # --- the whole message -----------------------------------------------------------------------------

    def extract(self, text: str, now: datetime | None = None, explain: bool = False) -> dict:
        """design.md's extraction dict for one message; never raises on bad input (returns an empty result)."""
        original = _printable(text)
        # Relative dates resolve to the day, so a reading made in the same minute is the same reading.
        minute = message_time(now).replace(second=0, microsecond=0)
        return copy.deepcopy(self._extracted(original, minute, explain))

    def _extract_safely(self, original: str, now: datetime, explain: bool) -> dict:
        try:
            return self._extract(original, now, explain)
        except Exception:  # one odd message must never take the bot down
            logger.exception("extraction failed; returning an empty result")
            return empty_result(original)

    def _extract(self, original: str, now: datetime | None, explain: bool) -> dict:
        result = empty_result(original)
        if not original or len(original) > MAX_INPUT_CHARS:
            return result
        norm = normalize_text(original)
        text = norm.text
        if not has_chinese(text):
            # English-only or junk: only contact details are worth keeping.
            result["phones"] = terms.parse_phones(text)
            result["emails"] = terms.parse_emails(text)
            return result
        now = message_time(now)
        boundaries, model_scores, tokens = self.analyse(text)
        matches = self.ranker.match_terms(text, boundaries)
        flag = needs.not_technical(text, matches)
        no_need = flag is not None or needs.is_supply_description(text)
        if no_need:
            domains, evidence = [], self.ranker.rank(text, {}, matches=[])[1]
        else:
            domains, evidence = self.ranker.rank(text, model_scores, matches=matches)
            result["budget"] = money.parse_budget(norm, strict=True, currencies=self.currencies)
            result["timeline"] = timeline.parse_timeline(norm, now, strict=True)
        result["domains"] = domains
        result["keywords"] = self._keywords(evidence.terms, norm) if domains else []
        if flag is not None:
            result["not_technical"] = {
                "kind": flag["kind"],
                "text": norm.original_text(flag["start"], flag["end"]),
            }
        result["coop_modes"] = terms.parse_coop_modes(text)
        result["ip_preference"] = terms.parse_ip_preference(text, strict=True)
        result["partner"] = terms.parse_partner(text, self.partner_vocab)
        result["phones"] = terms.parse_phones(text)
        result["emails"] = terms.parse_emails(text)
        result["labelled"] = labelled_fields(norm)
        if explain:
            top_model = sorted(model_scores.items(), key=lambda kv: -kv[1])[:5]
            result["explain"] = {
                "tokens": tokens,
                "terms": [self._original_term(t, norm) for t in evidence.terms],
                "rule_scores": {
                    k: round(v, 3) for k, v in sorted(evidence.rule_scores.items(), key=lambda kv: -kv[1])
                },
                "model_scores": {k: round(v, 3) for k, v in top_model},
                "model": "spacy" if self.nlp is not None else None,
                "rules": {
                    "budget": (result["budget"] or {}).get("text"),
                    "timeline": (result["timeline"] or {}).get("text"),
                    "no_need": no_need,
                },
            }
        return result

    @staticmethod
    def _original_term(term: dict, norm: Normalized) -> dict:
        start, end = norm.original_span(term["start"], term["end"])
        return {**term, "term": norm.original[start:end], "start": start, "end": end}

    def _keywords(self, fired: list[dict], norm: Normalized) -> list[str]:
        """The user's own technical terms (category-level, not bare domain names, as the user wrote them),
        strongest first."""
        scored = []
        for position, term in enumerate(fired):
            weights = [w for code, w in self.ranker.index.get(term["term"], ()) if len(code) == 3]
            if weights:
                scored.append(
                    (-max(weights) * len(weights), position, norm.original_text(term["start"], term["end"]))
                )
        scored.sort()
        return list(dict.fromkeys(t for _, _, t in scored))[:MAX_KEYWORDS]
