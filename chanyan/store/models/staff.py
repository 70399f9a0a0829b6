"""Console accounts: staff users, their browser sessions and API tokens."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, DateTime, ForeignKey, Integer, String
from sqlalchemy.orm import relationship

from chanyan.store.models.base import Base, utcnow

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
    # NULL only on tokens made before tokens expired (migration 0003 gives those a lifetime from today).
    expires_at = Column(DateTime)

    user = relationship("StaffUser")
