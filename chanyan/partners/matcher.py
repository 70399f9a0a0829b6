"""遴选匹配: rank registry entries for a need and say why, in Chinese.

The score of an entry is a weighted sum of
  - lexical similarity: BM25 (bm25s) of the need's tokens against the entry's, scaled so the best entry is 1;
  - taxonomy: the need's categories (the confirmed one first, then the extractor's other guesses) against the
    entry's (given in the registry or tagged from its text): same category counts fully, same domain partly;
  - the enterprise's preferences: partner types and regions it asked for;
  - nearness: the entry is in the enterprise's city or province (read from its name when not given).
Entries of an institution the enterprise named come first, whatever their score.
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from chanyan.partners.analysis import Analyzer
from chanyan.partners.lexical import LexicalIndex
from chanyan.partners.regions import enterprise_region, parse_region, preferred_provinces, region_label
from chanyan.partners.vocabulary import (
    DEFAULT_TOP_K,
    INSTITUTION_KINDS,
    MAX_TOP_K,
    PARENT_NAME_TYPES,
    PREFERENCE_KINDS,
)

# Weights of the parts of the score; they sum to 1 so a score reads as a share of a perfect match.
W_LEXICAL = 0.65
W_TAXONOMY = 0.15
W_TYPE = 0.08
W_REGION = 0.07
W_NEARBY = 0.05
SAME_DOMAIN = 0.4  # same top-level domain, other category: this share of a category match
OTHER_GUESS = 0.6  # the extractor's second and later category guesses weigh at most this much
KEYWORD_REPEAT = 1  # a need's keywords count this many times in the query (more did worse on dev)
SAME_PROVINCE = 0.6  # nearness of an entry in the enterprise's province but another city
MIN_SHARED_CHARS = 3  # an entry with no word or category in common must share this many characters
NAMED_PER_INSTITUTION = 3  # entries of a named institution placed first
MAX_SHARED_TERMS = 4


@dataclass(frozen=True)
class PartnerDoc:
    """What the index keeps of a registry entry."""

    id: int
    name: str
    kind: str
    parent: str | None
    province: str | None
    city: str | None
    domains: tuple[tuple[str, str | None], ...]
    tokens: tuple[str, ...]

    @property
    def region(self) -> dict[str, str | None]:
        return {"province": self.province, "city": self.city}


@dataclass
class Need:
    """What is matched: the text and whatever else is known of the request."""

    text: str
    keywords: Sequence[str] = ()
    domains: Sequence[
        Mapping[str, Any]
    ] = ()  # ranked [{"code", "sub_code", "score"}], the confirmed one first
    types: Sequence[str] = ()
    names: Sequence[str] = ()
    regions: Sequence[str] = ()
    enterprise: str | None = None
    region: Mapping[str, Any] | str | None = None


@dataclass
class Candidate:
    """One ranked entry with its score in [0, 1] and the reasons."""

    id: int
    name: str
    kind: str
    region: dict[str, str | None]
    score: float
    why: list[str] = field(default_factory=list)
    named: bool = False

    def as_json(self) -> dict[str, Any]:
        """design.md's candidate object."""
        return {
            "id": self.id,
            "name": self.name,
            "kind": self.kind,
            "region": region_label(self.region),
            "score": round(self.score, 3),
            "why": list(self.why),
        }


def institution_type(kind: str, parent: str | None, name: str) -> str | None:
    """高校, 科研院所 or 企业 — what an enterprise's type preference compares with."""
    if kind in INSTITUTION_KINDS:
        for wanted, kinds in PREFERENCE_KINDS.items():
            if kind in kinds:
                return wanted
    for text in (parent or "", name):
        for endings, kind_type in PARENT_NAME_TYPES:
            if any(e in text for e in endings):
                return kind_type
    return None


def _indices(values: Iterable[str | None]) -> tuple[np.ndarray, dict[str, int]]:
    table: dict[str, int] = {}
    out = []
    for value in values:
        if value:
            out.append(table.setdefault(value, len(table)))
        else:
            out.append(-1)
    return np.asarray(out, dtype=np.int32), table


