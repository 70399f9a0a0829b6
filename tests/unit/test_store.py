"""Filing requests: reference numbers, idempotency, handoff flags, migrations."""

from __future__ import annotations

import re
import threading

from sqlalchemy import inspect

from chanyan.store.migrate import current_revision, upgrade
from chanyan.store.requests import (
    file_request,
    get_request,
    list_requests,
    record_handoff,
    ref_day,
)
from chanyan.store.session import make_engine
from tests.unit.conftest import sample_fields


def test_filing_assigns_a_daily_reference_number_and_records_the_filing(session_factory):
    first, created = file_request(session_factory, sample_fields())
    second, _ = file_request(session_factory, sample_fields(draft_id="draft-2"))
    assert created
    assert re.fullmatch(rf"XQ-{ref_day()}-0001", first.ref)
    assert second.ref.endswith("-0002")
    with session_factory() as session:
        stored = get_request(session, first.ref.lower())
        assert stored.status == "new"
        assert [(h.from_status, h.to_status) for h in stored.status_history] == [(None, "new")]
        assert stored.budget["max_cny"] == 800000


def test_a_repeated_filing_of_the_same_draft_returns_the_first_request(session_factory):
    first, created = file_request(session_factory, sample_fields())
    again, created_again = file_request(session_factory, sample_fields(need_title="changed"))
    assert created and not created_again
    assert again.ref == first.ref
    with session_factory() as session:
        assert len(list_requests(session)) == 1


def test_concurrent_filings_get_distinct_reference_numbers(session_factory):
    refs: list[str] = []

    def file(n: int) -> None:
        request, _ = file_request(session_factory, sample_fields(draft_id=f"d{n}"))
        refs.append(request.ref)

    threads = [threading.Thread(target=file, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(refs)) == 6


def test_a_handoff_before_filing_flags_the_request(session_factory):
    with session_factory() as session, session.begin():
        record_handoff(session, "conv-1", "rest", "转人工")
    request, _ = file_request(session_factory, sample_fields())
    assert request.handoff is True
    other, _ = file_request(session_factory, sample_fields(conversation_id="conv-2"))
    assert other.handoff is False


def test_a_handoff_after_filing_flags_the_existing_request(session_factory):
    request, _ = file_request(session_factory, sample_fields())
    with session_factory() as session, session.begin():
        record_handoff(session, "conv-1", "wechat", "找客服")
    with session_factory() as session:
        assert get_request(session, request.ref).handoff is True


def test_migrations_are_idempotent_and_leave_rasa_tables_alone(empty_database_url):
    url = empty_database_url
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE events (id INTEGER PRIMARY KEY, sender_id TEXT)")
    upgrade(url)
    upgrade(url)
    assert current_revision(url) is not None
    tables = set(inspect(engine).get_table_names())
    assert {
        "requests",
        "status_changes",
        "request_notes",
        "handoffs",
        "channel_incidents",
        "events",
    } <= tables
    engine.dispose()


def test_a_filed_request_can_be_read_as_a_record_after_its_session_closed(session_factory):
    from chanyan.requests.records import request_record

    request, _ = file_request(session_factory, sample_fields())
    record = request_record(request)  # what the staff notification does, outside any session
    assert record["notes"] == [] and record["status_history"][0]["to"] == "new"
    again, _ = file_request(session_factory, sample_fields())
    assert request_record(again)["ref"] == record["ref"]


def test_the_sqlite_file_is_readable_by_its_owner_only(tmp_path):
    import stat

    from chanyan.store.migrate import upgrade as upgrade_schema

    path = tmp_path / "var" / "chanyan.db"
    upgrade_schema(f"sqlite:///{path}")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    path.chmod(0o644)  # a file left by an older version is tightened on the next start
    make_engine(f"sqlite:///{path}")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_wal_file_removed_by_another_process_while_opening_does_not_stop_the_start(tmp_path, monkeypatch):
    from pathlib import Path

    path = tmp_path / "chanyan.db"
    make_engine(f"sqlite:///{path}")
    real_stat, real_exists = Path.stat, Path.exists

    def vanishing(self, *args, **kwargs):
        if self.name.endswith(("-wal", "-shm")):  # the last connection elsewhere closed and removed it
            raise FileNotFoundError(self)
        return real_stat(self, *args, **kwargs)

    monkeypatch.setattr(Path, "stat", vanishing)
    # ... just after it was seen there.
    monkeypatch.setattr(
        Path, "exists", lambda self, *a, **k: self.name.endswith(("-wal", "-shm")) or real_exists(self)
    )
    engine = make_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        assert connection.exec_driver_sql("select 1").scalar() == 1
