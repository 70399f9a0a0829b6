"""`chanyan staff add/passwd/disable/enable/list`: console accounts from the command line.

Passwords are read from a prompt (typed twice) or, for scripts, from the first line of standard input with
--password-stdin; never from the command line, where other users could see them.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from typing import Any, TextIO

from chanyan.cli.common import session_factory
from chanyan.settings import Settings
from chanyan.store.models.staff import STAFF_ROLES

ROLE_LABELS = {"staff": "对接专员", "admin": "管理员"}


def read_password(args: argparse.Namespace, stdin: TextIO | None = None) -> str:
    """The new password from standard input (--password-stdin) or an interactive prompt typed twice."""
    if args.password_stdin:
        line = (stdin or sys.stdin).readline()
        return line.rstrip("\r\n")
    first = getpass.getpass("新密码: ")
    if getpass.getpass("再次输入: ") != first:
        raise ValueError("两次输入的密码不一致")
    return first


def _fail(message: str) -> int:
    print(f"error: {message}", file=sys.stderr)
    return 1


def cmd_add(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from chanyan.staff.accounts import AccountError, create_user, make_hasher

    try:
        password = read_password(args)
        with session_factory(settings)() as session, session.begin():
            user = create_user(
                session, make_hasher(), args.username, password, role=args.role, display_name=args.name or ""
            )
            print(f"added {user.username} ({user.role})", file=out)
    except (AccountError, ValueError) as err:
        return _fail(str(err))
    return 0


def cmd_passwd(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from chanyan.staff.accounts import AccountError, get_user, make_hasher, set_password

    try:
        password = read_password(args)
        with session_factory(settings)() as session, session.begin():
            user = get_user(session, args.username)
            if user is None:
                return _fail(f"no user {args.username}")
            set_password(session, make_hasher(), user, password)
            print(f"password of {user.username} changed; its sessions were ended", file=out)
    except (AccountError, ValueError) as err:
        return _fail(str(err))
    return 0


def _set_active(args: argparse.Namespace, settings: Settings, out: TextIO, active: bool) -> int:
    from chanyan.staff.accounts import get_user, set_active

    with session_factory(settings)() as session, session.begin():
        user = get_user(session, args.username)
        if user is None:
            return _fail(f"no user {args.username}")
        set_active(session, user, active)
        print(f"{user.username} {'enabled' if active else 'disabled'}", file=out)
    return 0


def cmd_disable(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    return _set_active(args, settings, out, False)


def cmd_enable(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    return _set_active(args, settings, out, True)


def cmd_list(_args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from chanyan.staff.accounts import list_users

    with session_factory(settings)() as session:
        users = list_users(session)
        if not users:
            print("no staff accounts (add one: chanyan staff add USERNAME --role admin)", file=out)
        for user in users:
            last = user.last_login_at.strftime("%Y-%m-%d %H:%M") if user.last_login_at else "-"
            state = "active" if user.active else "disabled"
            print(
                f"{user.username}\t{user.role}\t{state}\t{user.display_name or '-'}\tlast login {last} UTC",
                file=out,
            )
    return 0


def register(subparsers: Any) -> None:
    """Add `staff` and its subcommands to the `chanyan` command's subparsers."""
    staff = subparsers.add_parser("staff", help="console accounts (对接专员/管理员)").add_subparsers(
        dest="staff_command", required=True
    )
    add = staff.add_parser("add", help="add an account")
    add.add_argument("username")
    add.add_argument("--role", choices=STAFF_ROLES, default="staff")
    add.add_argument("--name", help="display name, e.g. 张三")
    add.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    add.set_defaults(handler=cmd_add)

    passwd = staff.add_parser("passwd", help="set a new password (ends the account's sessions)")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    passwd.set_defaults(handler=cmd_passwd)

    disable = staff.add_parser(
        "disable", help="disable an account (ends its sessions, revokes its API tokens)"
    )
    disable.add_argument("username")
    disable.set_defaults(handler=cmd_disable)

    enable = staff.add_parser("enable", help="enable a disabled account")
    enable.add_argument("username")
    enable.set_defaults(handler=cmd_enable)

    listing = staff.add_parser("list", help="every account")
    listing.set_defaults(handler=cmd_list)
