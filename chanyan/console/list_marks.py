"""Marks on the rows of the requests list: a possible duplicate (same phone, most of the title) and an overdue
first contact."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from difflib import SequenceMatcher

from sqlalchemy import select
from sqlalchemy.orm import Session

from chanyan import clock
from chanyan.followup.vocabulary import TASK_FIRST_CONTACT
from chanyan.store.models import FollowupTask, Request

# Two titles are "most of the same" from this similarity (difflib's ratio of matching characters) on.
DUPLICATE_TITLE_RATIO = 0.6


@dataclass
class RowMarks:
    duplicates: list[str] = field(default_factory=list)  # refs of other requests that look like the same need
    contact_overdue: bool = False


def title_overlap(a: str, b: str) -> float:
    """How much two titles share, 0..1 (whitespace and case ignored)."""
    a, b = "".join(a.split()).lower(), "".join(b.split()).lower()
    return SequenceMatcher(None, a, b).ratio() if a and b else 0.0


def row_marks(session: Session, items: Sequence[Request], now: datetime | None = None) -> dict[str, RowMarks]:
    """Marks of the requests on one page of the list, by ref."""
    now = now or clock.utcnow()
    marks = {r.ref: RowMarks() for r in items}
    phones = {r.contact_phone for r in items if r.contact_phone}
    if phones:
        same_phone = session.execute(
            select(Request.ref, Request.contact_phone, Request.need_title).where(
                Request.contact_phone.in_(phones)
            )
        ).all()
        for request in items:
            for ref, phone, title in same_phone:
                same = ref != request.ref and phone == request.contact_phone
                if same and title_overlap(title or "", request.need_title or "") >= DUPLICATE_TITLE_RATIO:
                    marks[request.ref].duplicates.append(ref)
    ids = {r.id: r.ref for r in items}
    if ids:
        late = session.execute(
            select(FollowupTask.request_id).where(
                FollowupTask.request_id.in_(ids),
                FollowupTask.kind == TASK_FIRST_CONTACT,
                FollowupTask.done_at.is_(None),
                FollowupTask.due_at < now,
            )
        ).scalars()
        for request_id in late:
            marks[ids[request_id]].contact_overdue = True
    return marks
