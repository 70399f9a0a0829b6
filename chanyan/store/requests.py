"""Query functions on requests. Each takes a session; the caller owns the transaction."""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from chanyan import clock
from chanyan.domain.validation import REF_PREFIX
from chanyan.store.models import AuditEntry, ChannelIncident, Handoff, Request, StatusChange

FILING_ACTOR = "assistant"
# Each clash on a reference number lets one concurrent filer through, so this bounds the concurrency handled.
REF_ATTEMPTS = 30
REF_RETRY_PAUSE_S = 0.02


class RequestNotFound(LookupError):
    """No request has this reference number."""


def ref_day(moment: datetime | None = None) -> str:
    """The YYYYMMDD part of a reference number: the platform's local (China) date."""
    moment = moment or datetime.now(timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(clock.local_tz()).strftime("%Y%m%d")


def next_ref(session: Session, day: str) -> str:
    """The next free reference number of the day, e.g. XQ-20261125-0007."""
    prefix = f"{REF_PREFIX}-{day}-"
    last = session.execute(
        select(func.max(Request.ref)).where(Request.ref.like(f"{prefix}%"))
    ).scalar_one_or_none()
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


def find_draft(session: Session, conversation_id: str, draft_id: str) -> Request | None:
    """The request already filed from this draft, if any."""
    return session.execute(
        select(Request).where(Request.conversation_id == conversation_id, Request.draft_id == draft_id)
    ).scalar_one_or_none()


def file_request(
    session_factory, fields: dict[str, Any], on_filed: Callable[[Session, Request], Any] | None = None
) -> tuple[Request, bool]:
    """File a request exactly once per (conversation_id, draft_id).

    Returns the request and whether it was created now (False: it had been filed before, e.g. a repeated
    confirmation or a retried action). Opens its own short transactions so that a clash on the reference
    number (two processes filing at the same moment) can be retried. `on_filed(session, request)` runs in the
    filing's transaction once the new request has its id (the services plan follow-up work with it).
    """
    for attempt in range(REF_ATTEMPTS):
        if attempt:
            time.sleep(random.uniform(0, REF_RETRY_PAUSE_S * attempt))
        with session_factory() as session, session.begin():
            existing = find_draft(session, fields["conversation_id"], fields["draft_id"])
            if existing is not None:
                return _loaded(existing), False
            request = Request(**fields, status="new")
            # A person was asked for earlier in this conversation: staff should see it on the request.
            request.handoff = conversation_wants_person(session, fields["conversation_id"])
            request.ref = next_ref(session, ref_day())
            request.status_history.append(StatusChange(from_status=None, to_status="new", actor=FILING_ACTOR))
            session.add(request)
            try:
                session.flush()
            except IntegrityError:
                session.rollback()
                continue
            if on_filed is not None:
                on_filed(session, request)
                session.flush()
            return _loaded(request), True
    raise RuntimeError("could not allocate a reference number")


def _loaded(request: Request) -> Request:
    """Load the relationships a caller reads after the session closes (notifications, records)."""
    _ = list(request.notes), list(request.status_history)
    return request


def move_status(session: Session, request: Request, to_status: str, reason: str | None, actor: str) -> None:
    """Set a request's status with its status-history entry and its audit entry (the change log shows the
    reason after the status). Which moves are allowed is the caller's rule."""
    old = request.status
    request.status = to_status
    request.status_history.append(
        StatusChange(from_status=old, to_status=to_status, reason=reason or None, actor=actor)
    )
    session.add(
        AuditEntry(
            request_id=request.id,
            actor=actor,
            action="status",
            field="status",
            old_value=old,
            new_value=f"{to_status}：{reason}" if reason else to_status,
        )
    )


def get_request(session: Session, ref: str) -> Request:
    """The request with this reference number, notes and status history loaded."""
    request = session.execute(
        select(Request)
        .where(Request.ref == ref.strip().upper())
        .options(selectinload(Request.notes), selectinload(Request.status_history))
    ).scalar_one_or_none()
    if request is None:
        raise RequestNotFound(ref)
    return request


def list_requests(
    session: Session, *, status: str | None = None, limit: int | None = None, offset: int = 0
) -> list[Request]:
    """Requests newest first, optionally filtered by status."""
    query = select(Request).order_by(Request.created_at.desc(), Request.id.desc()).offset(offset)
    if status:
        query = query.where(Request.status == status)
    if limit:
        query = query.limit(limit)
    return list(session.execute(query).scalars())


def iter_requests(session: Session) -> Iterator[Request]:
    """Every request, oldest first, notes and history loaded (for export)."""
    query = (
        select(Request)
        .order_by(Request.created_at, Request.id)
        .options(selectinload(Request.notes), selectinload(Request.status_history))
    )
    yield from session.execute(query).scalars()


def record_handoff(session: Session, conversation_id: str, channel: str, message: str | None) -> Handoff:
    """Mark a conversation for a person; flags the requests filed from it too."""
    handoff = Handoff(conversation_id=conversation_id, channel=channel, message=message)
    session.add(handoff)
    for request in session.execute(
        select(Request).where(Request.conversation_id == conversation_id)
    ).scalars():
        request.handoff = True
    return handoff


def conversation_wants_person(session: Session, conversation_id: str) -> bool:
    """True when the conversation asked for a person and nobody has resolved it yet."""
    query = select(func.count(Handoff.id)).where(
        Handoff.conversation_id == conversation_id, Handoff.resolved_at.is_(None)
    )
    return session.execute(query).scalar_one() > 0


def record_incident(session: Session, conversation_id: str, channel: str, kind: str, detail: str) -> None:
    """Keep a channel delivery problem where staff can see it."""
    session.add(ChannelIncident(conversation_id=conversation_id, channel=channel, kind=kind, detail=detail))
