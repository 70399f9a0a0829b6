"""A staff member's console preferences: saved filters of the requests list."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, String, UniqueConstraint

from chanyan.store.models.base import Base, utcnow


class SavedFilter(Base):
    """A named query string of the requests list (e.g. 我的待审核: status=reviewing&assignee=zhang)."""

    __tablename__ = "saved_filters"
    __table_args__ = (UniqueConstraint("username", "name", name="uq_saved_filters_username_name"),)

    id = Column(Integer, primary_key=True)
    username = Column(String(64), nullable=False, index=True)
    name = Column(String(50), nullable=False)
    query = Column(String(1000), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)