class PartnerMatcher:
    """An immutable snapshot of the registry, ready to rank; build a new one when the registry changes."""

    def __init__(self, docs: Sequence[PartnerDoc], analyzer: Analyzer, version: Any = None) -> None:
        self.docs = list(docs)
        self.analyzer = analyzer
        self.version = version
        self.lexical = LexicalIndex([d.tokens for d in self.docs])
        self._position = {d.id: i for i, d in enumerate(self.docs)}
        self._provinces, self._province_ids = _indices(d.province for d in self.docs)
        self._cities, self._city_ids = _indices(d.city for d in self.docs)
        self._types, self._type_ids = _indices(institution_type(d.kind, d.parent, d.name) for d in self.docs)
        by_sub: dict[str, list[int]] = {}
        by_domain: dict[str, list[int]] = {}
        for i, doc in enumerate(self.docs):
            for code, sub in doc.domains:
                by_domain.setdefault(code, []).append(i)
                if sub:
                    by_sub.setdefault(sub, []).append(i)
        self._by_sub = {k: np.unique(np.asarray(v, dtype=np.int64)) for k, v in by_sub.items()}
        self._by_domain = {k: np.unique(np.asarray(v, dtype=np.int64)) for k, v in by_domain.items()}
        self._df = Counter(t for d in self.docs for t in set(d.tokens))
        # Own and parent names (simplified), sorted, for prefix look-ups of named institutions.
        keys = {(analyzer.prepare(d.name), i) for i, d in enumerate(self.docs)}
        keys |= {(analyzer.prepare(d.parent), i) for i, d in enumerate(self.docs) if d.parent}
        self._name_keys = sorted(keys)

    def __len__(self) -> int:
        return len(self.docs)

    # --- the parts of the score ----------------------------------------------------------------------------

    def _query_tokens(self, need: Need) -> tuple[list[str], list[str]]:
        analysis = self.analyzer.analyse(need.text)
        tokens = list(analysis.tokens)
        terms = list(analysis.terms)
        for keyword in need.keywords or ():
            kw = self.analyzer.analyse(keyword)
            tokens.extend(kw.tokens * KEYWORD_REPEAT)
            terms.extend(t for t in kw.terms if t not in terms)
        return tokens, terms

    def _taxonomy(self, need: Need) -> np.ndarray:
        score = np.zeros(len(self.docs), dtype=np.float32)
        ranked = [d for d in need.domains or () if d.get("code") or d.get("sub_code")]
        if not ranked:
            return score
        top = max(float(ranked[0].get("score") or 1.0), 1e-6)
        for rank, domain in enumerate(ranked):
            weight = 1.0 if rank == 0 else OTHER_GUESS * min(1.0, float(domain.get("score") or 0.0) / top)
            sub = domain.get("sub_code")
            code = domain.get("code") or (sub[:2] if sub else None)
            if code and code in self._by_domain:
                rows = self._by_domain[code]
                score[rows] = np.maximum(score[rows], np.float32(weight * SAME_DOMAIN))
            if sub and sub in self._by_sub:
                rows = self._by_sub[sub]
                score[rows] = np.maximum(score[rows], np.float32(weight))
        return score

    def _enterprise_region(self, need: Need) -> dict[str, str | None]:
        if isinstance(need.region, Mapping) and need.region.get("province"):
            return {"province": need.region.get("province"), "city": need.region.get("city")}
        if isinstance(need.region, str) and need.region.strip():
            parsed = parse_region(need.region)
            if parsed["province"]:
                return parsed
        return enterprise_region(need.enterprise)

    def _named(self, need: Need) -> dict[int, str]:
        """Positions of entries of the institutions the enterprise named → the name it used.

        An entry belongs to a named institution when its own name or its parent's starts with that name
        (浙江大学 → 浙江大学控制学院, and a lab whose parent is 浙江大学)."""
        found: dict[int, str] = {}
        for raw in need.names or ():
            name = self.analyzer.prepare(str(raw))
            if len(name) < 2:
                continue
            start = bisect.bisect_left(self._name_keys, (name, -1))
            for key, position in self._name_keys[start:]:
                if not key.startswith(name):
                    break
                found.setdefault(position, str(raw))
        return found

    # --- ranking -------------------------------------------------------------------------------------------

    def match(self, need: Need, top_k: int = DEFAULT_TOP_K, exclude: Iterable[int] = ()) -> list[Candidate]:
        """The best `top_k` entries for the need, best first (named institutions' entries first of all)."""
        top_k = max(1, min(int(top_k), MAX_TOP_K))
        n = len(self.docs)
        if n == 0:
            return []
        tokens, terms = self._query_tokens(need)
        lexical = self.lexical.scores(tokens).astype(np.float32, copy=False)
        best = float(lexical.max()) if lexical.size else 0.0
        if best > 0:
            lexical = lexical / best
        taxonomy = self._taxonomy(need)

        place = self._enterprise_region(need)
        wanted_provinces, wanted_cities = preferred_provinces(list(need.regions or ()), place)
        region_pref = np.zeros(n, dtype=np.float32)
        for province in wanted_provinces:
            if province in self._province_ids:
                region_pref[self._provinces == self._province_ids[province]] = 1.0
        for city in wanted_cities:
            if city in self._city_ids:
                region_pref[self._cities == self._city_ids[city]] = 1.0
        nearby = np.zeros(n, dtype=np.float32)
        if place.get("province") in self._province_ids:
            nearby[self._provinces == self._province_ids[place["province"]]] = SAME_PROVINCE
        if place.get("city") in self._city_ids:
            nearby[self._cities == self._city_ids[place["city"]]] = 1.0
        wanted_types = [t for t in need.types or () if t in PREFERENCE_KINDS]
        type_pref = np.zeros(n, dtype=np.float32)
        for kind_type in wanted_types:
            if kind_type in self._type_ids:
                type_pref[self._types == self._type_ids[kind_type]] = 1.0

        # Preferences and nearness only reorder entries that share something with the need.
        relevant = ((lexical > 0) | (taxonomy > 0)).astype(np.float32)
        total = (
            W_LEXICAL * lexical
            + W_TAXONOMY * taxonomy
            + relevant * (W_TYPE * type_pref + W_REGION * region_pref + W_NEARBY * nearby)
        )
        for position in (self._position[i] for i in exclude if i in self._position):
            total[position] = -1.0

        named = self._named(need)
        chosen: list[int] = []
        per_name: Counter[str] = Counter()
        for position in sorted(named, key=lambda p: (-total[p], p)):
            if total[position] >= 0 and per_name[named[position]] < NAMED_PER_INSTITUTION:
                per_name[named[position]] += 1
                chosen.append(position)
        about = _About(tokens, taxonomy)
        wanted = top_k - len(chosen)
        pool = top_k + len(chosen)
        taken = set(chosen)
        while wanted > 0:
            size = min(n, pool)
            top = np.argpartition(-total, size - 1)[:size] if size < n else np.arange(n)
            ranked = [p for p in sorted(top.tolist(), key=lambda p: (-total[p], p)) if total[p] > 0]
            fresh = [p for p in ranked if p not in taken and about(self.docs[p], p)]
            chosen.extend(fresh[:wanted])
            taken.update(fresh[:wanted])
            wanted = top_k - len(chosen)
            if size >= n or len(ranked) < size:
                break  # every entry with a score was looked at
            pool *= 4

        context = _Context(terms, set(tokens), place, wanted_provinces, wanted_cities, wanted_types, need)
        return [
            self._candidate(p, float(total[p]), context, named.get(p), float(taxonomy[p])) for p in chosen
        ]

    # --- explanations --------------------------------------------------------------------------------------

    def _shared_terms(self, doc: PartnerDoc, context: _Context) -> list[str]:
        own = set(doc.tokens)
        shared = [t for t in context.terms if t in own]
        extra = [t for t in context.tokens if t in own and t not in shared and len(t) > 1]
        n = max(len(self.docs), 1)
        extra.sort(key=lambda t: self._df.get(t, n))  # rarest first: they say the most
        picked: list[str] = []
        for term in [*shared, *extra]:
            if any(term in longer for longer in picked) or self._df.get(term, 0) > 0.2 * n > 20:
                continue
            picked = [p for p in picked if p not in term]
            picked.append(term)
            if len(picked) >= MAX_SHARED_TERMS:
                break
        return picked

    def _candidate(
        self, position: int, score: float, context: _Context, named_as: str | None, taxonomy: float
    ) -> Candidate:
        doc = self.docs[position]
        why: list[str] = []
        if named_as:
            why.append(f"企业点名：{named_as}")
        shared = self._shared_terms(doc, context)
        if shared:
            why.append("共同术语：" + "、".join(shared))
        if taxonomy > 0:
            why.append(self._domain_reason(doc, context.need))
        if context.place.get("city") and doc.city == context.place["city"]:
            why.append(f"{doc.city}，与企业同城")
        elif context.place.get("province") and doc.province == context.place["province"]:
            why.append(f"{doc.province}，与企业同省")
        kind_type = institution_type(doc.kind, doc.parent, doc.name)
        if kind_type in context.types:
            label = kind_type if doc.kind == kind_type else f"{kind_type}下属{doc.kind}"
            why.append(f"类型：{label}（企业偏好）")
        if doc.city in context.cities or doc.province in context.provinces:
            why.append(f"地区：{region_label(doc.region)}（企业偏好）")
        return Candidate(
            doc.id, doc.name, doc.kind, doc.region, max(0.0, min(1.0, score)), why, bool(named_as)
        )

    @staticmethod
    def _domain_reason(doc: PartnerDoc, need: Need) -> str:
        subs = {sub for _, sub in doc.domains if sub}
        codes = {code for code, _ in doc.domains}
        for domain in need.domains or ():
            sub = domain.get("sub_code")
            if sub and sub in subs:
                return f"领域 {sub} 相同"
        for domain in need.domains or ():
            code = domain.get("code") or (domain.get("sub_code") or "")[:2]
            if code in codes:
                return f"领域 {code} 相同"
        return "领域相近"


class _About:
    """Whether an entry is about the need: a category, a word, or at least a few characters in common."""

    def __init__(self, tokens: Sequence[str], taxonomy: np.ndarray) -> None:
        self.words = {t for t in tokens if len(t) > 1 or t.isascii()}
        self.chars = {t for t in tokens if len(t) == 1 and not t.isascii()}
        self.taxonomy = taxonomy

    def __call__(self, doc: PartnerDoc, position: int) -> bool:
        if self.taxonomy[position] > 0:
            return True
        own = set(doc.tokens)
        return not self.words.isdisjoint(own) or len(self.chars & own) >= MIN_SHARED_CHARS


@dataclass
class _Context:
    terms: list[str]
    tokens: set[str]
    place: dict[str, str | None]
    provinces: set[str]
    cities: set[str]
    types: list[str]
    need: Need
