"""The `chanyan` command line: database upgrades, requests (list/show/export) and extraction."""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from chanyan.settings import Settings

EXPORT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("ref", "编号"),
    ("status", "状态"),
    ("channel", "渠道"),
    ("conversation_id", "会话ID"),
    ("created_at", "提交时间"),
    ("updated_at", "更新时间"),
    ("enterprise_name", "单位名称"),
    ("contact_name", "联系人"),
    ("contact_phone", "手机"),
    ("contact_email", "邮箱"),
    ("need_title", "需求名称"),
    ("need_description", "主要问题"),
    ("tech_targets", "技术关键/指标"),
    ("domain.code", "领域代码"),
    ("domain.name", "所属领域"),
    ("domain.sub_code", "子领域代码"),
    ("domain.sub_name", "子领域"),
    ("keywords", "关键词"),
    ("budget.min_cny", "预算下限(元)"),
    ("budget.max_cny", "预算上限(元)"),
    ("budget.kind", "预算类型"),
    ("budget.text", "预算原文"),
    ("timeline.deadline", "截止日期"),
    ("timeline.months", "周期(月)"),
    ("timeline.text", "时限原文"),
    ("coop_mode", "合作方式"),
    ("ip_preference", "知识产权归属"),
    ("partner.types", "意向合作方类型"),
    ("partner.names", "意向合作单位"),
    ("partner.regions", "意向地区"),
    ("assignee", "负责人"),
    ("handoff", "转人工"),
)


def _flat(record: dict[str, Any], dotted: str) -> str:
    value: Any = record
    for part in dotted.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    if value is None:
        return ""
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def flat_row(record: dict[str, Any]) -> list[str]:
    """A request record as one row of EXPORT_COLUMNS (for CSV and spreadsheets)."""
    return [_flat(record, key) for key, _ in EXPORT_COLUMNS]


def _session_factory(settings: Settings):
    from chanyan.store.session import make_engine, make_sessionmaker

    return make_sessionmaker(make_engine(settings.database_url))


def cmd_db_upgrade(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from chanyan.store.migrate import current_revision, upgrade

    upgrade(settings.database_url, args.revision)
    print(f"database at revision {current_revision(settings.database_url)}", file=out)
    return 0


def cmd_requests_list(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from chanyan.display import format_budget
    from chanyan.schema import STATUS_LABELS
    from chanyan.store.requests import list_requests

    with _session_factory(settings)() as session:
        requests = list_requests(session, status=args.status, limit=args.limit)
        if not requests:
            print("no requests", file=out)
            return 0
        for request in requests:
            created = request.created_at.strftime("%Y-%m-%d %H:%M")
            print(
                f"{request.ref}  {STATUS_LABELS.get(request.status, request.status)}  {created}  "
                f"{request.enterprise_name}  {request.need_title}  {format_budget(request.budget)}",
                file=out,
            )
    return 0


def cmd_requests_show(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from chanyan.records import request_record
    from chanyan.store.requests import RequestNotFound, get_request

    with _session_factory(settings)() as session:
        try:
            record = request_record(get_request(session, args.ref))
        except RequestNotFound:
            print(f"error: no request {args.ref}", file=sys.stderr)
            return 1
    print(json.dumps(record, ensure_ascii=False, indent=2), file=out)
    return 0


def cmd_requests_export(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from chanyan.records import request_record
    from chanyan.store.requests import iter_requests

    with contextlib.ExitStack() as stack:
        target = out
        if args.output:
            # Excel opens a CSV as UTF-8 only with a BOM.
            encoding = "utf-8-sig" if args.format == "csv" else "utf-8"
            target = stack.enter_context(open(args.output, "w", encoding=encoding, newline=""))
        with _session_factory(settings)() as session:
            if args.format == "jsonl":
                for request in iter_requests(session):
                    target.write(json.dumps(request_record(request), ensure_ascii=False) + "\n")
            else:
                writer = csv.writer(target)
                writer.writerow([label for _, label in EXPORT_COLUMNS])
                for request in iter_requests(session):
                    writer.writerow(flat_row(request_record(request)))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chanyan", description="产研通 intake assistant: data and tools")
    commands = parser.add_subparsers(dest="command", required=True)

    db = commands.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    db_upgrade = db.add_parser("upgrade", help="create or upgrade the schema (Alembic)")
    db_upgrade.add_argument("revision", nargs="?", default="head")
    db_upgrade.set_defaults(handler=cmd_db_upgrade)

    requests = commands.add_parser("requests", help="filed requests (需求单)").add_subparsers(
        dest="requests_command", required=True
    )
    listing = requests.add_parser("list", help="newest first")
    listing.add_argument("--status", choices=("new", "reviewing", "matched", "agreed", "closed"))
    listing.add_argument("--limit", type=int, default=50)
    listing.set_defaults(handler=cmd_requests_list)
    show = requests.add_parser("show", help="one request as JSON")
    show.add_argument("ref", help="reference number, e.g. XQ-20261125-0007")
    show.set_defaults(handler=cmd_requests_show)
    export = requests.add_parser("export", help="every request, oldest first")
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    export.add_argument("--output", "-o", help="file to write (default: standard output)")
    export.set_defaults(handler=cmd_requests_export)

    from chanyan.extraction.cli import register as register_extract
    from chanyan.staff_cli import register as register_staff

    register_extract(commands)
    register_staff(commands)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Entry point of the `chanyan` command."""
    args = build_parser().parse_args(argv)
    try:
        if hasattr(args, "func"):  # subcommands that need no settings (extract)
            return args.func(args)
        return args.handler(args, Settings.from_env(), out or sys.stdout)
    except BrokenPipeError:  # `chanyan requests export | head`
        return 0


if __name__ == "__main__":
    sys.exit(main())
