"""The domain taxonomy (国家重点支持的高新技术领域, 2016) loaded from its YAML data file."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import yaml

from chanyan.taxonomy import TAXONOMY_PATH

from .textnorm import fold

_WEIGHT_SUFFIX = re.compile(r"^(?P<term>.+?)\^(?P<weight>\d+(?:\.\d+)?)$")
_PUNCT = re.compile(r"[\s、，,。.·/()（）-]+")


@dataclass(frozen=True)
class Category:
    """A second-level category (e.g. 803 高性能、智能化仪器仪表) or, with an empty code, none."""

    code: str
    name: str
    description: str
    domain_code: str
    domain_name: str
    aliases: tuple[str, ...]
    keywords: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Domain:
    """A top-level domain (e.g. 80 先进制造与自动化) with its categories."""

    code: str
    name: str
    aliases: tuple[str, ...]
    keywords: tuple[tuple[str, float], ...]
    subcategories: tuple[Category, ...]


def _parse_term(raw: object) -> tuple[str, float]:
    text = str(raw).strip()
    match = _WEIGHT_SUFFIX.match(text)
    if match:
        return match["term"].strip(), float(match["weight"])
    return text, 1.0


def _norm(name: str) -> str:
    return _PUNCT.sub("", fold(name)).lower()


class Taxonomy:
    """Domains and categories with lookup by code, name or alias, and the keyword → category index."""

    def __init__(self, domains: list[Domain], variants: dict[str, tuple[str, ...]] | None = None) -> None:
        self._domains = domains
        self.variants = {fold(k): tuple(fold(v) for v in vs) for k, vs in (variants or {}).items()}
        self._by_code: dict[str, Domain | Category] = {}
        self._by_name: dict[str, Domain | Category] = {}
        for domain in domains:
            self._by_code[domain.code] = domain
            for sub in domain.subcategories:
                self._by_code[sub.code] = sub
        # Official names win over aliases; domains win over categories on equal footing.
        for pool in (
            [(d.name, d) for d in domains],
            [(s.name, s) for d in domains for s in d.subcategories],
            [(a, d) for d in domains for a in d.aliases],
            [(a, s) for d in domains for s in d.subcategories for a in s.aliases],
        ):
            for name, node in pool:
                self._by_name.setdefault(_norm(name), node)

    @classmethod
    def load(cls, path: Path | str = TAXONOMY_PATH) -> Taxonomy:
        """Read the taxonomy YAML file (format documented at its top)."""
        with open(path, encoding="utf-8") as fh:
            raw = yaml.safe_load(fh)
        domains = []
        for d in raw["domains"]:
            code, name = str(d["code"]), str(d["name"])
            subs = tuple(
                Category(
                    code=str(s["code"]),
                    name=str(s["name"]),
                    description=str(s.get("description", "")),
                    domain_code=code,
                    domain_name=name,
                    aliases=tuple(str(a) for a in s.get("aliases") or ()),
                    keywords=tuple(_parse_term(k) for k in s.get("keywords") or ()),
                )
                for s in d.get("subcategories") or ()
            )
            domains.append(
                Domain(
                    code=code,
                    name=name,
                    aliases=tuple(str(a) for a in d.get("aliases") or ()),
                    keywords=tuple(_parse_term(k) for k in d.get("keywords") or ()),
                    subcategories=subs,
                )
            )
        variants = {str(k): tuple(str(v) for v in vs or ()) for k, vs in (raw.get("variants") or {}).items()}
        return cls(domains, variants)

    @property
    def domains(self) -> list[dict]:
        """Top-level domains with their categories, as plain dicts (for buttons, the console, JSON)."""
        return [
            {
                "code": d.code,
                "name": d.name,
                "subcategories": [
                    {"code": s.code, "name": s.name, "description": s.description} for s in d.subcategories
                ],
            }
            for d in self._domains
        ]

    @property
    def categories(self) -> list[Category]:
        """All second-level categories, in official order."""
        return [s for d in self._domains for s in d.subcategories]

    def domain(self, code: str) -> Domain | None:
        """The top-level domain with this two-digit code."""
        node = self._by_code.get(code)
        return node if isinstance(node, Domain) else None

    def entry(self, code: str) -> dict | None:
        """{"code","name","sub_code","sub_name"} for a domain or category code (sub_* None for a domain)."""
        node = self._by_code.get(str(code).strip())
        return _entry(node) if node else None

    def find(self, code_or_name: str) -> dict | None:
        """Look up by code ("803", "80"), official name or alias ("智能装备"); None when nothing matches."""
        if not isinstance(code_or_name, str):
            return None
        query = code_or_name.strip()
        if not query:
            return None
        if query in self._by_code:
            return _entry(self._by_code[query])
        key = _norm(query)
        if not key:
            return None
        if key in self._by_name:
            return _entry(self._by_name[key])
        # "仪器仪表类", "新材料领域": a known name inside a short answer; the longest one wins.
        hits = [(len(name), node) for name, node in self._by_name.items() if len(name) >= 2 and name in key]
        if hits and len(key) <= 20:
            return _entry(max(hits, key=lambda h: h[0])[1])
        return None

    def term_index(self) -> dict[str, list[tuple[str, float]]]:
        """Every keyword, name and alias → [(category or domain code, weight)], weights split when shared.

        Terms are keyed in folded form (simplified script, half-width), the form extraction matches text in.
        """
        index: dict[str, dict[str, float]] = defaultdict(dict)
        for domain in self._domains:
            for term, weight in domain.keywords:
                index[fold(term)].setdefault(domain.code, 0.35 * weight)
            for alias in (domain.name, *domain.aliases):
                index[fold(alias)].setdefault(domain.code, 0.6)
            for sub in domain.subcategories:
                for term, weight in sub.keywords:
                    key = fold(term)
                    index[key][sub.code] = max(index[key].get(sub.code, 0.0), weight)
                for alias in (sub.name, *sub.aliases):
                    key = fold(alias)
                    index[key][sub.code] = max(index[key].get(sub.code, 0.0), 1.0)
        # A longer term is at least as telling as a term inside it (冲压模具 ⊇ 模具^2, 生活污水 ⊇ 污水^2).
        for term, targets in index.items():
            for size in range(2, len(term)):
                for start in range(len(term) - size + 1):
                    inner = index.get(term[start : start + size])
                    if inner is None or inner is targets:
                        continue
                    for code in targets:
                        if code in inner:
                            targets[code] = max(targets[code], inner[code])
        for term, targets in list(index.items()):
            for variant in self._regional(term):
                merged = index.setdefault(variant, {})
                for code, weight in targets.items():
                    merged[code] = max(merged.get(code, 0.0), weight)
        result: dict[str, list[tuple[str, float]]] = {}
        for term, targets in index.items():
            share = len(targets)
            result[term] = [(code, weight / share) for code, weight in targets.items()]
        return result

    def _regional(self, term: str) -> list[str]:
        """The term in regional wording: each variant alone, and all of them together (图像识别 → 影像辨识)."""
        found = [
            (standard, variants)
            for standard, variants in self.variants.items()
            if standard in term and standard != term
        ]
        if not found:
            return []
        forms = {term.replace(standard, variant) for standard, variants in found for variant in variants}
        everything = term
        for standard, variants in found:
            everything = everything.replace(standard, variants[0])
        forms.add(everything)
        forms.discard(term)
        return sorted(forms)


def _entry(node: Domain | Category) -> dict:
    if isinstance(node, Domain):
        return {"code": node.code, "name": node.name, "sub_code": None, "sub_name": None}
    return {"code": node.domain_code, "name": node.domain_name, "sub_code": node.code, "sub_name": node.name}
