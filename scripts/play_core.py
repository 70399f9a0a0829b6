#!/usr/bin/env python
"""Play the dialogue test set against the interview core alone (no Rasa): a fast loop for tuning chanyan.intake.

A small stand-in for the Rasa form asks the first empty slot, says what `process_turn` returns and files the
request with chanyan.requests.records.request_fields. Intents are not classified here (the core must read acts on
its own), so figures are a lower bound of the real bot's; `make eval-dialogue` gives the real ones.

    python scripts/play_core.py                 # dev split, totals and worst conversations
    python scripts/play_core.py --only d02_boss_glaze --verbose
"""

from __future__ import annotations

import argparse
import statistics
import sys
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from chanyan.domain.schema import SLOT_NAMES  # noqa: E402
from chanyan.intake.turn import (  # noqa: E402
    CONTACT_SLOTS,
    HANDOFF_PENDING_SLOT,
    REVIEW_SLOT,
    process_turn,
    question_for,
)
from tests.dialogues import script  # noqa: E402
from tests.dialogues.play import play, verdict  # noqa: E402

RESPONSES = yaml.safe_load((ROOT / "bot/domain/responses.yml").read_text(encoding="utf-8"))["responses"]
FORM = (*SLOT_NAMES, REVIEW_SLOT)
TZ = ZoneInfo("Asia/Shanghai")


