"""Chinese search: query words and the search text kept on every request."""

from __future__ import annotations

import pytest
from console_support import request_fields
from sqlalchemy import select

from chanyan.console.search import query_tokens
from chanyan.store.migrate import upgrade
from chanyan.store.models import Request
from chanyan.store.requests import file_request
from chanyan.store.session import make_engine, make_sessionmaker
from tests.postgres import BACKENDS, empty_database


@pytest.fixture(params=BACKENDS)
def empty_url(request, tmp_path):
    """An empty database: a SQLite file, and a fresh PostgreSQL database (skipped when unreachable)."""
    yield from empty_database(request.param, tmp_path / "c.db", "chanyan_search")


def test_query_tokens():
    assert query_tokens("视觉检测") == ["视觉", "检测"]
    assert query_tokens("  PLC  控制 ") == ["plc", "控制"]
    assert query_tokens("ＰＬＣ的改造") == ["plc", "改造"]  # full-width, stop word
    assert query_tokens("，。!") == []
    assert len(query_tokens(" ".join(f"词{i}" for i in range(20)))) == 8


def test_search_text_is_filled_on_insert_and_update(empty_url):
    url = empty_url
    upgrade(url)
    maker = make_sessionmaker(make_engine(url))
    request, _ = file_request(maker, request_fields(need_title="ＰＬＣ改造", keywords=["MES"]))
    with maker() as session, session.begin():
        row = session.execute(select(Request).where(Request.ref == request.ref)).scalar_one()
        assert "plc改造" in row.search_text and "mes" in row.search_text
        assert "机器视觉检测零件表面划痕" in row.search_text
        row.enterprise_name = "新名字科技"
    with maker() as session:
        row = session.execute(select(Request).where(Request.ref == request.ref)).scalar_one()
        assert "新名字科技" in row.search_text


def test_migration_0002_backfills_the_search_text(empty_url):
    from sqlalchemy import text

    url = empty_url
    upgrade(url, "0001")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO requests (ref, status, channel, conversation_id, draft_id, created_at, updated_at, "
                "enterprise_name, contact_name, contact_phone, need_title, need_description, keywords, coop_mode, "
                "handoff) VALUES ('XQ-20260101-0001', 'new', 'rest', 'c0', 'd0', '2026-01-01', '2026-01-01', "
                "'老企业', '张', '13800000000', '旧需求', '机器视觉检测零件表面划痕', '[\"PLC\"]', '[]', false)"
            )
        )
    upgrade(url)
    with engine.connect() as connection:
        search_text = connection.execute(text("SELECT search_text FROM requests")).scalar_one()
    assert "视觉检测" in search_text and "plc" in search_text and "老企业" in search_text
    engine.dispose()
