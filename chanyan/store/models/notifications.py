"""The notification outbox: every announcement to staff is a row until it is delivered or given up."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, String, Text

from chanyan.store.models.base import Base, utcnow

NOTIFICATION_STATUSES: tuple[str, ...] = ("pending", "sent", "failed")


class Notification(Base):
    """One notice to one target (webhook | email). Workers in any process claim due rows with a lease, so each
    is delivered once across replicas and survives restarts."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_status_due", "status", "next_attempt_at"),)

    id = Column(Integer, primary_key=True)
    target = Column(String(16), nullable=False)
    subject = Column(String(200), nullable=False)
    text = Column(Text, nullable=False)
    # An e-mail to someone outside the platform (an invitation to a candidate partner); empty: staff.
    recipient = Column(String(254))
    # Filing twice (a retried 确认) must not announce twice: one row per (key, target).
    dedupe_key = Column(String(200), unique=True)
    status = Column(String(16), nullable=False, default="pending")
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime, nullable=False, default=utcnow)
    claimed_by = Column(String(64))
    claimed_until = Column(DateTime)
    last_error = Column(Text)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    sent_at = Column(DateTime)
