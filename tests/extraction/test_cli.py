"""`chanyan extract`: one JSON object per input, from arguments or stdin."""

from __future__ import annotations

import argparse
import io
import json

from chanyan.cli import extract as cli


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="chanyan")
    cli.register(parser.add_subparsers(dest="command"))
    return parser


def test_extract_arguments(extractor, capsys):
    args = _parser().parse_args(["extract", "--now", "2026-03-15", "预算50-80万，明年6月前", "面议"])
    assert args.func(args) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2
    first = json.loads(lines[0])
    assert first["budget"]["kind"] == "range" and first["timeline"]["deadline"] == "2027-06-30"


def test_extract_stdin_with_explain(extractor, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("工厂想上MES\n\n想做基因测序\n"))
    args = _parser().parse_args(["extract", "--explain"])
    args.func(args)
    results = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(results) == 3
    assert results[0]["domains"][0]["sub_code"] == "801" and "explain" in results[0]
    assert results[1]["domains"] == []
