"""Saved filters of the requests list: a staff member names the current query and opens it again later."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode

from sqlalchemy import select
from sqlalchemy.orm import Session

from chanyan.console.errors import InvalidInput
from chanyan.console.queries import RequestFilters
from chanyan.store.models import SavedFilter

MAX_NAME_CHARS = 50
MAX_SAVED = 30


def clean_query(raw: str) -> str:
    """Only the list's own filters, normalized (nothing else is kept from a submitted query string)."""
    filters = RequestFilters.from_query(dict(parse_qsl(raw.lstrip("?"))))
    return urlencode(filters.to_query())


def saved_filters(session: Session, username: str) -> list[SavedFilter]:
    query = select(SavedFilter).where(SavedFilter.username == username).order_by(SavedFilter.name)
    return list(session.execute(query).scalars())


def save_filter(session: Session, username: str, name: str, raw_query: str) -> SavedFilter:
    """Save (or replace) a named filter of `username`."""
    name = " ".join(name.split())
    if not name:
        raise InvalidInput("请为筛选起个名字。", {"filter_name": "请填写名称。"})
    if len(name) > MAX_NAME_CHARS:
        raise InvalidInput(f"名称请不超过{MAX_NAME_CHARS}字。", {"filter_name": "名称过长。"})
    query = clean_query(raw_query)
    existing = session.execute(
        select(SavedFilter).where(SavedFilter.username == username, SavedFilter.name == name)
    ).scalar_one_or_none()
    if existing is not None:
        existing.query = query
        return existing
    if len(saved_filters(session, username)) >= MAX_SAVED:
        raise InvalidInput(f"最多保存{MAX_SAVED}个筛选，请先删除不用的。")
    row = SavedFilter(username=username, name=name, query=query)
    session.add(row)
    return row


def delete_filter(session: Session, username: str, filter_id: int) -> bool:
    """Delete one of `username`'s own saved filters (others' are never touched)."""
    row = session.get(SavedFilter, filter_id)
    if row is None or row.username != username:
        return False
    session.delete(row)
    return True
