#!/usr/bin/env python
"""Play the dialogue test set (tests/dialogues/) against the real bot and score what it files.

Starts one action server and one Rasa server (the trained model) on free ports with a fresh SQLite database,
plays every conversation over the REST channel with a fresh sender (a few at a time), reads the requested slot
from the tracker after each turn, and compares the request filed for each conversation with its `expect`.

    python scripts/eval_dialogue.py                      # the dev split
    python scripts/eval_dialogue.py --split heldout      # totals only (add --show-items to see conversations)
    python scripts/eval_dialogue.py --only d07_mind_change --verbose

Heavy (starts Rasa): run it under `flock /tmp/chanyan-heavy.lock` on a shared machine.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.dialogues import report, script  # noqa: E402
from tests.dialogues.play import MAX_TURNS, play, transcript, verdict  # noqa: E402
from tests.e2e.stack import MODEL, Stack, filed_requests, free_port, stack_env  # noqa: E402

RESULTS = ROOT / "results"
HELDOUT_LOG = RESULTS / "heldout-looks.log"
DEFAULT_JOBS = 3


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "heldout", "all"), default="dev")
    parser.add_argument("--only", help="comma-separated conversation ids (file names without .yml)")
    parser.add_argument("--model", type=Path, default=MODEL, help=f"trained Rasa model (default {MODEL})")
    parser.add_argument("--verbose", action="store_true", help="print every transcript")
    parser.add_argument("--show-items", action="store_true", help="name held-out conversations too")
    parser.add_argument("--worst", type=int, default=10, help="how many of the worst conversations to list")
    parser.add_argument(
        "--jobs", type=int, default=DEFAULT_JOBS, help="conversations played at the same time"
    )
    parser.add_argument("--max-turns", type=int, default=MAX_TURNS)
    parser.add_argument("--out", type=Path, default=RESULTS, help="directory of the JSON reports")
    return parser.parse_args(argv)


def today() -> datetime:
    return datetime.now(ZoneInfo(os.environ.get("CHANYAN_TZ", "Asia/Shanghai")))


def commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def handoff_count(database_url: str, conversation_id: str) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url, future=True)
    try:
        with engine.connect() as connection:
            return int(
                connection.execute(
                    text("SELECT COUNT(*) FROM handoffs WHERE conversation_id = :c"), {"c": conversation_id}
                ).scalar_one()
            )
    finally:
        engine.dispose()


def run_one(stack: Stack, conversation: script.Conversation, max_turns: int) -> dict[str, Any]:
    sender = f"dlg-{conversation.id[:40]}-{uuid.uuid4().hex[:6]}"
    played = play(
        conversation,
        lambda m: stack.rest(sender, m),
        lambda: stack.tracker(sender),
        max_turns,
        today().date(),
    )
    rows = filed_requests(stack.database_url, sender)
    result = verdict(conversation, played, rows, handoff_count(stack.database_url, sender), today().date())
    result["sender"] = sender
    result["transcript"] = transcript(played)
    return result


def start_stack(workdir: Path, model: Path) -> Stack:
    from chanyan.store.migrate import upgrade

    database_url = f"sqlite:///{workdir / 'chanyan.db'}"
    upgrade(database_url)
    rasa_port, action_port = free_port(), free_port()
    stack = Stack(
        workdir=workdir,
        database_url=database_url,
        env=stack_env(workdir, database_url, rasa_port, action_port),
        rasa_port=rasa_port,
        action_port=action_port,
    )
    stack.start_actions()
    stack.start_rasa(model=model)
    stack.wait_ready()
    return stack


def print_transcript(result: dict[str, Any]) -> None:
    print(f"--- {result['id']} ({result['sender']})")
    for number, turn in enumerate(result["transcript"], 1):
        print(f"U{number} [{turn['kind']}{':' + turn['slot'] if turn['slot'] else ''}]: {turn['user']}")
        for text in turn["bot"]:
            print("   B: " + text.replace("\n", " ⏎ "))
        if turn["buttons"]:
            print("      [" + " / ".join(str(b) for b in turn["buttons"]) + "]")
        print(f"      requested_slot={turn['requested_slot']}")


def write_report(
    out: Path, split: str, figures: dict, results: list[dict], items: bool, meta: dict[str, Any]
) -> Path:
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"dialogues-{split}.json"
    totals = (
        figures if items else {k: v for k, v in figures.items() if k not in ("wrong_fields", "talk_fields")}
    )
    body = {**meta, "split": split, "totals": totals}
    if items:
        body["by_tag"] = report.by_tag(results)
        body["items"] = results
    path.write_text(json.dumps(body, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    conversations = script.load(args.split)
    if args.only:
        wanted = {s.strip() for s in args.only.split(",") if s.strip()}
        conversations = [c for c in conversations if c.id in wanted]
        missing = wanted - {c.id for c in conversations}
        if missing:
            print(f"no such conversation in split {args.split}: {sorted(missing)}", file=sys.stderr)
            return 2
    broken = [c for c in conversations if c.problems]
    for conversation in broken:
        print(f"{conversation.path}: " + "; ".join(conversation.problems), file=sys.stderr)
    if broken or not conversations:
        return 2
    if not args.model.exists() or args.model.stat().st_size == 0:
        print(f"no trained model at {args.model}: run `make train`", file=sys.stderr)
        return 2

    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="chanyan-dialogues-") as tmp:
        stack = start_stack(Path(tmp), args.model)
        ready = time.monotonic()
        try:
            with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
                results = list(pool.map(lambda c: run_one(stack, c, args.max_turns), conversations))
        finally:
            stack.stop()
    elapsed = time.monotonic() - started
    meta = {
        "date": today().isoformat(timespec="seconds"),
        "commit": commit(),
        "model": str(args.model),
        "start_s": round(ready - started, 1),
        "elapsed_s": round(elapsed, 1),
    }

    for split in ("dev", "heldout"):
        chosen = [r for r in results if r["split"] == split]
        if not chosen:
            continue
        show = split == "dev" or args.show_items
        if args.verbose and show:
            for result in chosen:
                print_transcript(result)
        figures = report.totals(chosen)
        print(report.render(split, figures, chosen, show_items=show, worst=args.worst))
        path = write_report(args.out, split, figures, chosen, items=show, meta=meta)
        print(f"  report: {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
        if split == "heldout":
            HELDOUT_LOG.parent.mkdir(parents=True, exist_ok=True)
            with HELDOUT_LOG.open("a", encoding="utf-8") as log:
                log.write(f"{meta['date']} commit={meta['commit']} items={'yes' if show else 'no'}\n")
            looks = len(HELDOUT_LOG.read_text(encoding="utf-8").splitlines())
            print(f"  held-out scored {looks} time(s) on this machine ({HELDOUT_LOG.relative_to(ROOT)})")
    print(f"time: {elapsed:.0f}s ({meta['start_s']:.0f}s to start Rasa), {len(results)} conversations")
    return 0


if __name__ == "__main__":
    sys.exit(main())
