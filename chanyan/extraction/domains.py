"""所属领域 ranking: taxonomy keyword rules combined with the trained text classifier."""

from __future__ import annotations

import math
import os
import re
from collections import defaultdict
from dataclasses import dataclass, field

from .matcher import TermMatch, TermMatcher
from .taxonomy import Taxonomy

NONE_LABEL = "NONE"
RULE_SHARE_MIN = float(
    os.environ.get("CHANYAN_RULE_SHARE_MIN", "0.6")
)  # the rules' share of the combined score
RULE_SHARE_MAX = float(os.environ.get("CHANYAN_RULE_SHARE_MAX", "0.95"))  # ... grows with their evidence
MIN_RULE_EVIDENCE = 0.5  # below this much keyword weight, rules alone do not propose a domain
MIN_MODEL_ONLY_CHARS = 8  # shorter replies with no technical term are answers, not need descriptions
MIN_MODEL_SCORE = 0.6  # the classifier alone must be this sure to propose a domain
DOMAIN_ONLY_DISCOUNT = 0.6  # a domain-level cue ("新材料") is weaker than a category term
SHORT_TERM = 4  # terms shorter than this must align with token boundaries
SELF_DESCRIPTION_WEIGHT = 0.4  # "我们是做锂电池的": the business, not necessarily the need


# The clause where an enterprise says what it is or makes: "我们是做锂电池的", "我司做储能pack", "我是一家电商公司".
_SELF_DESCRIPTION = re.compile(
    r"(?:我们|我司|我厂|本公司|我们公司|我们厂|我是)(?:是|主要|一直)?(?:做|生产|搞|从事)?[^，。,；;！!？?]{0,16}?"
    r"(?:的(?=[，,。；;]|$)|公司|企业|厂家|工厂|厂(?=[，,。；;]|$))"
)


@dataclass
class DomainEvidence:
    """Why each candidate scored: the terms that fired and the classifier's probabilities."""

    terms: list[dict] = field(default_factory=list)
    rule_scores: dict[str, float] = field(default_factory=dict)
    model_scores: dict[str, float] = field(default_factory=dict)


