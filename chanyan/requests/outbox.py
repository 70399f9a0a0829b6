"""The notification outbox: queue notices in the database, claim due ones with a lease, record each outcome.

Query functions take a session; callers own the transaction. A row is claimed by one worker at a time (the lease
expires if that worker dies), so a notice is delivered once however many processes run a worker.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from chanyan.clock import utcnow
from chanyan.store.models import Notification

LEASE_SECONDS = 120
MAX_ERROR_CHARS = 500


@dataclass(frozen=True)
class Claimed:
    """A notice a worker holds: send it, then report the outcome."""

    id: int
    target: str
    subject: str
    text: str
    attempts: int
    recipient: str | None = None


def enqueue(
    session: Session,
    subject: str,
    text: str,
    targets: Iterable[str],
    *,
    dedupe_key: str | None = None,
    recipient: str | None = None,
) -> list[Notification]:
    """One pending row per target; a row whose (dedupe_key, target) exists already is not added twice.
    `recipient`: the one address an e-mail goes to instead of staff's."""
    rows = []
    for target in targets:
        key = f"{dedupe_key}|{target}" if dedupe_key else None
        if key and session.execute(select(Notification.id).where(Notification.dedupe_key == key)).first():
            continue
        row = Notification(
            target=target, subject=subject[:200], text=text, dedupe_key=key, recipient=recipient
        )
        try:
            with session.begin_nested():
                session.add(row)
        except IntegrityError:  # another process queued the same notice at the same moment
            continue
        rows.append(row)
    return rows


def claim_due(
    session: Session, worker: str, *, limit: int = 20, now: datetime | None = None
) -> list[Claimed]:
    """Claim up to `limit` pending notices that are due and not leased by a live worker."""
    now = now or utcnow()
    free = or_(Notification.claimed_until.is_(None), Notification.claimed_until < now)
    candidates = session.execute(
        select(Notification.id)
        .where(Notification.status == "pending", Notification.next_attempt_at <= now, free)
        .order_by(Notification.next_attempt_at, Notification.id)
        .limit(limit)
    ).scalars()
    claimed = []
    for row_id in list(candidates):
        # Compare-and-set: of two workers racing for a row, exactly one updates it.
        result = session.execute(
            update(Notification)
            .where(and_(Notification.id == row_id, Notification.status == "pending", free))
            .values(claimed_by=worker, claimed_until=now + timedelta(seconds=LEASE_SECONDS))
        )
        if result.rowcount == 1:
            row = session.get(Notification, row_id)
            claimed.append(Claimed(row.id, row.target, row.subject, row.text, row.attempts, row.recipient))
    return claimed


def mark_sent(session: Session, row_id: int, *, now: datetime | None = None) -> None:
    session.execute(
        update(Notification)
        .where(Notification.id == row_id)
        .values(status="sent", sent_at=now or utcnow(), attempts=Notification.attempts + 1,
                claimed_by=None, claimed_until=None, last_error=None)
    )  # fmt: skip


def mark_failed(
    session: Session,
    row_id: int,
    error: str,
    *,
    max_attempts: int,
    base_delay: float,
    now: datetime | None = None,
) -> str:
    """Record a failed attempt: retry later with exponential back-off, or give up after `max_attempts`."""
    now = now or utcnow()
    row = session.get(Notification, row_id)
    row.attempts += 1
    row.last_error = error[:MAX_ERROR_CHARS]
    row.claimed_by = row.claimed_until = None
    if row.attempts >= max_attempts:
        row.status = "failed"
    else:
        row.next_attempt_at = now + timedelta(seconds=base_delay * 2 ** (row.attempts - 1))
    return row.status


def pending_count(session: Session) -> int:
    return len(session.execute(select(Notification.id).where(Notification.status == "pending")).all())


def recent(session: Session, *, status: str | None = None, limit: int = 200) -> list[Notification]:
    """The newest notices first, optionally of one status (for the console's outbox page)."""
    query = select(Notification).order_by(Notification.id.desc()).limit(limit)
    if status:
        query = query.where(Notification.status == status)
    return list(session.execute(query).scalars())


def retry(session: Session, row_id: int) -> bool:
    """Put a given-up notice back in the queue (staff fixed the webhook or the mail server)."""
    row = session.get(Notification, row_id)
    if row is None or row.status != "failed":
        return False
    row.status, row.attempts, row.next_attempt_at, row.last_error = "pending", 0, utcnow(), None
    return True
