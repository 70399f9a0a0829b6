"""Query functions of the console. Each takes a SQLAlchemy session; the caller owns the transaction."""

from __future__ import annotations

import json
import statistics
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, selectinload

from chanyan.console.search import query_tokens
from chanyan.conversations.state import CARRIED_OVER
from chanyan.domain.schema import CHANNELS, STATUSES
from chanyan.partners.shortlist import candidate_stages_reached
from chanyan.requests.progress import NoticeView, notices_of_request
from chanyan.requests.records import request_record
from chanyan.store.models import AuditEntry, Handoff, Request, StaffUser, StatusChange, utcnow
from chanyan.store.requests import get_request
from chanyan.store.tracker import EVENTS

UNASSIGNED = "-"
MAX_TRANSCRIPT_EVENTS = 3000
HANDOFF_INTENT = "handoff"
HANDOFF_ACTION = "action_handoff"


# Dates outside these years are typing errors (or probes such as 9999-12-31): the filter ignores them.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2999, 12, 31)

# The largest page /api/requests returns.
MAX_PAGE_SIZE = 200


def _parse_date(value: str | None) -> date | None:
    try:
        day = date.fromisoformat(value.strip()) if value and value.strip() else None
    except ValueError:
        return None
    return day if day is not None and EARLIEST_DATE <= day <= LATEST_DATE else None


@dataclass(frozen=True)
class RequestFilters:
    """The filters of the requests list, its export and /api/requests (unknown values are ignored)."""

    status: str = ""
    domain: str = ""
    date_from: date | None = None
    date_to: date | None = None
    assignee: str = ""  # a username, or UNASSIGNED
    channel: str = ""
    q: str = ""
    handoff: bool = False
    sort: str = ""  # a key of SORT_COLUMNS, "-" first for descending; empty: newest first

    @classmethod
    def from_query(cls, query: Mapping[str, str]) -> RequestFilters:
        status = query.get("status", "")
        return cls(
            status=status if status in STATUSES else "",
            domain=query.get("domain", "").strip()[:8],
            date_from=_parse_date(query.get("date_from")),
            date_to=_parse_date(query.get("date_to")),
            assignee=query.get("assignee", "").strip()[:100],
            channel=query.get("channel", "").strip()[:32],
            q=query.get("q", "").strip()[:200],
            handoff=query.get("handoff", "") in ("1", "true", "on"),
            sort=_sort(query.get("sort", "")),
        )

    def to_query(self, **overrides: Any) -> dict[str, str]:
        """Non-empty filters as query parameters (for links that keep the filters)."""
        values = replace(self, **overrides) if overrides else self
        params = {
            "status": values.status,
            "domain": values.domain,
            "date_from": values.date_from.isoformat() if values.date_from else "",
            "date_to": values.date_to.isoformat() if values.date_to else "",
            "assignee": values.assignee,
            "channel": values.channel,
            "q": values.q,
            "handoff": "1" if values.handoff else "",
            "sort": values.sort,
        }
        return {k: v for k, v in params.items() if v}


# Columns the requests list sorts by (?sort=enterprise, ?sort=-created).
SORT_COLUMNS = {
    "created": Request.created_at,
    "ref": Request.ref,
    "status": Request.status,
    "enterprise": Request.enterprise_name,
    "title": Request.need_title,
    "assignee": Request.assignee,
    "channel": Request.channel,
}


def _sort(value: str) -> str:
    value = (value or "").strip()
    return value if value.lstrip("-") in SORT_COLUMNS else ""


def sort_order(sort: str) -> list:
    """ORDER BY of a list sort key (newest first when none), the id last so pages are stable."""
    if not sort:
        return [Request.created_at.desc(), Request.id.desc()]
    column = SORT_COLUMNS[sort.lstrip("-")]
    descending = sort.startswith("-")
    return [column.desc() if descending else column.asc(), Request.id.desc() if descending else Request.id]


def local_day_start(day: date, tz: ZoneInfo) -> datetime:
    """Naive UTC of local midnight at the start of `day`."""
    return datetime.combine(day, time.min, tzinfo=tz).astimezone(timezone.utc).replace(tzinfo=None)