class DomainRanker:
    """Ranks taxonomy categories for a text; the model is optional (rules alone without it)."""

    def __init__(self, taxonomy: Taxonomy) -> None:
        self.taxonomy = taxonomy
        self.index = taxonomy.term_index()
        self.matcher = TermMatcher(self.index)
        self._sub_domain = {c.code: c.domain_code for c in taxonomy.categories}

    def match_terms(self, text: str, boundaries: set[int] | None = None) -> list[TermMatch]:
        """Taxonomy terms in the text, leftmost-longest.

        With token `boundaries` (character offsets where jieba tokens start or end), a short term must start and
        end on one, so 化工 is not found inside 优化工艺; terms of four or more characters are trusted as they are.
        """
        matches = self.matcher.find(text)
        if boundaries is None:
            return matches
        return [
            m
            for m in matches
            if len(m.term) >= SHORT_TERM
            or m.term.isascii()
            or (m.start in boundaries and m.end in boundaries)
        ]

    def rule_scores(self, matches: list[TermMatch], text: str = "") -> tuple[dict[str, float], list[dict]]:
        """Summed keyword weight per category code (domain codes for domain-level cues)."""
        self_spans = [(m.start(), m.end()) for m in _SELF_DESCRIPTION.finditer(text)]
        scores: dict[str, float] = defaultdict(float)
        fired = []
        seen: set[str] = set()
        for match in matches:
            key = match.term.lower()
            if key in seen:  # a term repeated in one message counts once
                continue
            seen.add(key)
            length_bonus = 1.0 + 0.1 * min(len(match.term) - 2, 4) if len(match.term) > 2 else 1.0
            if any(start <= match.start < end for start, end in self_spans):
                length_bonus *= SELF_DESCRIPTION_WEIGHT
            for code, weight in self.index.get(match.term, ()):
                scores[code] += weight * length_bonus
            fired.append(
                {
                    "term": match.term,
                    "start": match.start,
                    "end": match.end,
                    "codes": [c for c, _ in self.index[match.term]],
                }
            )
        return dict(scores), fired

    def rank(
        self,
        text: str,
        model_scores: dict[str, float] | None = None,
        top_k: int = 3,
        matches: list[TermMatch] | None = None,
    ) -> tuple[list[dict], DomainEvidence]:
        """Ranked [{"code","name","sub_code","sub_name","score"}] (best first) and the evidence behind it."""
        matches = self.match_terms(text) if matches is None else matches
        raw, fired = self.rule_scores(matches, text)
        evidence = DomainEvidence(terms=fired, rule_scores=raw, model_scores=dict(model_scores or {}))
        sub_scores: dict[str, float] = defaultdict(float)
        domain_scores: dict[str, float] = defaultdict(float)
        for code, score in raw.items():
            (sub_scores if len(code) == 3 else domain_scores)[code] += score
        # A domain-level cue supports that domain's categories a little and stands alone when none fired.
        for dcode, score in domain_scores.items():
            subs = [s for s in sub_scores if self._sub_domain.get(s) == dcode]
            for sub in subs:
                sub_scores[sub] += 0.5 * score
            if not subs:
                sub_scores[dcode] += DOMAIN_ONLY_DISCOUNT * score
        total_rule = sum(sub_scores.values())
        model = {k: v for k, v in (model_scores or {}).items() if k != NONE_LABEL}
        none_prob = (model_scores or {}).get(NONE_LABEL, 0.0)
        # Without a technical term, only a sure classifier on a real description (not "还没定") proposes a domain.
        model_only_ok = model and max(model.values()) >= MIN_MODEL_SCORE and len(text) >= MIN_MODEL_ONLY_CHARS
        if total_rule < MIN_RULE_EVIDENCE and not model_only_ok:
            return [], evidence
        combined: dict[str, float] = {}
        strength = 1.0 - math.exp(-total_rule / 1.5)  # how sure the rules are that there is a domain at all
        rule_dist = {k: v / total_rule for k, v in sub_scores.items()} if total_rule else {}
        # Strong keyword evidence leads and the classifier breaks ties; with little evidence the classifier leads.
        rule_share = min(RULE_SHARE_MAX, max(RULE_SHARE_MIN, strength))
        for code in set(rule_dist) | set(model):
            r = rule_dist.get(code, 0.0) * strength
            m = model.get(code, 0.0)
            if len(code) == 2:  # a domain-level candidate takes the model's mass for its categories
                m = sum(v for k, v in model.items() if self._sub_domain.get(k) == code) * 0.5
            combined[code] = rule_share * r + (1 - rule_share) * m if model else r
        if model and total_rule < MIN_RULE_EVIDENCE and none_prob > max(model.values()):
            return [], evidence
        ranked = [
            {**entry, "score": round(min(1.0, score), 3)}
            for code, score in sorted(combined.items(), key=lambda kv: (-kv[1], kv[0]))
            if score > 0.01 and (entry := self.taxonomy.entry(code)) is not None
        ]
        return diversify(ranked, top_k), evidence


def diversify(ranked: list[dict], top_k: int) -> list[dict]:
    """The best candidate first, then the best of each other top-level domain, then the rest by score.

    The user confirms a domain among a few buttons: three categories of one domain would leave no way to pick a
    neighbouring domain, so different domains come before a second category of the same one.
    """
    chosen: list[dict] = []
    for candidate in ranked:
        if len(chosen) >= top_k:
            break
        if all(c["code"] != candidate["code"] for c in chosen):
            chosen.append(candidate)
    for candidate in ranked:
        if len(chosen) >= top_k:
            break
        if candidate not in chosen:
            chosen.append(candidate)
    return sorted(chosen, key=lambda c: -c["score"])
