"""Tables of filed requests (需求单): the request, its notes, status history, change log and handoffs."""

from __future__ import annotations

import unicodedata

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    false,
)
from sqlalchemy.orm import relationship

from chanyan.domain.schema import ENTERPRISE_ACTOR, NOTIFIED_STATUSES
from chanyan.store.models.base import Base, ChangeLogColumns, utcnow


class Request(Base):
    """A filed request (需求单)."""

    __tablename__ = "requests"
    __table_args__ = (
        UniqueConstraint("conversation_id", "draft_id", name="uq_requests_conversation_draft"),
        Index("ix_requests_status_created", "status", "created_at"),
    )

    id = Column(Integer, primary_key=True)
    ref = Column(String(32), nullable=False, unique=True)
    status = Column(String(16), nullable=False, default="new")
    channel = Column(String(32), nullable=False, default="unknown")
    conversation_id = Column(String(255), nullable=False, index=True)
    # One conversation can file several needs; the draft id tells them apart and makes filing idempotent.
    draft_id = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)

    enterprise_name = Column(String(200), nullable=False)
    contact_name = Column(String(100), nullable=False)
    contact_phone = Column(String(20), nullable=False)
    contact_email = Column(String(254))
    need_title = Column(String(200), nullable=False)
    need_description = Column(Text, nullable=False)
    tech_targets = Column(Text)
    domain_code = Column(String(8))
    domain_name = Column(String(64))
    sub_code = Column(String(8))
    sub_name = Column(String(64))
    keywords = Column(JSON, nullable=False, default=list)
    budget = Column(JSON)
    timeline = Column(JSON)
    coop_mode = Column(JSON, nullable=False, default=list)
    ip_preference = Column(String(200))
    partner = Column(JSON)
    extraction = Column(JSON)
    assignee = Column(String(100))
    handoff = Column(Boolean, nullable=False, default=False)
    # Normalized text (NFKC, lower case) of the searchable fields, kept current by the listener below so that
    # every writer (the filing action, the console, the CLI) fills it; the console matches query tokens with LIKE.
    search_text = Column(Text)

    notes = relationship("RequestNote", back_populates="request", order_by="RequestNote.id")
    status_history = relationship("StatusChange", back_populates="request", order_by="StatusChange.id")


class RequestNote(Base):
    """A staff note on a request."""

    __tablename__ = "request_notes"

    id = Column(Integer, primary_key=True)
    request_id = Column(Integer, ForeignKey("requests.id", ondelete="CASCADE"), nullable=False, index=True)
    author = Column(String(100), nullable=False)
    text = Column(Text, nullable=False)
    # A public note is shown to the enterprise (status query in the chat, progress notification).
    public = Column(Boolean, nullable=False, default=False, server_default=false())
    created_at = Column(DateTime, nullable=False, default=utcnow)

    request = relationship("Request", back_populates="notes")


class StatusChange(Base):
    """One step of a request's status history (the first row records the filing)."""

    __tablename__ = "status_changes"

    id = Column(Integer, primary_key=True)
    request_id = Column(Integer, ForeignKey("requests.id", ondelete="CASCADE"), nullable=False, index=True)
    from_status = Column(String(16))
    to_status = Column(String(16), nullable=False)
    reason = Column(Text)
    actor = Column(String(100), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)

    request = relationship("Request", back_populates="status_history")


class AuditEntry(ChangeLogColumns, Base):
    """Who changed what on a request: field edits, status, assignment, notes."""

    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True)
    request_id = Column(Integer, ForeignKey("requests.id", ondelete="CASCADE"), index=True)
    action = Column(String(32), nullable=False)
    field = Column(String(64))


class Handoff(Base):
    """A conversation in which the user asked for a person (转人工)."""

    __tablename__ = "handoffs"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    channel = Column(String(32), nullable=False, default="unknown")
    message = Column(Text)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    resolved_at = Column(DateTime)
    resolved_by = Column(String(100))


class StatusLookup(Base):
    """One check of the filing phone's last four digits before a request's status is told on another identity;
    failed checks are counted per request (across identities) to stop guessing."""

    __tablename__ = "status_lookups"
    __table_args__ = (Index("ix_status_lookups_ref_created", "ref", "created_at"),)

    id = Column(Integer, primary_key=True)
    ref = Column(String(32), nullable=False)
    conversation_id = Column(String(255), nullable=False)
    succeeded = Column(Boolean, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class ProgressNotice(Base):
    """One attempt to tell the enterprise about its request's progress (a status change or a public note): the
    channel it went to, or why it could not, and the outcome; shown on the request page."""

    __tablename__ = "progress_notices"

    id = Column(Integer, primary_key=True)
    request_id = Column(Integer, ForeignKey("requests.id", ondelete="CASCADE"), nullable=False, index=True)
    event = Column(String(16), nullable=False)  # status | note
    text = Column(Text, nullable=False)
    route = Column(String(16), nullable=False)  # socketio | wechat | email | none
    outcome = Column(String(16), nullable=False)  # queued | sent | failed | skipped
    detail = Column(Text)
    # The outbox row (dedupe key) that carries an e-mail; its status is the e-mail's outcome.
    notification_key = Column(String(200))
    claimed_until = Column(DateTime)  # routing lease (outcome "routing")
    created_at = Column(DateTime, nullable=False, default=utcnow)


SEARCH_FIELDS: tuple[str, ...] = (
    "ref",
    "need_title",
    "need_description",
    "tech_targets",
    "enterprise_name",
    "contact_name",
    "contact_phone",
    "contact_email",
    "domain_name",
    "sub_name",
)


def request_search_text(request: Request) -> str:
    """The search text of a request: its searchable fields and keywords, NFKC-normalized and lower-cased."""
    parts = [str(getattr(request, name) or "") for name in SEARCH_FIELDS]
    parts.extend(str(k) for k in (request.keywords or []))
    return unicodedata.normalize("NFKC", "\n".join(p for p in parts if p)).lower()


def _fill_search_text(_mapper, _connection, target: Request) -> None:
    target.search_text = request_search_text(target)


event.listen(Request, "before_insert", _fill_search_text)
event.listen(Request, "before_update", _fill_search_text)


def _queue_progress(connection, request_id: int, event_kind: str, text: str) -> None:
    connection.execute(
        ProgressNotice.__table__.insert().values(
            request_id=request_id, event=event_kind, text=text, route="pending", outcome="pending",
            created_at=utcnow(),
        )
    )  # fmt: skip


def _status_progress(_mapper, connection, target: StatusChange) -> None:
    # The enterprise is told of staff's steps it cares about, whoever writes them (console, API, matching,
    # agreements); chanyan.requests.progress routes the queued notice to its channel or e-mail.
    if target.to_status in NOTIFIED_STATUSES and target.from_status and target.actor != ENTERPRISE_ACTOR:
        _queue_progress(connection, target.request_id, "status", target.to_status)


def _note_progress(_mapper, connection, target: RequestNote) -> None:
    if target.public:
        _queue_progress(connection, target.request_id, "note", target.text)


event.listen(StatusChange, "after_insert", _status_progress)
event.listen(RequestNote, "after_insert", _note_progress)
