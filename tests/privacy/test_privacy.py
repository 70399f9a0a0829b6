"""Erasing personal data: by the user (one conversation), by an admin, and after the retention period,
on SQLite and PostgreSQL, with Rasa's tracker events in the same database."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select, text

from chanyan.cli import main
from chanyan.requests.privacy import ERASE_ACTION, ERASED_MARK, erase_conversation, purge_expired
from chanyan.store.migrate import upgrade
from chanyan.store.models import AuditEntry, Request, RequestNote, StatusChange
from chanyan.store.requests import file_request
from chanyan.store.session import make_engine, make_sessionmaker
from chanyan.store.tracker import EVENTS, conversation_events
from tests.console.console_support import add_events, request_fields
from tests.postgres import BACKENDS, empty_database

PHONE, EMAIL, NAME = "13812345678", "zhang@example.com", "张工"


@pytest.fixture(params=BACKENDS)
def database(request, tmp_path) -> Iterator[str]:
    yield from empty_database(request.param, tmp_path / "privacy.db", prefix="chanyan_privacy")


@pytest.fixture
def stores(database: str):
    upgrade(database)
    engine = make_engine(database)
    yield make_sessionmaker(engine), engine
    engine.dispose()


def file(sessions, conversation_id: str, **overrides) -> str:
    request, _ = file_request(sessions, request_fields(conversation_id=conversation_id, **overrides))
    return request.ref


def add_slot_events(engine, conversation_id: str) -> None:
    with engine.begin() as connection:
        for name, value in (
            ("contact_name", NAME),
            ("contact_phone", PHONE),
            ("enterprise_name", "苏州精工"),
        ):
            event = {"event": "slot", "timestamp": 1.0, "name": name, "value": value}
            connection.execute(
                text(
                    "INSERT INTO events (sender_id, type_name, timestamp, data) VALUES (:s, 'slot', 1.0, :d)"
                ),
                {"s": conversation_id, "d": json.dumps(event)},
            )


def stored_text(engine, conversation_id: str) -> str:
    with engine.connect() as connection:
        rows = connection.execute(select(EVENTS.c.data).where(EVENTS.c.sender_id == conversation_id)).all()
    return "\n".join(json.loads(raw) and raw for (raw,) in rows)


def audit(sessions) -> list[AuditEntry]:
    with sessions() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == ERASE_ACTION)))


def test_a_users_erasure_clears_their_requests_and_masks_their_transcript(stores) -> None:
    sessions, engine = stores
    mine = file(sessions, "conv-me", need_description=f"零件划痕检测，有事打{PHONE}找{NAME}")
    second = file(sessions, "conv-me")
    other = file(sessions, "conv-other")
    with sessions() as session, session.begin():
        request = session.scalars(select(Request).where(Request.ref == mine)).one()
        session.add(RequestNote(request_id=request.id, author="alice", text=f"已电话 {PHONE} 联系{NAME}"))
    turns = [
        ("bot", "请留一个手机号码"),
        ("user", f"{PHONE}，邮箱 {EMAIL}"),
        ("bot", f"联系人：{NAME}，手机：{PHONE}"),
    ]
    add_events(engine, "conv-me", turns, channel="socketio")
    add_slot_events(engine, "conv-me")
    add_events(engine, "conv-other", [("user", f"我的手机 {PHONE}")])
    before = conversation_events(engine, "conv-me")

    result = erase_conversation(sessions, engine, "conv-me", actor="user:socketio")

    assert sorted(result.refs) == sorted([mine, second])
    with sessions() as session:
        rows = {r.ref: r for r in session.scalars(select(Request))}
        notes = list(session.scalars(select(RequestNote.text)))
    for ref in (mine, second):
        row = rows[ref]
        assert (row.contact_name, row.contact_phone, row.contact_email) == (ERASED_MARK, "", None)
        assert row.enterprise_name == "苏州精工零部件有限公司"  # the company is not personal data
        assert PHONE not in (row.search_text or "") and EMAIL not in (row.search_text or "")
    assert rows[mine].need_description == "零件划痕检测，有事打138****5678找张*"
    assert notes == ["已电话 138****5678 联系张*"]
    assert rows[other].contact_phone == PHONE  # someone else's request is untouched

    after = conversation_events(engine, "conv-me")
    assert len(after) == len(before)  # rewritten in place: Rasa keeps appending after them
    stored = stored_text(engine, "conv-me")
    assert PHONE not in stored and EMAIL not in stored and NAME not in stored
    assert "138****5678" in stored
    slots = {e["name"]: e["value"] for e in after if e["event"] == "slot"}
    assert slots == {"contact_name": None, "contact_phone": None, "enterprise_name": "苏州精工"}
    assert PHONE in stored_text(engine, "conv-other")

    entries = audit(sessions)
    assert len(entries) == 2 and {e.actor for e in entries} == {"user:socketio"}
    assert all(e.old_value is None and PHONE not in (e.new_value or "") for e in entries)

    again = erase_conversation(sessions, engine, "conv-me", actor="user:socketio")
    assert again.refs == [] and len(audit(sessions)) == 2  # nothing left to erase


def test_a_conversation_without_requests_is_masked_and_audited(stores) -> None:
    sessions, engine = stores
    add_events(engine, "conv-draft", [("user", f"电话 {PHONE}")])
    result = erase_conversation(sessions, engine, "conv-draft", actor="admin", reason="管理员删除个人信息")
    assert result.refs == [] and result.events_rewritten == 1
    assert PHONE not in stored_text(engine, "conv-draft")
    [entry] = audit(sessions)
    assert entry.request_id is None and entry.actor == "admin" and "conv-draft" in entry.new_value


def close(sessions, ref: str, at: datetime) -> None:
    with sessions() as session, session.begin():
        request = session.scalars(select(Request).where(Request.ref == ref)).one()
        request.status = "closed"
        session.add(
            StatusChange(
                request_id=request.id,
                from_status="new",
                to_status="closed",
                actor="alice",
                reason="企业已自行解决",
                created_at=at,
            )
        )


def test_the_retention_job_erases_closed_requests_once_their_time_is_up(stores) -> None:
    sessions, engine = stores
    closed_at = datetime(2027, 1, 10, 8, 0)
    done = file(sessions, "conv-done")
    still_open = file(sessions, "conv-open")
    add_events(engine, "conv-done", [("user", f"手机 {PHONE}")])
    close(sessions, done, closed_at)
    with sessions() as session, session.begin():  # an old request, never closed: kept
        old = session.scalars(select(Request).where(Request.ref == still_open)).one()
        old.created_at = old.updated_at = closed_at - timedelta(days=900)

    assert purge_expired(sessions, engine, retention_days=180, now=closed_at + timedelta(days=179)) == []
    assert PHONE in stored_text(engine, "conv-done")
    assert purge_expired(sessions, engine, retention_days=180, now=closed_at + timedelta(days=181)) == [done]
    with sessions() as session:
        rows = {r.ref: r for r in session.scalars(select(Request))}
    assert rows[done].contact_phone == "" and rows[done].contact_email is None
    assert rows[still_open].contact_phone == PHONE
    assert PHONE not in stored_text(engine, "conv-done")
    [entry] = audit(sessions)
    assert entry.actor == "retention" and "180" in entry.new_value
    assert purge_expired(sessions, engine, retention_days=180, now=closed_at + timedelta(days=400)) == []


def test_the_purge_command_takes_the_clock_from_now(stores, database: str, monkeypatch) -> None:
    sessions, _ = stores
    monkeypatch.setenv("DATABASE_URL", database)
    monkeypatch.setenv("TRACKER_DB_URL", database)
    monkeypatch.setenv("CHANYAN_RETENTION_DAYS", "30")
    ref = file(sessions, "conv-cli")
    close(sessions, ref, datetime(2027, 3, 1, 4, 0))
    out = io.StringIO()
    assert main(["privacy", "purge", "--now", "2027-03-20T12:00:00+08:00"], out=out) == 0
    assert "erased the contact data of 0 closed requests" in out.getvalue()
    out = io.StringIO()
    assert main(["privacy", "purge", "--now", "2027-04-01T12:00:00+08:00"], out=out) == 0
    assert f"erased the contact data of 1 closed requests: {ref}" in out.getvalue()


def test_the_retention_period_must_be_a_positive_number(monkeypatch) -> None:
    from chanyan.settings import Settings

    monkeypatch.setenv("CHANYAN_RETENTION_DAYS", "半年")
    with pytest.raises(ValueError, match="CHANYAN_RETENTION_DAYS"):
        Settings.from_env()
    monkeypatch.setenv("CHANYAN_RETENTION_DAYS", "90")
    assert Settings.from_env().retention_days == 90
