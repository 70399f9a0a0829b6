"""Edits of a request already filed, asked for by the enterprise in the conversation ("刚才提交的那个预算能改吗？").

The change is applied to that request (only one filed from the same conversation), with one audit entry per field
(actor "enterprise"), so staff see what the user changed and when.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chanyan.domain.schema import ENTERPRISE_ACTOR, SKIPPED
from chanyan.store.models import AuditEntry, Request

ACTOR = ENTERPRISE_ACTOR
# Interview slot -> request column, for the slots a user may change after filing.
SLOT_COLUMNS: dict[str, str] = {
    "enterprise_name": "enterprise_name",
    "contact_name": "contact_name",
    "contact_phone": "contact_phone",
    "contact_email": "contact_email",
    "need_title": "need_title",
    "need_description": "need_description",
    "tech_targets": "tech_targets",
    "budget": "budget",
    "timeline": "timeline",
    "coop_mode": "coop_mode",
    "ip_preference": "ip_preference",
    "partner_preference": "partner",
}


class AmendError(LookupError):
    """No request with that reference was filed from this conversation."""


def amend_request(
    session: Session, conversation_id: str, ref: str, updates: dict[str, Any], *, domain: dict | None = None
) -> list[str]:
    """Apply slot-style `updates` to the request `ref` filed from `conversation_id`; the slots that changed.

    `domain` (code, name, sub_code, sub_name) replaces the request's domain when `updates` has tech_domain.
    """
    request = session.execute(
        select(Request).where(Request.ref == ref, Request.conversation_id == conversation_id)
    ).scalar_one_or_none()
    if request is None:
        raise AmendError(ref)
    changed: list[str] = []
    for slot, value in updates.items():
        if slot == "tech_domain" and domain:
            old = {k: getattr(request, k) for k in ("domain_code", "domain_name", "sub_code", "sub_name")}
            new = {
                "domain_code": domain.get("code"),
                "domain_name": domain.get("name"),
                "sub_code": domain.get("sub_code"),
                "sub_name": domain.get("sub_name"),
            }
            if old != new:
                for column, column_value in new.items():
                    setattr(request, column, column_value)
                _audit(session, request, "domain", old, new)
                changed.append(slot)
            continue
        column = SLOT_COLUMNS.get(slot)
        if column is None:
            continue
        value = None if value == SKIPPED else value
        if column == "partner" and not isinstance(value, dict):
            value = None
        old = getattr(request, column)
        if old == value:
            continue
        setattr(request, column, value)
        _audit(session, request, column, old, value)
        changed.append(slot)
    return changed


def _audit(session: Session, request: Request, field: str, old: Any, new: Any) -> None:
    session.add(
        AuditEntry(
            request_id=request.id,
            actor=ACTOR,
            action="edit",
            field=field,
            old_value=_shown(old),
            new_value=_shown(new),
        )
    )


def _shown(value: Any) -> str | None:
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)