def _conditions(filters: RequestFilters, tz: ZoneInfo, *, with_status: bool = True) -> list:
    conditions = []
    if with_status and filters.status:
        conditions.append(Request.status == filters.status)
    if filters.domain:
        conditions.append(or_(Request.domain_code == filters.domain, Request.sub_code == filters.domain))
    if filters.date_from:
        conditions.append(Request.created_at >= local_day_start(filters.date_from, tz))
    if filters.date_to:
        conditions.append(Request.created_at < local_day_start(filters.date_to + timedelta(days=1), tz))
    if filters.assignee == UNASSIGNED:
        conditions.append(or_(Request.assignee.is_(None), Request.assignee == ""))
    elif filters.assignee:
        conditions.append(Request.assignee == filters.assignee)
    if filters.channel:
        conditions.append(Request.channel == filters.channel)
    if filters.handoff:
        conditions.append(Request.handoff.is_(True))
    for token in query_tokens(filters.q):
        conditions.append(Request.search_text.contains(token, autoescape=True))
    return conditions


@dataclass
class RequestPage:
    """One page of the requests list with the per-status counts of the same filters."""

    items: list[Request]
    total: int
    page: int
    page_size: int
    counts: dict[str, int]

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))


def list_page(
    session: Session, filters: RequestFilters, tz: ZoneInfo, page: int, page_size: int
) -> RequestPage:
    """Requests newest first, one page, and how many there are in each status."""
    conditions = _conditions(filters, tz)
    total = session.execute(select(func.count(Request.id)).where(*conditions)).scalar_one()
    pages = max(1, -(-total // page_size))
    page = min(max(1, page), pages)
    items = list(
        session.execute(
            select(Request)
            .where(*conditions)
            .order_by(*sort_order(filters.sort))
            .offset((page - 1) * page_size)
            .limit(page_size)
        ).scalars()
    )
    rows = session.execute(
        select(Request.status, func.count(Request.id))
        .where(*_conditions(filters, tz, with_status=False))
        .group_by(Request.status)
    ).all()
    counts = {status: 0 for status in STATUSES}
    counts.update({status: n for status, n in rows})
    return RequestPage(items, total, page, page_size, counts)


def export_records(session: Session, filters: RequestFilters, tz: ZoneInfo) -> list[dict[str, Any]]:
    """Every request matching the filters as exported records (design.md), newest first."""
    query = (
        select(Request)
        .where(*_conditions(filters, tz))
        .order_by(Request.created_at.desc(), Request.id.desc())
        .options(selectinload(Request.notes), selectinload(Request.status_history))
    )
    return [request_record(r) for r in session.execute(query).scalars()]


def filter_choices(session: Session) -> dict[str, list]:
    """Values for the filter drop-downs: channels in use and staff who can be assigned."""
    used = [c for (c,) in session.execute(select(Request.channel).distinct()) if c]
    channels = list(dict.fromkeys([*CHANNELS, *sorted(used)]))
    staff = [(u.username, u.display_name or u.username) for u in active_staff(session)]
    return {"channels": channels, "staff": staff}


def active_staff(session: Session) -> list[StaffUser]:
    return list(
        session.execute(
            select(StaffUser).where(StaffUser.active.is_(True)).order_by(StaffUser.username)
        ).scalars()
    )


@dataclass
class RequestDetail:
    """A request with everything its page shows (all loaded, safe to use after the session closes)."""

    request: Request
    record: dict[str, Any]
    audit: list[AuditEntry]
    handoffs: list[Handoff]
    staff: list[tuple[str, str]]
    progress: list[NoticeView] = field(default_factory=list)  # what the enterprise was told, and how


def request_detail(session: Session, ref: str) -> RequestDetail:
    request = get_request(session, ref)
    audit = list(
        session.execute(
            select(AuditEntry).where(AuditEntry.request_id == request.id).order_by(AuditEntry.id.desc())
        ).scalars()
    )
    handoffs = conversation_handoffs(session, request.conversation_id)
    staff = [(u.username, u.display_name or u.username) for u in active_staff(session)]
    progress = notices_of_request(session, request.id)
    return RequestDetail(request, request_record(request), audit, handoffs, staff, progress)


def conversation_handoffs(session: Session, conversation_id: str) -> list[Handoff]:
    return list(
        session.execute(
            select(Handoff).where(Handoff.conversation_id == conversation_id).order_by(Handoff.id)
        ).scalars()
    )


def conversation_requests(session: Session, conversation_id: str) -> list[Request]:
    return list(
        session.execute(
            select(Request).where(Request.conversation_id == conversation_id).order_by(Request.id)
        ).scalars()
    )


# --- transcript (Rasa's tracker store) ------------------------------------------------------------------------


@dataclass(frozen=True)
class Turn:
    """One line of a conversation: what the user or the assistant said (plain text, never HTML)."""

    kind: (
        str  # "user" | "bot" | "handoff" | "hold" | "release" (staff took the conversation / handed it back)
    )
    text: str
    at: datetime | None  # local time
    channel: str = ""
    intent: str = ""
    buttons: tuple[str, ...] = ()
    handoff: bool = False
    staff: str = ""  # a bot turn typed by this staff member; for hold/release: who did it


@dataclass
class Transcript:
    turns: list[Turn] = field(default_factory=list)
    available: bool = True  # False when the tracker store cannot be read
    truncated: bool = False


def load_transcript(engine: Engine, conversation_id: str, tz: ZoneInfo) -> Transcript:
    """User and bot turns of a conversation from Rasa's `events` table, oldest first."""
    query = (
        select(
            EVENTS.c.type_name, EVENTS.c.timestamp, EVENTS.c.intent_name, EVENTS.c.action_name, EVENTS.c.data
        )
        .where(
            EVENTS.c.sender_id == conversation_id,
            EVENTS.c.type_name.in_(("user", "bot", "action", "pause", "resume")),
        )
        .order_by(EVENTS.c.id)
        .limit(MAX_TRANSCRIPT_EVENTS + 1)
    )
    try:
        with engine.connect() as connection:
            rows = connection.execute(query).all()
    except SQLAlchemyError:
        return Transcript(available=False)
    transcript = Transcript(truncated=len(rows) > MAX_TRANSCRIPT_EVENTS)
    channel = ""
    # A button click arrives as its payload ("/choose{...}"): staff read the button's title instead, and other
    # commands the channels send ("/greet") are not something the user said.
    titles: dict[str, str] = {}
    for type_name, timestamp, intent_name, action_name, raw in rows[:MAX_TRANSCRIPT_EVENTS]:
        at = datetime.fromtimestamp(timestamp, tz) if timestamp else None
        if type_name == "action":
            if action_name == HANDOFF_ACTION:
                transcript.turns.append(Turn("handoff", "用户请求转人工", at, channel, handoff=True))
            continue
        data = _event_data(raw)
        if type_name in ("pause", "resume"):
            metadata = data.get("metadata") or {}
            if metadata.get(CARRIED_OVER):  # the same hold, re-applied when a new session began
                continue
            staff = str(metadata.get("staff") or "")
            kind = "hold" if type_name == "pause" else "release"
            transcript.turns.append(Turn(kind, "", at, channel, staff=staff))
            continue
        if type_name == "user":
            channel = str(data.get("input_channel") or channel or "")
            intent = intent_name or ((data.get("parse_data") or {}).get("intent") or {}).get("name") or ""
            said = str(data.get("text") or "")
            if said.startswith("/"):
                if said not in titles:
                    continue
                said = titles[said]
            transcript.turns.append(Turn("user", said, at, channel, intent, handoff=intent == HANDOFF_INTENT))
        else:
            payload = data.get("data") or {}
            offered = [b for b in (payload.get("buttons") or []) if isinstance(b, dict)]
            buttons = tuple(str(b.get("title", "")) for b in offered)
            if offered:
                titles = {str(b.get("payload", "")): str(b.get("title", "")) for b in offered}
            text = str(data.get("text") or "")
            staff = str((data.get("metadata") or {}).get("staff") or "")
            if text or buttons:
                transcript.turns.append(Turn("bot", text, at, channel, buttons=buttons, staff=staff))
    return transcript


def _event_data(raw: Any) -> dict:
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw or "{}")
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}


