"""Service records (服务) and events (调研 | 交流 | 对接会): the platform's activity, counted by the report."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from chanyan.followup.errors import FollowupError
from chanyan.followup.vocabulary import (
    EVENT_KINDS,
    MAX_NAME_CHARS,
    MAX_NOTE_CHARS,
    MAX_PARTICIPANTS,
    SERVICE_KINDS,
)
from chanyan.store.models import EventLink, FollowupEvent, Request, ServiceRecord


def _short(value: str | None, limit: int, label: str) -> str | None:
    value = (value or "").strip() or None
    if value and len(value) > limit:
        raise FollowupError(f"{label}请不超过{limit}字。")
    return value


def record_service(
    session: Session,
    *,
    kind: str,
    served_on: date,
    actor: str,
    request: Request | None = None,
    partner_id: int | None = None,
    partner_name: str | None = None,
    notes: str | None = None,
) -> ServiceRecord:
    """A service given on a request or to a partner (at least one of them)."""
    if kind not in SERVICE_KINDS:
        raise FollowupError("请选择服务类型。")
    partner_name = _short(partner_name, MAX_NAME_CHARS, "合作方名称")
    if request is None and partner_id is None and not partner_name:
        raise FollowupError("请指明服务的需求单或合作方。")
    record = ServiceRecord(
        request_id=request.id if request is not None else None,
        partner_id=partner_id,
        partner_name=partner_name,
        kind=kind,
        served_on=served_on,
        notes=_short(notes, MAX_NOTE_CHARS, "备注"),
        created_by=actor,
    )
    session.add(record)
    return record


def record_event(
    session: Session,
    *,
    kind: str,
    title: str,
    held_on: date,
    actor: str,
    place: str | None = None,
    participants: int = 0,
    requests: Sequence[Request] = (),
    partners: Sequence[tuple[int | None, str]] = (),
    notes: str | None = None,
) -> FollowupEvent:
    """An activity with its participants count, linked to the requests and partners it concerned."""
    if kind not in EVENT_KINDS:
        raise FollowupError("请选择活动类型。")
    title = _short(title, MAX_NAME_CHARS, "活动名称")
    if not title:
        raise FollowupError("请填写活动名称。")
    if not (0 <= participants <= MAX_PARTICIPANTS):
        raise FollowupError("参与人数无效。")
    links = [EventLink(request_id=r.id) for r in {r.id: r for r in requests}.values()]
    for partner_id, name in partners:
        name = _short(name, MAX_NAME_CHARS, "合作方名称")
        if partner_id is not None or name:
            links.append(EventLink(partner_id=partner_id, partner_name=name))
    event = FollowupEvent(
        kind=kind,
        title=title,
        held_on=held_on,
        place=_short(place, MAX_NAME_CHARS, "地点"),
        participants=participants,
        notes=_short(notes, MAX_NOTE_CHARS, "备注"),
        created_by=actor,
        links=links,
    )
    session.add(event)
    return event


def services_of_request(session: Session, request_id: int) -> list[ServiceRecord]:
    """A request's service records, newest first."""
    query = (
        select(ServiceRecord)
        .where(ServiceRecord.request_id == request_id)
        .order_by(ServiceRecord.served_on.desc(), ServiceRecord.id.desc())
    )
    return list(session.execute(query).scalars())


def events_of_request(session: Session, request_id: int) -> list[FollowupEvent]:
    """The events linked to a request, newest first."""
    query = (
        select(FollowupEvent)
        .join(EventLink, EventLink.event_id == FollowupEvent.id)
        .where(EventLink.request_id == request_id)
        .options(selectinload(FollowupEvent.links))
        .order_by(FollowupEvent.held_on.desc(), FollowupEvent.id.desc())
        .distinct()
    )
    return list(session.execute(query).scalars())


def list_events(
    session: Session, *, start: date | None = None, end: date | None = None
) -> list[FollowupEvent]:
    """Events between two dates (inclusive), newest first."""
    query = select(FollowupEvent).options(selectinload(FollowupEvent.links))
    if start:
        query = query.where(FollowupEvent.held_on >= start)
    if end:
        query = query.where(FollowupEvent.held_on <= end)
    return list(
        session.execute(query.order_by(FollowupEvent.held_on.desc(), FollowupEvent.id.desc())).scalars()
    )
