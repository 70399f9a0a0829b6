"""SQLAlchemy models of the requests database.

Rasa's SQL tracker store keeps its own `events` table in the same database by default; it is not ours and
migrations leave it alone.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base, relationship

# Deterministic constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Base = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))


def utcnow() -> datetime:
    """Naive UTC now: every timestamp in the database is naive UTC."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


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

    notes = relationship("RequestNote", back_populates="request", order_by="RequestNote.id")
    status_history = relationship("StatusChange", back_populates="request", order_by="StatusChange.id")


class RequestNote(Base):
    """A staff note on a request."""

    __tablename__ = "request_notes"

    id = Column(Integer, primary_key=True)
    request_id = Column(Integer, ForeignKey("requests.id", ondelete="CASCADE"), nullable=False, index=True)
    author = Column(String(100), nullable=False)
    text = Column(Text, nullable=False)
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


class ChannelIncident(Base):
    """A delivery problem on a channel (e.g. a WeChat API error) that staff should see."""

    __tablename__ = "channel_incidents"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    channel = Column(String(32), nullable=False)
    kind = Column(String(64), nullable=False)
    detail = Column(Text)
    created_at = Column(DateTime, nullable=False, default=utcnow)


# ---------------------------------------------------------------------------------------------------------------
# Staff console (issue 6): accounts, sessions, API tokens, the audit trail and the search text of a request.
# Owned by chanyan/console; migration 0002_console.
# ---------------------------------------------------------------------------------------------------------------

from sqlalchemy import event  # noqa: E402

STAFF_ROLES: tuple[str, ...] = ("staff", "admin")


class StaffUser(Base):
    """A console account (对接专员 or administrator); the password is an argon2 hash."""

    __tablename__ = "staff_users"

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, unique=True)
    display_name = Column(String(100), nullable=False, default="")
    password_hash = Column(String(255), nullable=False)
    role = Column(String(16), nullable=False, default="staff")
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    last_login_at = Column(DateTime)


class StaffSession(Base):
    """A signed-in browser. The cookie carries a random token; only its SHA-256 is stored."""

    __tablename__ = "staff_sessions"

    id = Column(Integer, primary_key=True)
    token_hash = Column(String(64), nullable=False, unique=True)
    user_id = Column(Integer, ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False, index=True)
    csrf_token = Column(String(64), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    expires_at = Column(DateTime, nullable=False)

    user = relationship("StaffUser")


class ApiToken(Base):
    """A bearer token for the JSON API, owned by a staff user; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id = Column(Integer, primary_key=True)
    user_id = Column(Integer, ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=False, index=True)
    name = Column(String(100), nullable=False)
    token_hash = Column(String(64), nullable=False, unique=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    last_used_at = Column(DateTime)
    revoked_at = Column(DateTime)

    user = relationship("StaffUser")


class AuditEntry(Base):
    """Who changed what on a request: field edits, status, assignment, notes."""

    __tablename__ = "audit_log"

    id = Column(Integer, primary_key=True)
    request_id = Column(Integer, ForeignKey("requests.id", ondelete="CASCADE"), index=True)
    actor = Column(String(100), nullable=False)
    action = Column(String(32), nullable=False)
    field = Column(String(64))
    old_value = Column(Text)
    new_value = Column(Text)
    created_at = Column(DateTime, nullable=False, default=utcnow)


# Normalized text (NFKC, lower case) of the searchable fields, kept current by the listener below so that every
# writer (the filing action, the console, the CLI) fills it; the console matches each query token with LIKE.
Request.search_text = Column(Text)

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
    import unicodedata

    parts = [str(getattr(request, name) or "") for name in SEARCH_FIELDS]
    parts.extend(str(k) for k in (request.keywords or []))
    return unicodedata.normalize("NFKC", "\n".join(p for p in parts if p)).lower()


def _fill_search_text(_mapper, _connection, target: Request) -> None:
    target.search_text = request_search_text(target)


event.listen(Request, "before_insert", _fill_search_text)
event.listen(Request, "before_update", _fill_search_text)