# --- handoffs -------------------------------------------------------------------------------------------------


@dataclass
class HandoffRow:
    handoff: Handoff
    refs: list[str]


def list_handoffs(session: Session, *, include_resolved: bool = False, limit: int = 200) -> list[HandoffRow]:
    """Requests for a person, open ones first, newest first."""
    query = select(Handoff).order_by(Handoff.resolved_at.is_not(None), Handoff.created_at.desc()).limit(limit)
    if not include_resolved:
        query = query.where(Handoff.resolved_at.is_(None))
    handoffs = list(session.execute(query).scalars())
    ids = {h.conversation_id for h in handoffs}
    refs: dict[str, list[str]] = {}
    if ids:
        for conversation_id, ref in session.execute(
            select(Request.conversation_id, Request.ref)
            .where(Request.conversation_id.in_(ids))
            .order_by(Request.id)
        ):
            refs.setdefault(conversation_id, []).append(ref)
    return [HandoffRow(h, refs.get(h.conversation_id, [])) for h in handoffs]


def resolve_handoff(session: Session, handoff_id: int, actor: str) -> Handoff | None:
    handoff = session.get(Handoff, handoff_id)
    if handoff is None:
        return None
    if handoff.resolved_at is None:
        handoff.resolved_at = utcnow()
        handoff.resolved_by = actor
    return handoff


