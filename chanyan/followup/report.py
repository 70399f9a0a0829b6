"""The period report (年度/阶段统计): what the platform did between two local dates, from the records.

Activity counts are by when things happened in the period: requests filed, first reviewed (status left 新提交
for 审核中 or later), first matched, agreements signed, services given, events held. The funnel follows the
requests filed in the period to wherever they have got by now: filed → reviewed → matched → 有意向 → signed,
each stage counting the requests that reached it or any later one, so the funnel never widens.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import inspect, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql import column, table

from chanyan import clock
from chanyan.domain.schema import CHANNEL_LABELS
from chanyan.followup.vocabulary import TASK_FIRST_CONTACT
from chanyan.store.models import Agreement, FollowupEvent, FollowupTask, Request, ServiceRecord

REVIEWED_STATUSES = frozenset({"reviewing", "matched", "agreed"})
MATCHED_STATUSES = frozenset({"matched", "agreed"})
# Candidate stages of the registry's shortlist (chanyan.partners) that show a partner's intent.
INTENT_STAGES = ("有意向", "已签约")
FUNNEL_STAGES: tuple[tuple[str, str], ...] = (
    ("filed", "提交"),
    ("reviewed", "审核"),
    ("matched", "匹配"),
    ("intent", "有意向"),
    ("signed", "签约"),
)
UNKNOWN_LABEL = "未知"
UNCLASSIFIED_LABEL = "未分类"
UNASSIGNED_LABEL = "未分配"
# Services given to a partner without a request.
NO_REQUEST_KEY = "-"
NO_REQUEST_LABEL = "未关联需求单"
# The columns of every breakdown row, and the extra ones of a staff member's row.
BREAKDOWN_METRICS: tuple[str, ...] = (
    "requests_filed",
    "requests_reviewed",
    "requests_matched",
    "agreements",
    "agreement_amount_cny",
    "services",
)
STAFF_METRICS: tuple[str, ...] = (*BREAKDOWN_METRICS, "events", "participants", "tasks_done", "tasks_overdue")


class PeriodError(ValueError):
    """A period whose end comes before its start (the message is for people, in Chinese)."""


def local_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Naive-UTC [from, to) of the local dates start..end inclusive."""
    if end < start:
        raise PeriodError("结束日期不能早于开始日期。")
    tz = clock.local_tz()

    def utc(day: date) -> datetime:
        return datetime.combine(day, time(0, 0), tzinfo=tz).astimezone(timezone.utc).replace(tzinfo=None)

    return utc(start), utc(end + timedelta(days=1))


def enterprise_province(name: str | None) -> str | None:
    """The province an enterprise's name points at (苏州精工机械 → 江苏), or None."""
    from chanyan.followup.regions import province_of

    return province_of(name)


@dataclass
class _Row:
    """One line of a breakdown."""

    key: str
    label: str
    counts: dict[str, float] = field(default_factory=lambda: defaultdict(int))

    def as_dict(self, metrics: tuple[str, ...]) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, **{m: self.counts.get(m, 0) for m in metrics}}


class _Breakdown:
    def __init__(self, metrics: tuple[str, ...] = BREAKDOWN_METRICS) -> None:
        self.rows: dict[str, _Row] = {}
        self.metrics = metrics

    def add(self, key: str | None, label: str, metric: str, amount: float = 1) -> None:
        key = key or ""
        row = self.rows.setdefault(key, _Row(key=key, label=label))
        row.counts[metric] += amount

    def as_list(self) -> list[dict[str, Any]]:
        rows = sorted(
            self.rows.values(), key=lambda r: (-r.counts.get("requests_filed", 0), r.key == "", r.key)
        )
        return [r.as_dict(self.metrics) for r in rows]


def _first(history: Iterable, statuses: frozenset[str]) -> datetime | None:
    times = [h.created_at for h in history if h.to_status in statuses]
    return min(times) if times else None


