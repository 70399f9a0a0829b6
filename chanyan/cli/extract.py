"""`chanyan extract`: print design.md's extraction JSON for each text (arguments, or one per line on stdin)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable
from datetime import datetime


def register(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the `extract` subcommand to a `chanyan` argparse subparsers object."""
    parser = subparsers.add_parser(
        "extract",
        help="extract domain and constraints from messages (JSON lines)",
        description="Print one JSON object per text: domains, keywords, budget, timeline, coop modes, partner …",
    )
    add_arguments(parser)
    parser.set_defaults(func=run)
    return parser


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The extract options of `chanyan extract`."""
    parser.add_argument(
        "texts", nargs="*", help="messages to read; without any, one message per line on stdin"
    )
    parser.add_argument("--explain", action="store_true", help="add the terms, scores and rules that fired")
    parser.add_argument(
        "--now", type=_iso_datetime, default=None, help="message time (ISO), for relative dates"
    )


def _iso_datetime(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(f"not an ISO date or datetime: {value!r}") from err


def _inputs(texts: list[str]) -> Iterable[str]:
    if texts:
        yield from texts
        return
    for line in sys.stdin:
        yield line.rstrip("\r\n")


def run(args: argparse.Namespace) -> int:
    """Extract every input and print one JSON line per input."""
    from chanyan.extraction import get_extractor

    extractor = get_extractor()
    for text in _inputs(args.texts):
        result = extractor.extract(text, now=args.now, explain=args.explain)
        sys.stdout.write(json.dumps(result, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return 0