def resolve_conversation_handoffs(session: Session, conversation_id: str, actor: str) -> int:
    """Mark every open handoff of a conversation handled (staff answered it and handed it back)."""
    open_ = session.execute(
        select(Handoff).where(Handoff.conversation_id == conversation_id, Handoff.resolved_at.is_(None))
    ).scalars()
    count = 0
    for handoff in open_:
        handoff.resolved_at, handoff.resolved_by = utcnow(), actor
        count += 1
    return count


# --- dashboard ------------------------------------------------------------------------------------------------


@dataclass
class Dashboard:
    """The numbers of the dashboard (counts and hours; charts are drawn from these)."""

    total: int
    weekly: list[tuple[str, int]]  # (week starting, YYYY-MM-DD) oldest first
    by_domain: list[tuple[str, int]]
    funnel: list[tuple[str, int]]
    by_status: dict[str, int]
    median_first_action_hours: float | None
    acted_on: int
    awaiting_first_action: int


def dashboard(session: Session, tz: ZoneInfo, *, weeks: int = 12, now: datetime | None = None) -> Dashboard:
    now_local = (now or datetime.now(timezone.utc)).astimezone(tz)
    this_week = now_local.date() - timedelta(days=now_local.weekday())
    first_week = this_week - timedelta(weeks=weeks - 1)
    created = session.execute(
        select(Request.created_at).where(Request.created_at >= local_day_start(first_week, tz))
    ).scalars()
    per_week: Counter[date] = Counter()
    for moment in created:
        day = moment.replace(tzinfo=timezone.utc).astimezone(tz).date()
        per_week[day - timedelta(days=day.weekday())] += 1
    weekly = [
        ((first_week + timedelta(weeks=i)).isoformat(), per_week[first_week + timedelta(weeks=i)])
        for i in range(weeks)
    ]

    domain_rows = session.execute(
        select(Request.domain_name, func.count(Request.id)).group_by(Request.domain_name)
    ).all()
    by_domain = sorted(
        ((name or "未分类", n) for name, n in domain_rows), key=lambda item: (-item[1], item[0])
    )

    status_rows = dict(
        session.execute(select(Request.status, func.count(Request.id)).group_by(Request.status)).all()
    )
    by_status = {status: status_rows.get(status, 0) for status in STATUSES}
    total = sum(status_rows.values())
    ever_matched = session.execute(
        select(func.count(func.distinct(Request.id))).where(
            or_(
                Request.status.in_(("matched", "agreed")),
                Request.id.in_(select(StatusChange.request_id).where(StatusChange.to_status == "matched")),
            )
        )
    ).scalar_one()
    ever_reviewed = session.execute(
        select(func.count(func.distinct(Request.id))).where(
            or_(
                Request.status.in_(("reviewing", "matched", "agreed")),
                Request.id.in_(select(StatusChange.request_id).where(StatusChange.to_status == "reviewing")),
            )
        )
    ).scalar_one()
    reached = candidate_stages_reached(session)
    funnel = [
        ("已提交", total),
        ("已审核", ever_reviewed),
        ("已匹配", ever_matched),
        ("有意向", reached["有意向"]),
        ("已签约", max(by_status["agreed"], reached["已签约"])),
    ]

    first_actions = session.execute(
        select(Request.created_at, func.min(AuditEntry.created_at))
        .join(AuditEntry, AuditEntry.request_id == Request.id)
        .group_by(Request.id, Request.created_at)
    ).all()
    hours = [max(0.0, (first - filed).total_seconds() / 3600) for filed, first in first_actions]
    return Dashboard(
        total=total,
        weekly=weekly,
        by_domain=by_domain,
        funnel=funnel,
        by_status=by_status,
        median_first_action_hours=statistics.median(hours) if hours else None,
        acted_on=len(hours),
        awaiting_first_action=total - len(hours),
    )
