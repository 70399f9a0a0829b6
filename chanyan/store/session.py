"""Engines and sessions. Create one engine per process from settings; open a short session per unit of work."""

from __future__ import annotations

import os
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.engine.url import make_url
from sqlalchemy.orm import Session, sessionmaker

SQLITE_BUSY_TIMEOUT_MS = 15_000
# The database holds contacts, transcripts and password hashes: only its owner may read it. SQLite gives the
# -wal and -shm files the same mode as the database file.
PRIVATE_FILE_MODE = 0o600
# The folder that holds them (CHANYAN_VAR_DIR) and any folder created for them.
PRIVATE_DIR_MODE = 0o700


def make_engine(database_url: str, **kwargs) -> Engine:
    """Create an engine (SQLAlchemy 2.0 style). SQLite files get WAL mode and a busy timeout, because Rasa's
    tracker store and the action server write to the same file from different processes."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        ensure_private_sqlite(database_url)
        connect_args = {"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
        engine = create_engine(url, future=True, connect_args=connect_args, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, future=True, **kwargs)


def ensure_private_sqlite(database_url: str) -> None:
    """For a SQLite file URL, the file created (or tightened) readable by its owner only; other URLs: nothing.

    Also for a database another program opens first, such as Rasa's tracker store in a file of its own."""
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        ensure_private_file(Path(url.database))


def ensure_private_dir(path: Path, *, tighten: bool = False) -> None:
    """Create `path` (and missing parents) accessible to its owner only; with `tighten`, also take group and other
    access away from an existing one of ours (the var folder, never a shared parent such as /tmp)."""
    missing = [p for p in (path, *path.parents) if not p.exists()]
    path.mkdir(parents=True, exist_ok=True)
    for created in missing:
        os.chmod(created, PRIVATE_DIR_MODE)
    if tighten and path.stat().st_uid == os.geteuid() and path.stat().st_mode & 0o077:
        os.chmod(path, PRIVATE_DIR_MODE)


def ensure_private_file(path: Path) -> None:
    """Create the SQLite file (and any missing folder, 0700) readable by its owner only, and tighten an existing one."""
    ensure_private_dir(path.parent)
    fd = os.open(path, os.O_CREAT | os.O_RDWR, PRIVATE_FILE_MODE)
    os.close(fd)
    for candidate in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        try:
            if (candidate.stat().st_mode & 0o777) != PRIVATE_FILE_MODE:
                os.chmod(candidate, PRIVATE_FILE_MODE)
        except FileNotFoundError:
            # Absent, or removed meanwhile by the last connection of another process closing: nothing to tighten.
            continue


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def make_sessionmaker(engine: Engine) -> sessionmaker:
    """A session factory bound to `engine`; objects stay readable after commit."""
    return sessionmaker(engine, future=True, expire_on_commit=False, class_=Session)
