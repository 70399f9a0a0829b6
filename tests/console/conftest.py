"""Console fixtures: a migrated database per test module (SQLite and PostgreSQL), staff accounts, requests and
Rasa tracker events."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parent))

from console_support import (  # noqa: E402
    ADMIN,
    DISABLED,
    FAST_ARGON2,
    HOSTILE,
    PASSWORD,
    STAFF,
    add_events,
    request_fields,
)

from chanyan.console import init_app  # noqa: E402
from chanyan.console.settings import ConsoleSettings  # noqa: E402
from chanyan.staff.accounts import create_user, make_hasher  # noqa: E402
from chanyan.store.migrate import upgrade  # noqa: E402
from chanyan.store.requests import file_request, record_handoff  # noqa: E402
from chanyan.store.session import make_engine, make_sessionmaker  # noqa: E402
from connectors.webchat.routes import register_widget_routes  # noqa: E402
from tests.postgres import BACKENDS, empty_database  # noqa: E402


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers", "browser: drives Debian's Chromium with Playwright (needs /usr/bin/chromium)"
    )


@pytest.fixture(scope="module", params=BACKENDS)
def database(request, tmp_path_factory) -> Iterator[dict[str, Any]]:
    """A migrated database with three accounts, seven requests (one hostile, one handed off) and transcripts:
    a SQLite file, and a fresh PostgreSQL database (dropped afterwards; skipped when the server is unreachable)."""
    sqlite_path = tmp_path_factory.mktemp("console") / "chanyan.db"
    for url in empty_database(request.param, sqlite_path, "chanyan_console"):
        yield _populate(url)


def _populate(url: str) -> dict[str, Any]:
    upgrade(url)
    engine = make_engine(url)
    maker = make_sessionmaker(engine)
    hasher = make_hasher(FAST_ARGON2)
    with maker() as session, session.begin():
        create_user(session, hasher, ADMIN, PASSWORD, role="admin", display_name="管理员")
        create_user(session, hasher, STAFF, PASSWORD, display_name="李对接")
        disabled = create_user(session, hasher, DISABLED, PASSWORD)
        disabled.active = False
    refs: dict[str, str] = {}
    main, _ = file_request(maker, request_fields(conversation_id="conv-main"))
    refs["main"] = main.ref
    add_events(
        engine,
        "conv-main",
        [
            ("user", "你好，我们想做零件表面划痕的视觉检测"),
            ("bot", "好的，请简单描述一下主要问题。"),
            ("user", "机器视觉检测零件表面划痕 <b>加急</b>"),
            ("bot", "明白了，预算大概多少？"),
        ],
    )
    hostile, _ = file_request(
        maker,
        request_fields(
            conversation_id="conv-hostile",
            channel="socketio",
            enterprise_name=HOSTILE,
            need_title=f'=HYPERLINK("http://evil") {HOSTILE}',
            need_description=f"描述 {HOSTILE}",
            domain_code="10",
            domain_name="电子信息",
            sub_code="101",
            sub_name="软件",
            keywords=["软件"],
        ),
    )
    refs["hostile"] = hostile.ref
    add_events(engine, "conv-hostile", [("user", HOSTILE), ("bot", "请问贵单位名称？")], channel="socketio")
    handed, _ = file_request(
        maker,
        request_fields(
            conversation_id="conv-handoff",
            channel="wechat",
            enterprise_name="杭州新材料科技",
            need_title="高导热复合材料配方",
            need_description="需要导热系数大于5的复合材料",
            domain_code="40",
            domain_name="新材料",
            sub_code=None,
            sub_name=None,
            keywords=["导热材料"],
        ),
    )
    refs["handoff"] = handed.ref
    add_events(
        engine,
        "conv-handoff",
        [("user", "我要转人工"), ("handoff", ""), ("bot", "已为您转接人工客服。")],
        channel="wechat",
    )
    with maker() as session, session.begin():
        record_handoff(session, "conv-handoff", "wechat", "我要转人工")
    for i in range(4):
        extra, _ = file_request(
            maker,
            request_fields(
                conversation_id=f"conv-extra-{i}",
                enterprise_name=f"测试企业{i}",
                need_title=f"锂电池极片缺陷检测{i}",
                need_description="锂电池极片涂布缺陷在线检测",
            ),
        )
        refs[f"extra{i}"] = extra.ref
    # Spread the filing times so that date filters and the weekly chart have something to separate.
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE requests SET created_at = :at WHERE ref = :ref"),
            {
                "at": datetime.now(timezone.utc).replace(tzinfo=None) - timedelta(days=20),
                "ref": refs["extra3"],
            },
        )
    engine.dispose()
    return {"url": url, "refs": refs}


@pytest.fixture
def settings(database) -> ConsoleSettings:
    return ConsoleSettings(
        database_url=database["url"], secret="test-secret", argon2=FAST_ARGON2, page_size=5
    )


@pytest.fixture
def refs(database) -> dict[str, str]:
    return database["refs"]


@pytest.fixture
async def client(aiohttp_client, settings):
    return await aiohttp_client(init_app(settings, [register_widget_routes]))
