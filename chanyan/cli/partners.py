"""`chanyan partners import|list|show|export` (合作资源库) and `chanyan match` (遴选匹配)."""

from __future__ import annotations

import argparse
import csv
import json
import sys
from typing import Any, TextIO

from chanyan.cli.common import export_target, show_record
from chanyan.cli.common import session_factory as _session_factory
from chanyan.settings import Settings

EXIT_REFUSED = 1  # the file had bad rows and nothing was written
EXIT_UNREADABLE = 2  # the file as a whole could not be read


def cmd_import(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from chanyan.partners.readers import ImportFileError
    from chanyan.partners.registry import import_file

    try:
        report = import_file(_session_factory(settings), args.file, skip_invalid=args.skip_invalid)
    except ImportFileError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_UNREADABLE
    except FileNotFoundError:
        print(f"error: no such file: {args.file}", file=sys.stderr)
        return EXIT_UNREADABLE
    if report.unknown_headers:
        print(f"忽略未知的列：{'、'.join(report.unknown_headers)}", file=sys.stderr)
    for problem in report.problems:
        print(str(problem), file=sys.stderr)
    print(report.summary(), file=out)
    return 0 if report.written else EXIT_REFUSED


def _filters(args: argparse.Namespace):
    from chanyan.partners.registry import PartnerFilters

    return PartnerFilters(
        q=args.q or "", kind=args.kind or "", province=args.region or "", domain=args.domain or ""
    )


def cmd_list(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from chanyan.partners.regions import region_label
    from chanyan.partners.registry import list_partners

    with _session_factory(settings)() as session:
        partners, total = list_partners(session, _filters(args), limit=args.limit)
        if not partners:
            print("no registry entries", file=out)
            return 0
        for p in partners:
            codes = ",".join(d.get("sub_code") or d["code"] for d in p.domains or [])
            region = region_label({"province": p.province, "city": p.city})
            print(f"{p.id}  {p.kind}  {p.name}  {region}  {codes}", file=out)
        if total > len(partners):
            print(f"({len(partners)} of {total}; --limit to see more)", file=out)
    return 0


def cmd_show(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from chanyan.partners.registry import PartnerNotFound, get_partner, partner_record

    def load(session):
        return partner_record(get_partner(session, args.id))

    return show_record(settings, out, load, PartnerNotFound, f"no registry entry {args.id}")


def cmd_export(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from chanyan.partners.registry import EXPORT_HEADERS, export_row, iter_partners, partner_record

    if args.format == "xlsx" and not args.output:
        print("error: --format xlsx needs --output FILE", file=sys.stderr)
        return 2
    with _session_factory(settings)() as session:
        partners = iter_partners(session, _filters(args))
        if args.format == "xlsx":
            from openpyxl import Workbook

            book = Workbook(write_only=True)
            sheet = book.create_sheet("合作资源库")
            sheet.append(list(EXPORT_HEADERS))
            for partner in partners:
                sheet.append(list(export_row(partner).values()))
            book.save(args.output)
            return 0
        with export_target(args.output, args.format, out) as target:
            if args.format == "jsonl":
                for partner in partners:
                    target.write(json.dumps(partner_record(partner), ensure_ascii=False) + "\n")
            else:
                writer = csv.writer(target)
                writer.writerow(EXPORT_HEADERS)
                for partner in partners:
                    writer.writerow(export_row(partner).values())
    return 0


def _candidates_json(candidates) -> dict[str, Any]:
    return {"candidates": [c.as_json() for c in candidates]}


def cmd_match(args: argparse.Namespace, settings: Settings, out: TextIO) -> int:
    from chanyan.partners.shortlist import match_need, match_request, need_for_text

    factory = _session_factory(settings)
    if not args.stdin:
        if not args.ref:
            print("error: give a request's reference number, or --stdin", file=sys.stderr)
            return 2
        from chanyan.store.requests import RequestNotFound

        try:
            candidates = match_request(factory, args.ref, args.top)
        except RequestNotFound:
            print(f"error: no request {args.ref}", file=sys.stderr)
            return 1
        print(
            json.dumps({"ref": args.ref.strip().upper(), **_candidates_json(candidates)}, ensure_ascii=False),
            file=out,
        )
        return 0
    for line in sys.stdin:
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
            if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
                raise ValueError
        except ValueError:
            print(
                json.dumps({"error": 'each line must be a JSON object with "text"', "candidates": []}),
                file=out,
            )
            continue
        candidates = match_need(factory, need_for_text(obj), args.top)
        print(json.dumps(_candidates_json(candidates), ensure_ascii=False), file=out, flush=True)
    return 0


def register(commands: argparse._SubParsersAction) -> None:
    """Add `partners` and `match` to the chanyan command."""
    from chanyan.partners.vocabulary import DEFAULT_TOP_K, KINDS

    partners = commands.add_parser("partners", help="research-partner registry (合作资源库)").add_subparsers(
        dest="partners_command", required=True
    )
    importing = partners.add_parser("import", help="add or update entries from .jsonl, .csv or .xlsx")
    importing.add_argument("file")
    importing.add_argument(
        "--skip-invalid", action="store_true", help="import the good rows, report the bad ones"
    )
    importing.set_defaults(handler=cmd_import)

    def add_filters(parser: argparse.ArgumentParser) -> None:
        parser.add_argument("--kind", choices=KINDS)
        parser.add_argument("--region", help="province, e.g. 江苏")
        parser.add_argument("--domain", help="domain or category code, e.g. 80 or 803")
        parser.add_argument("-q", help="words that must all occur")

    listing = partners.add_parser("list", help="entries in name order")
    add_filters(listing)
    listing.add_argument("--limit", type=int, default=50)
    listing.set_defaults(handler=cmd_list)
    show = partners.add_parser("show", help="one entry as JSON")
    show.add_argument("id", type=int)
    show.set_defaults(handler=cmd_show)
    export = partners.add_parser("export", help="every entry (the import columns, so it imports again)")
    add_filters(export)
    export.add_argument("--format", choices=("jsonl", "csv", "xlsx"), default="jsonl")
    export.add_argument("--output", "-o", help="file to write (default: standard output; required for xlsx)")
    export.set_defaults(handler=cmd_export)

    match = commands.add_parser("match", help="ranked, explained candidates for a request or for any text")
    match.add_argument("ref", nargs="?", help="reference number of a filed request")
    match.add_argument(
        "--stdin",
        action="store_true",
        help='one JSON object per line: {"text": ..., "enterprise": ..., "region": ...}',
    )
    match.add_argument("--top", type=int, default=DEFAULT_TOP_K, help="candidates per need")
    match.set_defaults(handler=cmd_match)
