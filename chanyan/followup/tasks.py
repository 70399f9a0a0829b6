"""Follow-up tasks: the first contact after filing, check-ins after an agreement, and tasks staff add by hand.

A task without an owner falls to whoever the request is assigned to (`owner_of`), so assigning a request also
hands over its automatic tasks. Overdue tasks are announced once to their owner through the notifier.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from chanyan import clock
from chanyan.followup.calendar import (
    WorkCalendar,
    checkin_days,
    checkin_due_dates,
    end_of_day,
    first_contact_due,
    load_calendar,
)
from chanyan.followup.errors import FollowupError
from chanyan.followup.vocabulary import (
    FIRST_CONTACT_TITLE,
    MAX_NAME_CHARS,
    MAX_NOTE_CHARS,
    SYSTEM_ACTOR,
    TASK_CHECKIN,
    TASK_FIRST_CONTACT,
    TASK_KIND_LABELS,
    TASK_MANUAL,
)
from chanyan.store.models import Agreement, FollowupTask, Request


def owner_of(task: FollowupTask) -> str | None:
    """Who must do the task: its owner, else the request's assignee (None: nobody yet)."""
    return task.owner or (task.request.assignee if task.request is not None else None) or None


def is_overdue(task: FollowupTask, now: datetime | None = None) -> bool:
    """Open and past its due time."""
    return task.done_at is None and task.due_at < (now or clock.utcnow())


def plan_first_contact(
    session: Session, request: Request, calendar: WorkCalendar | None = None
) -> FollowupTask:
    """The task to call the enterprise back, due one working day after the request was filed."""
    calendar = calendar or load_calendar()
    task = FollowupTask(
        request_id=request.id,
        kind=TASK_FIRST_CONTACT,
        title=FIRST_CONTACT_TITLE,
        due_at=first_contact_due(request.created_at or clock.utcnow(), calendar),
        created_by=SYSTEM_ACTOR,
    )
    session.add(task)
    return task


def plan_checkins(
    session: Session,
    agreement: Agreement,
    calendar: WorkCalendar | None = None,
    days: tuple[int, ...] | None = None,
) -> list[FollowupTask]:
    """Check-in tasks after an agreement (30/90/180 days by default), each due at the end of a working day."""
    calendar = calendar or load_calendar()
    days = checkin_days() if days is None else days
    tasks = [
        FollowupTask(
            request_id=agreement.request_id,
            agreement_id=agreement.id,
            kind=TASK_CHECKIN,
            title=f"签约{n}天回访",
            due_at=end_of_day(due),
            created_by=SYSTEM_ACTOR,
        )
        for n, due in checkin_due_dates(agreement.signed_on, calendar, days)
    ]
    session.add_all(tasks)
    return tasks


def add_task(
    session: Session,
    request: Request,
    *,
    title: str,
    due_on: date,
    actor: str,
    owner: str | None = None,
    note: str | None = None,
) -> FollowupTask:
    """A task staff add by hand, due at the end of `due_on` (local date)."""
    title = (title or "").strip()
    if not title:
        raise FollowupError("请填写任务内容。")
    if len(title) > MAX_NAME_CHARS:
        raise FollowupError(f"任务内容请不超过{MAX_NAME_CHARS}字。")
    if note and len(note) > MAX_NOTE_CHARS:
        raise FollowupError(f"备注请不超过{MAX_NOTE_CHARS}字。")
    task = FollowupTask(
        request_id=request.id,
        kind=TASK_MANUAL,
        title=title,
        owner=(owner or "").strip() or None,
        due_at=end_of_day(due_on),
        note=(note or "").strip() or None,
        created_by=actor,
    )
    session.add(task)
    return task


def complete_task(session: Session, task_id: int, actor: str, note: str | None = None) -> FollowupTask:
    """Mark a task done, with an optional note of what was done."""
    task = session.get(FollowupTask, task_id)
    if task is None:
        raise FollowupError("没有这项任务。")
    if task.done_at is not None:
        raise FollowupError("这项任务已经完成。")
    note = (note or "").strip()
    if len(note) > MAX_NOTE_CHARS:
        raise FollowupError(f"备注请不超过{MAX_NOTE_CHARS}字。")
    task.done_at = clock.utcnow()
    task.done_by = actor
    task.done_note = note or None
    return task