class _Safe(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def utter(name: str, **values: Any) -> dict:
    spec = RESPONSES.get(name)
    if not spec:
        return {"text": f"<{name}>"}
    variant = spec[0]
    out = {"text": variant.get("text", "").format_map(_Safe(values))}
    if variant.get("buttons"):
        out["buttons"] = variant["buttons"]
    return out


class CoreBot:
    """The interview form around chanyan.intake, as the Rasa form drives it."""

    def __init__(self) -> None:
        self.slots: dict[str, Any] = {}
        self.requested: str | None = None
        self.active = False
        self.rows: list[dict] = []
        self.handoffs = 0
        self.history: list[str] = []

    def tracker(self) -> dict:
        return {
            "slots": {"requested_slot": self.requested},
            "active_loop": {"name": "intake_form" if self.active else None},
        }

    def send(self, text: str) -> list[dict]:
        out: list[dict] = []
        choice = None
        if text.startswith("/choose"):
            import json

            choice = json.loads(text[len("/choose") :])["choice"]
        requested = self.requested if self.active else None
        if not self.active:
            from chanyan.intake.turn import outside_turn

            outside = outside_turn(text, self.slots, now=datetime.now(TZ))
            self.slots.update(outside.slots)
            out.extend(utter(name, **values) for name, values in outside.say)
            if outside.handoff:
                self.handoffs += 1
            if outside.amend and self.rows:
                for slot, value in outside.amend.items():
                    self._amend(slot, value)
                out.append(utter("utter_amended", ref=self.rows[-1]["ref"], fields="、".join(outside.amend)))
            if outside.clear_draft:
                self.slots = {k: self.slots.get(k) for k in CONTACT_SLOTS}
            if not outside.start_form:
                self.history.append(text)
                return out
        result = process_turn(
            text,
            requested,
            self.slots,
            choice=choice,
            failures=self.slots.get("intake_failures") or {},
            now=datetime.now(TZ),
            history=list(self.history),
        )
        self.history.append(text)
        self.slots.update(result.slots)
        self.slots["intake_failures"] = result.failures or None
        for name, values in result.say:
            out.append(utter(name, **values))
        if result.handoff:
            self.handoffs += 1
            out.append(utter("utter_handoff"))
        if result.stop:
            self.active = False
            self.requested = None
            out.append(self._stop(result))
            return out
        if result.error and requested:
            out.append(utter(f"utter_invalid_{result.error}"))
            if result.explain:
                out.append(utter(f"utter_explain_{requested}"))
        self.active = True
        if self.slots.get(REVIEW_SLOT):
            out.append(self._file())
            return out
        nxt = result.ask or next((s for s in FORM if not self.slots.get(s)), None)
        self.requested = nxt
        out.extend(self._ask(nxt))
        return out

    def _stop(self, result) -> dict:
        if result.stop == "pause":
            return utter("utter_paused")
        if result.stop == "decline":
            self.slots = {}
            return utter(f"utter_decline_{result.detail or 'other'}")
        if result.stop in ("cancel", "restart"):
            keep = {k: self.slots.get(k) for k in CONTACT_SLOTS}
            self.slots = {k: v for k, v in keep.items() if v}
            if result.stop == "restart":
                self.active = True
                self.requested = "need_description"
                return utter("utter_restarted")
            return utter("utter_cancelled")
        outside = __import__("chanyan.intake.turn", fromlist=["outside_turn"]).outside_turn(
            self.history[-1], self.slots, now=datetime.now(TZ)
        )
        self.slots.update(outside.slots)
        if outside.amend and self.rows:
            for slot, value in outside.amend.items():
                self._amend(slot, value)
            return utter("utter_amended", ref=self.rows[-1]["ref"], fields="、".join(outside.amend))
        return utter(outside.say[0][0]) if outside.say else utter("utter_amend_ask")

    def _amend(self, slot: str, value: Any) -> None:
        from chanyan.requests.amend import SLOT_COLUMNS

        column = SLOT_COLUMNS.get(slot)
        if column:
            self.rows[-1][column] = value

    def _ask(self, slot: str | None) -> list[dict]:
        if slot == "tech_domain":
            cands = self.slots.get("domain_candidates") or []
            buttons = [
                {
                    "title": f"{c['name']} / {c['sub_name']}" if c.get("sub_name") else c["name"],
                    "payload": '/choose{"choice": "%s"}' % (c.get("sub_code") or c["code"]),
                }
                for c in cands
            ]
            return [{**utter("utter_ask_tech_domain"), "buttons": buttons}]
        if slot == REVIEW_SLOT:
            from chanyan.domain.display import summary_values
            from chanyan.extraction import get_extractor

            return [utter("utter_summary", **summary_values(self.slots, get_extractor().taxonomy.find))]
        name, values = question_for(slot, self.slots)
        return [utter(name, **values)]

    def _file(self) -> dict:
        from chanyan.requests.records import request_fields

        row = request_fields(self.slots, conversation_id="c", channel="rest", draft_id="d")
        self.rows.append(row)
        ref = f"XQ-20261201-{len(self.rows):04d}"
        row["ref"] = ref
        if self.slots.get(HANDOFF_PENDING_SLOT) is False:
            pass
        self.slots = {**{k: self.slots.get(k) for k in CONTACT_SLOTS}, "last_request_ref": ref}
        self.active = False
        self.requested = None
        return {"text": f"已提交，编号 {ref}"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only")
    parser.add_argument("--verbose", action="store_true")
    args = parser.parse_args(argv)
    conversations = [c for c in script.load("dev")]
    if args.only:
        wanted = set(args.only.split(","))
        conversations = [c for c in conversations if c.id in wanted]
    today = datetime.now(TZ).date()
    results = []
    for conv in conversations:
        bot = CoreBot()
        played = play(conv, bot.send, bot.tracker, today=today)
        res = verdict(conv, played, bot.rows, bot.handoffs, today)
        results.append(res)
        if args.verbose or not res["ok_without_repair"]:
            print(
                f"--- {conv.id}: ok={res['ok']} repair_free={res['ok_without_repair']} end={res['end']} repairs={res['repairs']} turns={res['user_turns_to_file']} wrong={res['wrong']} talk={res['talk']} reply_ok={res.get('reply_ok')} checks_ok={res['checks_ok']}"
            )
            if args.verbose:
                for message, turn in played.turns:
                    print(f"  U[{message.kind}]: {message.text}")
                    for t in turn.texts:
                        print(f"    B: {t[:300]}")
    must = [r for r in results if r["filed_expected"]]
    right = sum(r["ok"] for r in must)
    clean = sum(r["ok_without_repair"] for r in must)
    filed = [r for r in results if r["filed"]]
    talk = sum(bool(r["talk"]) for r in filed)
    turns = [r["user_turns_to_file"] for r in must if r["user_turns_to_file"]]
    not_filed = [r for r in results if not r["filed_expected"]]
    print(
        f"conversations {len(results)}  must file {len(must)}: all right {right}, and no repair {clean}"
        f" ({clean / max(1, len(must)):.1%})  talk {talk}/{len(filed)}"
        f"  median turns {statistics.median(turns) if turns else None}"
        f"  nothing filed when nothing may be {sum(r['ok'] for r in not_filed)}/{len(not_filed)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
