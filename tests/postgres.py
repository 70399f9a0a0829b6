"""Throwaway PostgreSQL databases for tests (the server at CHANYAN_TEST_PG_URL, default 127.0.0.1:5432)."""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

# Any database the test user can connect to; new databases are created next to it.
PG_ADMIN_URL = os.environ.get("CHANYAN_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/test")
SKIP_REASON = f"PostgreSQL unreachable at {make_url(PG_ADMIN_URL).render_as_string(hide_password=True)}"


def service_missing(reason: str) -> NoReturn:
    """Skip the test with the reason; with CHANYAN_REQUIRE_SERVICES=1 (set by .ci/run) fail it instead, so that
    CI cannot pass without the PostgreSQL and Redis coverage."""
    import pytest

    if os.environ.get("CHANYAN_REQUIRE_SERVICES", "").strip() == "1":
        pytest.fail(f"{reason} (CHANYAN_REQUIRE_SERVICES=1: this run needs it)", pytrace=False)
    pytest.skip(reason)


@functools.cache
def postgres_available() -> bool:
    """True when the test server answers (checked once per process)."""
    engine = create_engine(PG_ADMIN_URL, future=True, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
    finally:
        engine.dispose()


def _admin(statement: str) -> None:
    engine = create_engine(PG_ADMIN_URL, future=True, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            connection.execute(text(statement))
    finally:
        engine.dispose()


@contextmanager
def temporary_database(prefix: str = "chanyan_test") -> Iterator[str]:
    """Create a uniquely named, empty database; yield its URL; drop it (and its connections) afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    _admin(f'CREATE DATABASE "{name}"')
    try:
        yield make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        # WITH (FORCE) (PostgreSQL 13+) ends sessions a crashed process may have left behind.
        _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


BACKENDS = ("sqlite", "postgresql")


def empty_database(backend: str, sqlite_path, prefix: str = "chanyan_test") -> Iterator[str]:
    """For a fixture parametrized over BACKENDS (`yield from empty_database(...)`): the URL of an empty
    database — the SQLite file at `sqlite_path`, or a fresh PostgreSQL database dropped afterwards. Skips the
    test, with the reason, when PostgreSQL is unreachable."""
    if backend == "sqlite":
        yield f"sqlite:///{sqlite_path}"
        return
    if not postgres_available():
        service_missing(SKIP_REASON)
    with temporary_database(prefix) as url:
        yield url
