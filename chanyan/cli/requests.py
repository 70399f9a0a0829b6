"""`chanyan requests list|show|export`: filed requests (需求单) from the command line."""

from __future__ import annotations

import argparse
import json
from typing import Any, TextIO

from chanyan.cli.common import export_target, session_factory, show_record
from chanyan.domain.schema import STATUSES
from chanyan.settings import Settings


def cmd_requests_list(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from chanyan.clock import to_local
    from chanyan.domain.money import format_budget
    from chanyan.domain.schema import STATUS_LABELS
    from chanyan.store.requests import list_requests

    with session_factory(settings)() as session:
        requests = list_requests(session, status=args.status, limit=args.limit)
        if not requests:
            print("no requests", file=out)
            return 0
        for request in requests:
            created = to_local(request.created_at).strftime("%Y-%m-%d %H:%M")
            print(
                f"{request.ref}  {STATUS_LABELS.get(request.status, request.status)}  {created}  "
                f"{request.enterprise_name}  {request.need_title}  {format_budget(request.budget)}",
                file=out,
            )
    return 0


def cmd_requests_show(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from chanyan.requests.records import request_record
    from chanyan.store.requests import RequestNotFound, get_request

    def load(session):
        return request_record(get_request(session, args.ref))

    return show_record(settings, out, load, RequestNotFound, f"no request {args.ref}")


def cmd_requests_export(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from chanyan.requests.export import write_csv
    from chanyan.requests.records import request_record
    from chanyan.store.requests import iter_requests

    with export_target(args.output, args.format, out) as target, session_factory(settings)() as session:
        records = (request_record(request) for request in iter_requests(session))
        if args.format == "jsonl":
            for record in records:
                target.write(json.dumps(record, ensure_ascii=False) + "\n")
        else:
            write_csv(records, target)
    return 0


def register(commands: Any) -> None:
    """Add the `requests` command group to the top-level subparsers."""
    requests = commands.add_parser("requests", help="filed requests (需求单)").add_subparsers(
        dest="requests_command", required=True
    )
    listing = requests.add_parser("list", help="newest first")
    listing.add_argument("--status", choices=STATUSES)
    listing.add_argument("--limit", type=int, default=50)
    listing.set_defaults(handler=cmd_requests_list)
    show = requests.add_parser("show", help="one request as JSON")
    show.add_argument("ref", help="reference number, e.g. XQ-20261125-0007")
    show.set_defaults(handler=cmd_requests_show)
    export = requests.add_parser("export", help="every request, oldest first")
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    export.add_argument("--output", "-o", help="file to write (default: standard output)")
    export.set_defaults(handler=cmd_requests_export)