def tasks_of_request(session: Session, request_id: int) -> list[FollowupTask]:
    """A request's tasks: open ones by due time, then the done ones."""
    query = (
        select(FollowupTask)
        .where(FollowupTask.request_id == request_id)
        .options(selectinload(FollowupTask.request))
        .order_by(FollowupTask.done_at.is_not(None), FollowupTask.due_at, FollowupTask.id)
    )
    return list(session.execute(query).scalars())


def _owned_by(username: str):
    return or_(
        FollowupTask.owner == username,
        and_(FollowupTask.owner.is_(None), Request.assignee == username),
    )


def open_tasks(
    session: Session,
    *,
    owner: str | None = None,
    overdue_at: datetime | None = None,
    limit: int | None = None,
) -> list[FollowupTask]:
    """Open tasks by due time; only `owner`'s (own or by assignment) and only those overdue at `overdue_at`."""
    query = (
        select(FollowupTask)
        .join(Request, Request.id == FollowupTask.request_id)
        .where(FollowupTask.done_at.is_(None))
        .options(selectinload(FollowupTask.request))
        .order_by(FollowupTask.due_at, FollowupTask.id)
    )
    if owner:
        query = query.where(_owned_by(owner))
    if overdue_at is not None:
        query = query.where(FollowupTask.due_at < overdue_at)
    if limit:
        query = query.limit(limit)
    return list(session.execute(query).scalars())


def count_overdue(session: Session, owner: str | None = None, now: datetime | None = None) -> int:
    """How many open tasks are past due (all, or `owner`'s)."""
    query = (
        select(func.count(FollowupTask.id))
        .join(Request, Request.id == FollowupTask.request_id)
        .where(FollowupTask.done_at.is_(None), FollowupTask.due_at < (now or clock.utcnow()))
    )
    if owner:
        query = query.where(_owned_by(owner))
    return session.execute(query).scalar_one()


def task_label(task: FollowupTask) -> str:
    """The kind of a task in Chinese."""
    return TASK_KIND_LABELS.get(task.kind, task.kind)


def announce_overdue(
    session: Session,
    targets: Sequence[str],
    now: datetime | None = None,
    base_url: str = "",
) -> list[FollowupTask]:
    """Announce every overdue task not announced before, one notice per owner; returns the tasks announced.

    The notices go to the notification outbox (chanyan.requests.outbox) for `targets` ("webhook", "email") in
    the caller's transaction, together with the tasks' announced mark: each task is announced once, and a
    notice is never lost nor sent for a task still unmarked. The notifier's workers deliver them.
    """
    from chanyan.requests import outbox

    now = now or clock.utcnow()
    due = [t for t in open_tasks(session, overdue_at=now) if t.notified_at is None]
    by_owner: dict[str, list[FollowupTask]] = {}
    for task in due:
        by_owner.setdefault(owner_of(task) or "", []).append(task)
    for owner, owned in sorted(by_owner.items()):
        notice = overdue_notice(owner, owned, base_url)
        key = "overdue:" + ",".join(str(t.id) for t in owned)
        outbox.enqueue(session, notice.subject, notice.text, targets, dedupe_key=key)
        for task in owned:
            task.notified_at = now
    return due


def overdue_notice(owner: str, tasks: list[FollowupTask], base_url: str = ""):
    """The announcement of an owner's overdue tasks (plain text: it carries user text)."""
    from urllib.parse import quote

    from chanyan.requests.notify import Notice

    lines = []
    for task in tasks:
        due = clock.to_local(task.due_at).strftime("%Y-%m-%d %H:%M")
        ref = task.request.ref
        link = f" {base_url}/requests/{quote(ref)}" if base_url else ""
        lines.append(f"{ref} {task.title}（应于 {due} 前完成）{link}")
    who = owner or "未分配"
    return Notice(subject=f"【产研通】{who}：{len(tasks)}项跟进任务已逾期", text="\n".join(lines))