def _intent_request_ids(session: Session) -> set[int]:
    """Requests with a candidate that reached 有意向 (now or before); empty while the registry has no tables."""
    tables = set(inspect(session.connection()).get_table_names())
    ids: set[int] = set()
    if "request_candidates" not in tables:
        return ids
    candidates = table("request_candidates", column("id"), column("request_id"), column("stage"))
    ids.update(
        session.execute(
            select(candidates.c.request_id).where(candidates.c.stage.in_(INTENT_STAGES))
        ).scalars()
    )
    if "candidate_events" in tables:
        events = table("candidate_events", column("candidate_id"), column("to_stage"))
        ids.update(
            session.execute(
                select(candidates.c.request_id)
                .join(events, events.c.candidate_id == candidates.c.id)
                .where(events.c.to_stage.in_(INTENT_STAGES))
            ).scalars()
        )
    return ids


def _rate(count: int, base: int) -> float | None:
    return round(count / base, 3) if base else None


def period_report(
    session: Session,
    start: date,
    end: date,
    *,
    now: datetime | None = None,
    region_of: Callable[[Request], str | None] | None = None,
    staff_names: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The report of the local dates start..end (inclusive) as a JSON-ready dict.

    `region_of` tells a request's region (default: the province in the enterprise's name); `staff_names`
    maps usernames to display names for the by_staff breakdown.
    """
    lo, hi = local_bounds(start, end)
    now = now or clock.utcnow()
    region_of = region_of or (lambda r: enterprise_province(r.enterprise_name))
    staff_names = staff_names or {}

    requests = list(
        session.execute(
            select(Request).where(Request.created_at < hi).options(selectinload(Request.status_history))
        ).scalars()
    )
    by_id = {r.id: r for r in requests}
    agreements = list(session.execute(select(Agreement)).scalars())
    signed_ids = {a.request_id for a in agreements} | {r.id for r in requests if r.status == "agreed"}
    intent_ids = _intent_request_ids(session) | signed_ids
    in_period = [a for a in agreements if start <= a.signed_on <= end]
    services = list(
        session.execute(
            select(ServiceRecord).where(ServiceRecord.served_on >= start, ServiceRecord.served_on <= end)
        ).scalars()
    )
    events = list(
        session.execute(
            select(FollowupEvent).where(FollowupEvent.held_on >= start, FollowupEvent.held_on <= end)
        ).scalars()
    )
    tasks = list(session.execute(select(FollowupTask)).scalars())

    def inside(moment: datetime | None) -> bool:
        return moment is not None and lo <= moment < hi

    breakdowns = {name: _Breakdown() for name in ("by_domain", "by_region", "by_channel")}
    breakdowns["by_staff"] = _Breakdown(STAFF_METRICS)
    region_cache: dict[int, str | None] = {}

    def keys(request: Request | None) -> dict[str, tuple[str, str]]:
        if request is None:
            return {
                "by_domain": (NO_REQUEST_KEY, NO_REQUEST_LABEL),
                "by_region": (NO_REQUEST_KEY, NO_REQUEST_LABEL),
                "by_channel": (NO_REQUEST_KEY, NO_REQUEST_LABEL),
                "by_staff": ("", UNASSIGNED_LABEL),
            }
        if request.id not in region_cache:
            region_cache[request.id] = region_of(request)
        region = region_cache[request.id]
        assignee = request.assignee or ""
        return {
            "by_domain": (request.domain_code or "", request.domain_name or UNCLASSIFIED_LABEL),
            "by_region": (region or "", region or UNKNOWN_LABEL),
            "by_channel": (request.channel, CHANNEL_LABELS.get(request.channel, request.channel)),
            "by_staff": (assignee, staff_names.get(assignee, assignee) if assignee else UNASSIGNED_LABEL),
        }

    def count(request: Request | None, metric: str, amount: float = 1, skip_staff: bool = False) -> None:
        for name, (key, label) in keys(request).items():
            if not (skip_staff and name == "by_staff"):
                breakdowns[name].add(key, label, metric, amount)

    totals = {"requests_filed": 0, "requests_reviewed": 0, "requests_matched": 0}
    cohort: list[Request] = []
    for request in requests:
        if inside(request.created_at):
            cohort.append(request)
            totals["requests_filed"] += 1
            count(request, "requests_filed")
        if inside(_first(request.status_history, REVIEWED_STATUSES)):
            totals["requests_reviewed"] += 1
            count(request, "requests_reviewed")
        if inside(_first(request.status_history, MATCHED_STATUSES)):
            totals["requests_matched"] += 1
            count(request, "requests_matched")

    amount_total = 0
    for agreement in in_period:
        request = by_id.get(agreement.request_id)
        amount = agreement.amount_cny or 0
        amount_total += amount
        count(request, "agreements")
        count(request, "agreement_amount_cny", amount)
    for service in services:
        count(by_id.get(service.request_id) if service.request_id else None, "services", skip_staff=True)
        breakdowns["by_staff"].add(
            service.created_by, staff_names.get(service.created_by, service.created_by), "services"
        )
    for event in events:
        breakdowns["by_staff"].add(
            event.created_by, staff_names.get(event.created_by, event.created_by), "events"
        )
        breakdowns["by_staff"].add(
            event.created_by,
            staff_names.get(event.created_by, event.created_by),
            "participants",
            event.participants,
        )
    for task in tasks:
        owner = task.owner or (by_id[task.request_id].assignee if task.request_id in by_id else None) or ""
        label = staff_names.get(owner, owner) if owner else UNASSIGNED_LABEL
        if inside(task.done_at):
            done_by = task.done_by or owner
            breakdowns["by_staff"].add(
                done_by, staff_names.get(done_by, done_by) or UNASSIGNED_LABEL, "tasks_done"
            )
        if task.done_at is None and task.due_at < now:
            breakdowns["by_staff"].add(owner, label, "tasks_overdue")

    # The funnel of the period's requests, each stage including every later one.
    reached: dict[str, int] = {}
    stage_sets = {
        "signed": {r.id for r in cohort if r.id in signed_ids},
    }
    stage_sets["intent"] = stage_sets["signed"] | {r.id for r in cohort if r.id in intent_ids}
    stage_sets["matched"] = stage_sets["intent"] | {
        r.id for r in cohort if _first(r.status_history, MATCHED_STATUSES)
    }
    stage_sets["reviewed"] = stage_sets["matched"] | {
        r.id for r in cohort if _first(r.status_history, REVIEWED_STATUSES)
    }
    stage_sets["filed"] = {r.id for r in cohort}
    funnel = []
    previous = None
    for key, label in FUNNEL_STAGES:
        reached[key] = len(stage_sets[key])
        funnel.append(
            {
                "stage": key,
                "label": label,
                "count": reached[key],
                "rate_from_previous": None if previous is None else _rate(reached[key], previous),
                "rate_from_filed": _rate(reached[key], reached["filed"]),
            }
        )
        previous = reached[key]

    cohort_ids = {r.id for r in cohort}
    contact_hours = sorted(
        (t.done_at - by_id[t.request_id].created_at).total_seconds() / 3600
        for t in tasks
        if t.kind == TASK_FIRST_CONTACT and t.done_at is not None and t.request_id in cohort_ids
    )
    first_contacts = [t for t in tasks if t.kind == TASK_FIRST_CONTACT and t.request_id in cohort_ids]
    return {
        "period": {"from": start.isoformat(), "to": end.isoformat()},
        **totals,
        "agreements": len(in_period),
        "agreement_amount_cny": amount_total,
        "services": len(services),
        "events": len(events),
        "participants": sum(e.participants for e in events),
        "median_hours_to_first_contact": round(statistics.median(contact_hours), 1)
        if contact_hours
        else None,
        "first_contact": {
            "due": len(first_contacts),
            "done": len(contact_hours),
            "done_late": sum(1 for t in first_contacts if t.done_at is not None and t.done_at > t.due_at),
            "open_overdue": sum(1 for t in first_contacts if t.done_at is None and t.due_at < now),
        },
        "services_by_kind": _count_by(s.kind for s in services),
        "events_by_kind": _count_by(e.kind for e in events),
        "funnel": funnel,
        **{name: breakdown.as_list() for name, breakdown in breakdowns.items()},
    }


def _count_by(values: Iterable[str]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for value in values:
        counts[value] += 1
    return dict(sorted(counts.items()))
