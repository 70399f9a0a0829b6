"""From interview slots to a request row, and from a row to the exported record of design.md."""

from __future__ import annotations

from typing import Any

from chanyan.clock import iso_local
from chanyan.domain.schema import MAX_KEYWORDS, SKIPPED
from chanyan.store.models import Request


def _value(slots: dict[str, Any], name: str) -> Any:
    value = slots.get(name)
    return None if value in (None, "", SKIPPED) else value


def request_fields(
    slots: dict[str, Any],
    *,
    conversation_id: str,
    channel: str,
    draft_id: str,
    extraction: dict | None = None,
) -> dict[str, Any]:
    """Column values of a new request from the form's slots (skipped optional answers become NULL)."""
    from chanyan.extraction import get_extractor  # spaCy is heavy: only the filing path needs it

    extractor = get_extractor()
    domain = extractor.taxonomy.find(str(slots.get("tech_domain") or "")) or {}
    if extraction is None:
        basis = " ".join(
            str(_value(slots, s) or "") for s in ("need_title", "need_description", "tech_targets")
        )
        extraction = extractor.extract(basis)
    partner = _value(slots, "partner_preference")
    coop = _value(slots, "coop_mode") or []
    return {
        "conversation_id": conversation_id,
        "channel": channel or "unknown",
        "draft_id": draft_id,
        "enterprise_name": str(slots["enterprise_name"]),
        "contact_name": str(slots["contact_name"]),
        "contact_phone": str(slots["contact_phone"]),
        "contact_email": _value(slots, "contact_email"),
        "need_title": str(slots["need_title"]),
        "need_description": str(slots["need_description"]),
        "tech_targets": _value(slots, "tech_targets"),
        "domain_code": domain.get("code"),
        "domain_name": domain.get("name"),
        "sub_code": domain.get("sub_code"),
        "sub_name": domain.get("sub_name"),
        "keywords": list(extraction.get("keywords") or [])[:MAX_KEYWORDS],
        "budget": _value(slots, "budget"),
        "timeline": _value(slots, "timeline"),
        "coop_mode": list(coop) if isinstance(coop, (list, tuple)) else [str(coop)],
        "ip_preference": _value(slots, "ip_preference"),
        "partner": partner if isinstance(partner, dict) else None,
        "extraction": extraction,
    }


def request_record(request: Request) -> dict[str, Any]:
    """The exported shape of a request (design.md: 需求单), JSON-serializable."""
    return {
        "ref": request.ref,
        "status": request.status,
        "channel": request.channel,
        "conversation_id": request.conversation_id,
        "created_at": iso_local(request.created_at),
        "updated_at": iso_local(request.updated_at),
        "enterprise_name": request.enterprise_name,
        "contact_name": request.contact_name,
        "contact_phone": request.contact_phone,
        "contact_email": request.contact_email,
        "need_title": request.need_title,
        "need_description": request.need_description,
        "tech_targets": request.tech_targets,
        "domain": {
            "code": request.domain_code,
            "name": request.domain_name,
            "sub_code": request.sub_code,
            "sub_name": request.sub_name,
        },
        "keywords": list(request.keywords or []),
        "budget": request.budget,
        "timeline": request.timeline,
        "coop_mode": list(request.coop_mode or []),
        "ip_preference": request.ip_preference,
        "partner": request.partner or {"types": [], "names": [], "regions": []},
        "extraction": request.extraction,
        "assignee": request.assignee,
        "handoff": bool(request.handoff),
        "notes": [
            {
                "author": n.author,
                "text": n.text,
                "public": bool(n.public),
                "created_at": iso_local(n.created_at),
            }
            for n in request.notes
        ],
        "status_history": [
            {
                "from": s.from_status,
                "to": s.to_status,
                "reason": s.reason,
                "actor": s.actor,
                "at": iso_local(s.created_at),
            }
            for s in request.status_history
        ],
    }
