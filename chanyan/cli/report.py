"""`chanyan report` (the period report) and `chanyan tasks list|overdue|notify` (follow-up tasks)."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any, TextIO

from chanyan.cli.common import session_factory
from chanyan.settings import Settings


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text}") from None


def _staff_names(session) -> dict[str, str]:
    from sqlalchemy import select

    from chanyan.store.models import StaffUser

    rows = session.execute(select(StaffUser.username, StaffUser.display_name)).all()
    return {username: display or username for username, display in rows}


def cmd_report(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from chanyan.clock import now_local
    from chanyan.followup.report import PeriodError, period_report

    today = now_local().date()  # the platform's year, not the machine's
    start = args.start or date(today.year, 1, 1)
    end = args.end or date(today.year, 12, 31)
    with session_factory(settings)() as session:
        try:
            data = period_report(session, start, end, staff_names=_staff_names(session))
        except PeriodError:
            print(f"error: --to {end} is before --from {start}", file=sys.stderr)
            return 2
    if args.format == "xlsx":
        from chanyan.followup.report_xlsx import report_xlsx

        if not args.output:
            print("error: --format xlsx needs --output FILE", file=sys.stderr)
            return 2
        with open(args.output, "wb") as target:
            target.write(report_xlsx(data))
        return 0
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    if args.output:
        with open(args.output, "w", encoding="utf-8") as target:
            target.write(text)
    else:
        out.write(text)
    return 0


def _print_tasks(tasks, out: TextIO) -> None:
    from chanyan.clock import to_local, utcnow
    from chanyan.followup.tasks import is_overdue, owner_of, task_label

    now = utcnow()
    if not tasks:
        print("no tasks", file=out)
    for task in tasks:
        due = to_local(task.due_at).strftime("%Y-%m-%d %H:%M")
        mark = "逾期" if is_overdue(task, now) else "待办"
        print(
            f"{task.id}  {task.request.ref}  {mark}  {due}  {task_label(task)}  {owner_of(task) or '未分配'}  "
            f"{task.title}",
            file=out,
        )


def cmd_tasks_list(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from chanyan.clock import utcnow
    from chanyan.followup.tasks import open_tasks

    with session_factory(settings)() as session:
        overdue_at = utcnow() if args.tasks_command == "overdue" else None
        _print_tasks(open_tasks(session, owner=args.owner, overdue_at=overdue_at, limit=args.limit), out)
    return 0


def cmd_tasks_notify(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from chanyan.followup.tasks import announce_overdue
    from chanyan.requests.notify import get_notifier

    notifier = get_notifier()
    targets = [
        t
        for t, on in (("webhook", notifier.settings.webhook_url), ("email", notifier.settings.email_enabled))
        if on
    ]
    if not targets:
        print(
            "error: no notifier configured (NOTIFY_WEBHOOK_URL or SMTP_HOST + NOTIFY_EMAIL_TO)",
            file=sys.stderr,
        )
        return 1
    with session_factory(settings)() as session, session.begin():
        announced = announce_overdue(session, targets, base_url=notifier.settings.console_base_url)
    notifier.start()
    delivered = notifier.flush(args.wait)
    print(
        f"announced {len(announced)} overdue task(s){'' if delivered else ' (delivery still pending)'}",
        file=out,
    )
    return 0


def register(commands: Any) -> None:
    """Add the `report` and `tasks` commands to the top-level subparsers."""
    report = commands.add_parser("report", help="the period report: requests, agreements, services, events")
    report.add_argument("--from", dest="start", type=_date, help="first day, YYYY-MM-DD (default: 1 January)")
    report.add_argument("--to", dest="end", type=_date, help="last day, YYYY-MM-DD (default: 31 December)")
    report.add_argument("--format", choices=("json", "xlsx"), default="json")
    report.add_argument("--output", "-o", help="file to write (required for xlsx; default: standard output)")
    report.set_defaults(handler=cmd_report)

    tasks = commands.add_parser("tasks", help="follow-up tasks").add_subparsers(
        dest="tasks_command", required=True
    )
    for name, help_text in (
        ("list", "open tasks by due time"),
        ("overdue", "open tasks past their due time"),
    ):
        listing = tasks.add_parser(name, help=help_text)
        listing.add_argument("--owner", help="only this staff member's tasks (own or by assignment)")
        listing.add_argument("--limit", type=int, default=100)
        listing.set_defaults(handler=cmd_tasks_list)
    notify = tasks.add_parser(
        "notify", help="announce overdue tasks once to their owners through the notifier"
    )
    notify.add_argument("--wait", type=float, default=30.0, help="seconds to wait for delivery (default 30)")
    notify.set_defaults(handler=cmd_tasks_notify)
