"""Erasing personal data (个人信息保护法): on the user's request, by an admin, and after the retention period.

What "erased" means here, in one place:
- the request's contact fields (联系人, 手机, 邮箱) are emptied, and phones/e-mails (and the contact's name)
  are masked in its free texts, its staff notes and its stored extraction;
- the conversation's transcript in Rasa's tracker store is rewritten the same way, and the contact slots there
  are cleared;
- an audit entry records who erased what and when, never the erased values.
The company name (单位) stays: it is not personal data, and staff need it to follow the request up.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from chanyan.domain.schema import CONTACT_SLOTS
from chanyan.domain.validation import mask_text
from chanyan.store.models import AuditEntry, Request, RequestNote, StatusChange
from chanyan.store.tracker import rewrite_events

logger = logging.getLogger(__name__)

ERASE_ACTION = "erase_personal_data"
# Requests whose contact data the retention job erases once the period has passed since they reached it.
RETENTION_STATUSES = ("closed",)
ERASED_MARK = "（已删除）"
MIN_NAME_CHARS = 2  # a one-character "name" would mask that character everywhere


@dataclass
class Erasure:
    """What one erasure touched."""

    refs: list[str] = field(default_factory=list)
    events_rewritten: int = 0


def mask_name(name: str) -> str:
    """王经理 → 王**."""
    return name[0] + "*" * (len(name) - 1)


def masker(names: Iterable[str]) -> Callable[[str], str]:
    """A function that masks phones, e-mails and the given contact names in a text."""
    known = sorted(
        {n.strip() for n in names if n and len(n.strip()) >= MIN_NAME_CHARS}, key=len, reverse=True
    )
    pattern = re.compile("|".join(re.escape(n) for n in known)) if known else None

    def mask(text: str) -> str:
        text = mask_text(text)
        return pattern.sub(lambda m: mask_name(m.group(0)), text) if pattern else text

    return mask


def _mask_strings(value: Any, mask: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return mask(value)
    if isinstance(value, list):
        return [_mask_strings(v, mask) for v in value]
    if isinstance(value, dict):
        return {k: _mask_strings(v, mask) for k, v in value.items()}
    return value


def mask_event(event: dict[str, Any], mask: Callable[[str], str]) -> dict[str, Any]:
    """A tracker event with its personal data masked; the contact slots' values are cleared."""
    if event.get("event") == "slot" and event.get("name") in CONTACT_SLOTS:
        return {**event, "value": None}
    return _mask_strings(event, mask)


def erase_request(session: Session, request: Request, *, actor: str, reason: str, now: datetime) -> bool:
    """Erase one request's contact data (idempotent); False when there was nothing left to erase."""
    names = [request.contact_name or ""]
    mask = masker(names)
    if (
        request.contact_phone == ""
        and not request.contact_email
        and request.contact_name in ("", ERASED_MARK)
    ):
        return False
    request.contact_name = ERASED_MARK
    request.contact_phone = ""
    request.contact_email = None
    request.need_title = mask(request.need_title or "")
    request.need_description = mask(request.need_description or "")
    if request.tech_targets:
        request.tech_targets = mask(request.tech_targets)
    if isinstance(request.extraction, dict):
        extraction = _mask_strings(request.extraction, mask)
        for key in ("phones", "emails"):
            if key in extraction:
                extraction[key] = []
        request.extraction = extraction
    for note in session.scalars(select(RequestNote).where(RequestNote.request_id == request.id)):
        note.text = mask(note.text)
    session.add(
        AuditEntry(
            request_id=request.id,
            actor=actor,
            action=ERASE_ACTION,
            field="contact",
            old_value=None,  # never the erased values
            new_value=reason,
            created_at=now,
        )
    )
    return True


