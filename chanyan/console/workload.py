"""The dashboard's period view: requests of a date range by domain, channel and status (each a link to the
filtered list) and every staff member's workload."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from chanyan import clock
from chanyan.console.queries import UNASSIGNED, active_staff, local_day_start
from chanyan.domain.schema import CHANNEL_LABELS, STATUS_LABELS, STATUSES
from chanyan.followup.tasks import owner_of
from chanyan.store.models import FollowupTask, Request

OPEN_STATUSES = ("new", "reviewing", "matched")
DEFAULT_DAYS = 90


@dataclass(frozen=True)
class Slice:
    """One bar: its label, count and the list filter it stands for (query parameters)."""

    label: str
    count: int
    query: dict[str, str]


@dataclass(frozen=True)
class Workload:
    username: str  # UNASSIGNED for requests nobody has
    label: str
    open_requests: int
    new_requests: int
    filed_in_period: int
    tasks_overdue: int
    tasks_done: int


@dataclass
class Overview:
    start: date
    end: date
    total: int
    by_domain: list[Slice]
    by_channel: list[Slice]
    by_status: list[Slice]
    workload: list[Workload]


def default_period(today: date | None = None) -> tuple[date, date]:
    today = today or clock.now_local().date()
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def period_overview(
    session: Session, tz: ZoneInfo, start: date, end: date, now: datetime | None = None
) -> Overview:
    """Requests filed from `start` to `end` (local dates, inclusive) and the current workload of each person."""
    now = now or clock.utcnow()
    lo, hi = local_day_start(start, tz), local_day_start(end + timedelta(days=1), tz)
    period = {"date_from": start.isoformat(), "date_to": end.isoformat()}
    filed = list(
        session.execute(select(Request).where(Request.created_at >= lo, Request.created_at < hi)).scalars()
    )

    domains = Counter((r.domain_code or "", r.domain_name or "未分类") for r in filed)
    by_domain = [
        Slice(name, n, {**period, "domain": code} if code else period)
        for (code, name), n in sorted(domains.items(), key=lambda item: (-item[1], item[0]))
    ]
    channels = Counter(r.channel for r in filed)
    by_channel = [
        Slice(CHANNEL_LABELS.get(c, c), n, {**period, "channel": c})
        for c, n in sorted(channels.items(), key=lambda item: (-item[1], item[0]))
    ]
    statuses = Counter(r.status for r in filed)
    by_status = [Slice(STATUS_LABELS[s], statuses.get(s, 0), {**period, "status": s}) for s in STATUSES]

    open_requests = list(session.execute(select(Request).where(Request.status.in_(OPEN_STATUSES))).scalars())
    tasks = list(session.execute(select(FollowupTask).options(selectinload(FollowupTask.request))).scalars())
    people = [(u.username, u.display_name or u.username) for u in active_staff(session)]
    people.append((UNASSIGNED, "未分配"))
    workload = []
    for username, label in people:
        key = None if username == UNASSIGNED else username
        mine = [r for r in open_requests if (r.assignee or None) == key]
        owned = [t for t in tasks if (owner_of(t) or None) == key]
        workload.append(
            Workload(
                username=username,
                label=label,
                open_requests=len(mine),
                new_requests=sum(1 for r in mine if r.status == "new"),
                filed_in_period=sum(1 for r in filed if (r.assignee or None) == key),
                tasks_overdue=sum(1 for t in owned if t.done_at is None and t.due_at < now),
                tasks_done=sum(1 for t in owned if t.done_at is not None and lo <= t.done_at < hi),
            )
        )
    return Overview(start, end, len(filed), by_domain, by_channel, by_status, workload)
