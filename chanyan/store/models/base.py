"""The declarative base of the requests database, with deterministic constraint names."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, MetaData, String, Text
from sqlalchemy.orm import declarative_base

from chanyan.clock import utcnow

# Deterministic constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Base = declarative_base(metadata=MetaData(naming_convention=NAMING_CONVENTION))


class ChangeLogColumns:
    """The columns every change log shares (a request's, a registry entry's): who, the old and the new value,
    when. Each log adds its subject, `action` and `field`."""

    actor = Column(String(100), nullable=False)
    old_value = Column(Text)
    new_value = Column(Text)
    created_at = Column(DateTime, nullable=False, default=utcnow)


__all__ = ["Base", "ChangeLogColumns", "NAMING_CONVENTION", "utcnow"]