def erase_conversation(
    sessions: sessionmaker,
    tracker: Engine | None,
    conversation_id: str,
    *,
    actor: str,
    reason: str = "用户要求删除个人信息",
    extra_names: Iterable[str] = (),
    now: datetime | None = None,
) -> Erasure:
    """Erase the personal data of one conversation (one channel identity): its requests and its transcript.

    Args:
        sessions: the requests database.
        tracker: Rasa's tracker store (None: the requests database's engine is not the tracker's, skip it).
        conversation_id: the Rasa sender id (WeChat openid, widget session, REST sender).
        actor: who asked: "user:<channel>" or a staff username.
        extra_names: contact names known outside the requests (the conversation's slots).
    """
    now = now or datetime.utcnow()
    result = Erasure()
    with sessions() as session, session.begin():
        requests = session.scalars(
            select(Request).where(Request.conversation_id == conversation_id).order_by(Request.id)
        ).all()
        names = [r.contact_name for r in requests if r.contact_name != ERASED_MARK] + list(extra_names)
        for request in requests:
            if erase_request(session, request, actor=actor, reason=reason, now=now):
                result.refs.append(request.ref)
        if not requests:
            # Nothing filed yet: the audit still records that the transcript was erased.
            session.add(
                AuditEntry(
                    request_id=None,
                    actor=actor,
                    action=ERASE_ACTION,
                    field="conversation",
                    new_value=f"{reason}（对话 {conversation_id}）",
                    created_at=now,
                )
            )
    if tracker is not None:
        mask = masker(names)
        result.events_rewritten = rewrite_events(tracker, conversation_id, lambda e: mask_event(e, mask))
    logger.info(
        "erased personal data of conversation %s (%d requests, %d events) for %s",
        conversation_id,
        len(result.refs),
        result.events_rewritten,
        actor,
    )
    return result


def closed_at(session: Session, request: Request) -> datetime:
    """When the request reached its current (closed) status: the last status change to it, else updated_at."""
    change = session.scalars(
        select(StatusChange.created_at)
        .where(StatusChange.request_id == request.id, StatusChange.to_status == request.status)
        .order_by(StatusChange.id.desc())
        .limit(1)
    ).first()
    return change or request.updated_at


def purge_expired(
    sessions: sessionmaker,
    tracker: Engine | None,
    *,
    retention_days: int,
    now: datetime,
    actor: str = "retention",
) -> list[str]:
    """Erase the contact data of requests closed more than `retention_days` ago; the refs erased."""
    cutoff = now - timedelta(days=retention_days)
    due: list[str] = []
    with sessions() as session:
        candidates = session.scalars(
            select(Request).where(Request.status.in_(RETENTION_STATUSES), Request.contact_phone != "")
        ).all()
        conversations = sorted({r.conversation_id for r in candidates if closed_at(session, r) <= cutoff})
    reason = f"保存期限（{retention_days}天）已满"
    for conversation_id in conversations:
        erased = _erase_closed(
            sessions, tracker, conversation_id, cutoff, actor=actor, reason=reason, now=now
        )
        due.extend(erased)
    return due


def _erase_closed(
    sessions: sessionmaker,
    tracker: Engine | None,
    conversation_id: str,
    cutoff: datetime,
    *,
    actor: str,
    reason: str,
    now: datetime,
) -> list[str]:
    """The retention job's erasure of one conversation: only its requests closed before the cutoff; the
    transcript too once every request of that conversation has expired."""
    erased: list[str] = []
    with sessions() as session, session.begin():
        requests = session.scalars(select(Request).where(Request.conversation_id == conversation_id)).all()
        names = [r.contact_name for r in requests if r.contact_name != ERASED_MARK]
        expired = {
            r.id for r in requests if r.status in RETENTION_STATUSES and closed_at(session, r) <= cutoff
        }
        for request in requests:
            if request.id in expired and erase_request(session, request, actor=actor, reason=reason, now=now):
                erased.append(request.ref)
        still_needed = len(expired) < len(requests)
    if tracker is not None and erased and not still_needed:
        mask = masker(names)
        rewrite_events(tracker, conversation_id, lambda e: mask_event(e, mask))
    return erased
