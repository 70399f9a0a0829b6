"""`chanyan privacy purge [--now ISO]`: the retention job; `chanyan privacy erase CONVERSATION`: one erasure.

Run `purge` daily (deploy/chanyan-privacy-purge.timer); the console process also runs it once a day.
"""

from __future__ import annotations

import argparse
from datetime import datetime, timezone
from typing import Any, TextIO

from chanyan.settings import Settings


def parse_now(value: str | None) -> datetime:
    """--now as naive UTC (the database's time); an ISO time without an offset is read as UTC."""
    if not value:
        return datetime.now(timezone.utc).replace(tzinfo=None)
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def _stores(settings: Settings) -> tuple[Any, Any]:
    from chanyan.store.session import make_engine, make_sessionmaker

    engine = make_engine(settings.database_url)
    tracker = (
        engine if settings.tracker_db_url == settings.database_url else make_engine(settings.tracker_db_url)
    )
    return make_sessionmaker(engine), tracker


def cmd_purge(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from chanyan.requests.privacy import purge_expired

    sessions, tracker = _stores(settings)
    now = parse_now(args.now)
    refs = purge_expired(sessions, tracker, retention_days=settings.retention_days, now=now)
    print(
        f"retention {settings.retention_days} days, now {now.isoformat(timespec='seconds')}Z: "
        f"erased the contact data of {len(refs)} closed requests" + (f": {', '.join(refs)}" if refs else ""),
        file=out,
    )
    return 0


def cmd_erase(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from chanyan.requests.privacy import erase_conversation

    sessions, tracker = _stores(settings)
    result = erase_conversation(sessions, tracker, args.conversation, actor=args.actor, reason=args.reason)
    print(
        f"erased: {len(result.refs)} requests ({', '.join(result.refs) or '-'}), "
        f"{result.events_rewritten} transcript events masked",
        file=out,
    )
    return 0


def register(commands: Any) -> None:
    """Add the `privacy` command group to the top-level subparsers."""
    privacy = commands.add_parser("privacy", help="personal data: retention and erasure").add_subparsers(
        dest="privacy_command", required=True
    )
    purge = privacy.add_parser(
        "purge", help="erase the contact data of requests closed longer than the retention"
    )
    purge.add_argument("--now", help="the time to judge by (ISO 8601; default: now)")
    purge.set_defaults(handler=cmd_purge)
    erase = privacy.add_parser(
        "erase", help="erase one conversation's personal data (requests and transcript)"
    )
    erase.add_argument("conversation", help="the conversation id (Rasa sender id)")
    erase.add_argument("--actor", default="cli", help="who asked, for the audit log")
    erase.add_argument("--reason", default="管理员删除个人信息", help="recorded in the audit log")
    erase.set_defaults(handler=cmd_erase)
