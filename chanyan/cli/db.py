"""`chanyan db upgrade`: create or upgrade the schema (Alembic)."""

from __future__ import annotations

import argparse
from typing import Any, TextIO

from chanyan.settings import Settings


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from chanyan.store.migrate import current_revision, upgrade
    from chanyan.store.session import ensure_private_dir, ensure_private_sqlite

    ensure_private_dir(settings.var_dir, tighten=True)
    upgrade(settings.database_url, args.revision)
    ensure_private_sqlite(settings.tracker_db_url)  # Rasa would create its own file world-readable
    print(f"database at revision {current_revision(settings.database_url)}", file=out)
    return 0


def register(commands: Any) -> None:
    """Add the `db` command group to the top-level subparsers."""
    db = commands.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    db_upgrade = db.add_parser("upgrade", help="create or upgrade the schema (Alembic)")
    db_upgrade.add_argument("revision", nargs="?", default="head")
    db_upgrade.set_defaults(handler=cmd_db_upgrade)
