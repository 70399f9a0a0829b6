"""The `chanyan` command line: one module per command group, registered here.

Groups: db (schema), requests (list/show/export), extract (the extraction module), staff (console accounts),
report and tasks (follow-up), privacy (the retention job and erasures), partners (the research-partner
registry), match (遴选匹配) and wechat (the 公众号's menu).
Each group imports its heavy dependencies inside its handlers, so `chanyan staff list` loads no web stack and
no spaCy.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO

from chanyan.cli import db, extract, partners, privacy, report, requests, staff, wechat
from chanyan.settings import Settings

COMMAND_GROUPS = (db, requests, extract, staff, report, privacy, partners, wechat)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chanyan", description="产研通 intake assistant: data and tools")
    commands = parser.add_subparsers(dest="command", required=True)
    for group in COMMAND_GROUPS:
        group.register(commands)
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
