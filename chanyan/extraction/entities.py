"""Rasa entity dicts ↔ the extraction dict (framework-free, so the action server can rebuild it)."""

from __future__ import annotations

from typing import Any

EXTRACTOR_NAME = "ChanyanExtractor"


def _entity(name: str, value: Any, text: str, span: tuple[int, int] | None, confidence: float = 1.0) -> dict:
    """One Rasa entity; facts read from the whole message span the whole message."""
    start, end = span if span is not None else (0, len(text))
    return {
        "entity": name,
        "start": start,
        "end": end,
        "value": value,
        "extractor": EXTRACTOR_NAME,
        "confidence_entity": confidence,
    }


def _span(text: str, fragment: str | None) -> tuple[int, int] | None:
    if not fragment:
        return None
    start = text.find(fragment)
    return (start, start + len(fragment)) if start >= 0 else None


def to_entities(result: dict) -> list[dict]:
    """Rasa entities for an extraction dict: tech_domain (one per ranked candidate), budget, timeline, …,
    not_technical (the dict as value)."""
    text = result.get("text") or ""
    entities = []
    for domain in result.get("domains") or ():
        value = domain.get("sub_code") or domain.get("code")
        entities.append(_entity("tech_domain", value, text, None, float(domain.get("score", 0.0))))
    budget = result.get("budget")
    if budget:
        entities.append(_entity("budget", dict(budget), text, _span(text, budget.get("text"))))
    timeline = result.get("timeline")
    if timeline:
        entities.append(_entity("timeline", dict(timeline), text, _span(text, timeline.get("text"))))
    for mode in result.get("coop_modes") or ():
        entities.append(_entity("coop_mode", mode, text, None))
    if result.get("ip_preference"):
        entities.append(_entity("ip_preference", result["ip_preference"], text, None))
    partner = result.get("partner") or {}
    if any(partner.get(k) for k in ("types", "names", "regions")):
        entities.append(
            _entity(
                "partner", {k: list(partner.get(k) or ()) for k in ("types", "names", "regions")}, text, None
            )
        )
    for phone in result.get("phones") or ():
        entities.append(_entity("phone", phone, text, None))
    for email in result.get("emails") or ():
        entities.append(_entity("email", email, text, _span(text, email)))
    for keyword in result.get("keywords") or ():
        entities.append(_entity("keyword", keyword, text, _span(text, keyword)))
    flag = result.get("not_technical")
    if flag:
        entities.append(_entity("not_technical", dict(flag), text, _span(text, flag.get("text"))))
    return entities


def from_entities(entities: list[dict], text: str = "") -> dict | None:
    """Rebuild the extraction dict from Rasa entities; None when none came from our extractor.

    The taxonomy names for tech_domain values are filled in from chanyan's taxonomy data file.
    """
    ours = [e for e in entities or () if isinstance(e, dict) and e.get("extractor") == EXTRACTOR_NAME]
    if not ours:
        return None
    from .extractor import empty_result
    from .taxonomy import Taxonomy

    taxonomy = _taxonomy(Taxonomy)
    result = empty_result(text)
    for entity in ours:
        name, value = entity.get("entity"), entity.get("value")
        if name == "tech_domain":
            entry = taxonomy.entry(str(value))
            if entry:
                result["domains"].append({**entry, "score": float(entity.get("confidence_entity") or 0.0)})
        elif name in ("budget", "timeline") and isinstance(value, dict):
            result[name] = dict(value)
        elif name == "coop_mode":
            result["coop_modes"].append(value)
        elif name == "ip_preference":
            result["ip_preference"] = value
        elif name == "partner" and isinstance(value, dict):
            result["partner"] = {k: list(value.get(k) or ()) for k in ("types", "names", "regions")}
        elif name == "phone":
            result["phones"].append(value)
        elif name == "email":
            result["emails"].append(value)
        elif name == "keyword":
            result["keywords"].append(value)
        elif name == "not_technical" and isinstance(value, dict):
            result["not_technical"] = dict(value)
    result["domains"].sort(key=lambda d: -d["score"])
    return result


_TAXONOMY = None


def _taxonomy(loader):
    global _TAXONOMY
    if _TAXONOMY is None:
        _TAXONOMY = loader.load()
    return _TAXONOMY
