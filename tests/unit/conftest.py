"""A fresh, migrated database per test: SQLite, and PostgreSQL when the test server is reachable."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chanyan.store.migrate import upgrade
from chanyan.store.session import make_engine, make_sessionmaker
from tests.postgres import BACKENDS, empty_database


@pytest.fixture(params=BACKENDS)
def empty_database_url(request, tmp_path) -> Iterator[str]:
    """An empty database on each backend; PostgreSQL gets its own database, dropped afterwards (skipped,
    with the reason, when the server is unreachable)."""
    yield from empty_database(request.param, tmp_path / "requests.db", "chanyan_unit")


@pytest.fixture
def database_url(empty_database_url) -> str:
    """A fresh, migrated database; every test that uses it runs on SQLite and on PostgreSQL."""
    upgrade(empty_database_url)
    return empty_database_url


@pytest.fixture
def session_factory(database_url):
    engine = make_engine(database_url)
    yield make_sessionmaker(engine)
    engine.dispose()


def sample_fields(conversation_id: str = "conv-1", draft_id: str = "draft-1", **overrides) -> dict:
    """Column values of a typical request, as the filing action builds them."""
    fields = {
        "conversation_id": conversation_id,
        "channel": "rest",
        "draft_id": draft_id,
        "enterprise_name": "苏州精工机械有限公司",
        "contact_name": "王经理",
        "contact_phone": "13912345678",
        "contact_email": None,
        "need_title": "零件表面缺陷视觉检测",
        "need_description": "零件表面划痕靠人工检测，漏检率高",
        "tech_targets": None,
        "domain_code": "80",
        "domain_name": "先进制造与自动化",
        "sub_code": "803",
        "sub_name": "高性能、智能化仪器仪表",
        "keywords": ["机器视觉"],
        "budget": {"min_cny": 500000, "max_cny": 800000, "kind": "range", "text": "50-80万"},
        "timeline": {"deadline": "2027-06-30", "months": None, "text": "明年6月前"},
        "coop_mode": ["技术开发(委托开发)"],
        "ip_preference": None,
        "partner": {"types": ["高校"], "names": [], "regions": ["江苏"]},
        "extraction": {"text": "…"},
    }
    fields.update(overrides)
    return fields
