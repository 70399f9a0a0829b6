"""A migrated SQLite database with Rasa's events table, and a fake Rasa that appends to it."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from chanyan.conversations.outbound import OutboundService
from chanyan.store.migrate import upgrade
from chanyan.store.session import make_engine, make_sessionmaker
from tests.console.console_support import EVENTS_DDL
from tests.fakes.conversations import FakeClock, FakeRasa


@pytest.fixture
def engine(tmp_path):
    url = f"sqlite:///{tmp_path / 'chanyan.db'}"
    upgrade(url)
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text(EVENTS_DDL.format(id_column="INTEGER PRIMARY KEY AUTOINCREMENT")))
    yield engine
    engine.dispose()


@pytest.fixture
def rasa(engine) -> FakeRasa:
    return FakeRasa(engine)


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def service(engine, rasa, fake_clock) -> OutboundService:
    return OutboundService(make_sessionmaker(engine), engine, rasa, now=fake_clock)
