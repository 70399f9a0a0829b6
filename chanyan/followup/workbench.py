"""A staff member's day (我的工作台): overdue and upcoming tasks, new and waiting requests, open handoffs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from chanyan import clock
from chanyan.followup.tasks import open_tasks
from chanyan.store.models import FollowupTask, Handoff, Request

UPCOMING_DAYS = 7
LIST_LIMIT = 50
WAITING_STATUSES = ("reviewing", "matched")


@dataclass
class Workbench:
    """What the workbench page shows for one user (loaded: safe to read after the session closes)."""

    overdue: list[FollowupTask]
    upcoming: list[FollowupTask]
    new_requests: list[Request]
    unclaimed: list[Request]
    waiting: list[Request]
    handoffs: list[tuple[Handoff, list[str]]]
    now: datetime


def workbench(session: Session, username: str, now: datetime | None = None) -> Workbench:
    """The workbench of `username`."""
    now = now or clock.utcnow()
    mine = open_tasks(session, owner=username)
    overdue = [t for t in mine if t.due_at < now]
    upcoming = [t for t in mine if now <= t.due_at < now + timedelta(days=UPCOMING_DAYS)]

    def requests(*conditions) -> list[Request]:
        query = select(Request).where(*conditions).order_by(Request.created_at).limit(LIST_LIMIT)
        return list(session.execute(query).scalars())

    handoffs = list(
        session.execute(
            select(Handoff)
            .where(Handoff.resolved_at.is_(None))
            .order_by(Handoff.created_at)
            .limit(LIST_LIMIT)
        ).scalars()
    )
    refs: dict[str, list[str]] = {}
    if handoffs:
        ids = {h.conversation_id for h in handoffs}
        for conversation_id, ref in session.execute(
            select(Request.conversation_id, Request.ref).where(Request.conversation_id.in_(ids))
        ):
            refs.setdefault(conversation_id, []).append(ref)
    return Workbench(
        overdue=overdue,
        upcoming=upcoming,
        new_requests=requests(Request.assignee == username, Request.status == "new"),
        unclaimed=requests(Request.assignee.is_(None), Request.status == "new"),
        waiting=requests(Request.assignee == username, Request.status.in_(WAITING_STATUSES)),
        handoffs=[(h, refs.get(h.conversation_id, [])) for h in handoffs],
        now=now,
    )
