#!/usr/bin/env python
"""Evaluate extraction on the chat-style dev set and on the published-register file.

python scripts/eval_extraction.py                   # both: dev set held-out part, published file dev + held-out
python scripts/eval_extraction.py --set devset --split train     # the dev set part used to build rules and train
python scripts/eval_extraction.py --set published --split dev    # the published file's tuning part only
python scripts/eval_extraction.py --errors          # also list the misses (never the published held-out part's)
python scripts/eval_extraction.py --file training/spacy/validation.jsonl   # every record of another labelled file
python scripts/eval_extraction.py --file tests/extraction/data/published_more.jsonl   # published-register shape

Every run that prints figures of the published file's held-out part appends a line to
$CHANYAN_VAR_DIR/eval-heldout-looks.log (default var/), so the number of looks is on record.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEVSET = ROOT / "tests" / "extraction" / "data" / "devset.jsonl"
SET_FIELDS = ("coop_modes", "partner.types", "partner.names", "partner.regions", "phones", "emails")
SCALAR_FIELDS = ("domain", "sub_code", "budget", "timeline", "ip_preference")


def load_devset(path: Path = DEVSET, split: str | None = "test") -> list[dict]:
    """Dev-set records, optionally only one split ("train" or "test")."""
    with open(path, encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    return [r for r in records if split in (None, "all") or r["split"] == split]


def _budget_key(b: dict | None):
    return None if b is None else (b.get("min_cny"), b.get("max_cny"), b.get("kind"))


def _timeline_key(t: dict | None):
    return None if t is None else (t.get("deadline"), t.get("months"))


def scalar_values(record: dict, predicted: dict) -> dict[str, tuple]:
    """(gold, predicted) per scalar field, in comparable form."""
    top = predicted["domains"][0] if predicted["domains"] else None
    return {
        "domain": (record["domain"], top["code"] if top else None),
        "sub_code": (record["sub_code"], top["sub_code"] if top else None),
        "budget": (_budget_key(record["budget"]), _budget_key(predicted["budget"])),
        "timeline": (_timeline_key(record["timeline"]), _timeline_key(predicted["timeline"])),
        "ip_preference": (record["ip_preference"], predicted["ip_preference"]),
    }


def set_values(record: dict, predicted: dict) -> dict[str, tuple[set, set]]:
    """(gold, predicted) sets per list field."""
    out = {}
    for name in SET_FIELDS:
        if name.startswith("partner."):
            key = name.split(".", 1)[1]
            out[name] = (set(record["partner"][key]), set(predicted["partner"][key]))
        else:
            out[name] = (set(record[name]), set(predicted[name]))
    return out


def prf(tp: int, fp: int, fn: int) -> tuple[float, float, float]:
    """Precision, recall, F1 (1.0 when there is nothing to find and nothing was found)."""
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def evaluate(records: list[dict], extractor) -> dict:
    """All figures for a list of dev-set records."""
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # tp, fp, fn
    exact: dict[str, int] = defaultdict(int)
    top1 = top3 = sub_top1 = sub_top3 = 0
    errors = []
    for record in records:
        now = datetime.fromisoformat(record["now"])
        predicted = extractor.extract(record["text"], now=now)
        codes = [d["code"] for d in predicted["domains"]]
        subs = [d["sub_code"] for d in predicted["domains"]]
        if record["domain"] is None:
            ok1 = ok3 = sok1 = sok3 = not codes
        else:
            ok1, ok3 = codes[:1] == [record["domain"]], record["domain"] in codes[:3]
            sok1, sok3 = subs[:1] == [record["sub_code"]], record["sub_code"] in subs[:3]
        top1, top3, sub_top1, sub_top3 = top1 + ok1, top3 + ok3, sub_top1 + sok1, sub_top3 + sok3
        wrong = []
        for name, (gold, pred) in scalar_values(record, predicted).items():
            exact[name] += gold == pred
            c = counts[name]
            if gold is not None and pred is not None:
                c[0 if gold == pred else 1] += 1
                c[2] += gold != pred
            elif pred is not None:
                c[1] += 1
            elif gold is not None:
                c[2] += 1
            if gold != pred:
                wrong.append(f"{name}: gold={gold} pred={pred}")
        for name, (gold, pred) in set_values(record, predicted).items():
            exact[name] += gold == pred
            c = counts[name]
            c[0] += len(gold & pred)
            c[1] += len(pred - gold)
            c[2] += len(gold - pred)
            if gold != pred:
                wrong.append(f"{name}: gold={sorted(gold)} pred={sorted(pred)}")
        if not ok3:
            wrong.insert(0, f"domain top-3: gold={record['sub_code']} pred={subs}")
        if wrong:
            errors.append((record["id"], record["text"], wrong))
    n = len(records) or 1
    fields = {name: prf(*counts[name]) for name in (*SCALAR_FIELDS, *SET_FIELDS)}
    return {
        "n": len(records),
        "domain_top1": top1 / n,
        "domain_top3": top3 / n,
        "sub_top1": sub_top1 / n,
        "sub_top3": sub_top3 / n,
        "exact": {name: exact[name] / n for name in (*SCALAR_FIELDS, *SET_FIELDS)},
        "fields": fields,
        "errors": errors,
    }


def report(title: str, figures: dict) -> str:
    """A plain-text table of the figures."""
    lines = [
        f"== {title}: {figures['n']} messages ==",
        f"domain (8 top-level)  top-1 {figures['domain_top1']:.1%}   top-3 {figures['domain_top3']:.1%}",
        f"category (sub_code)   top-1 {figures['sub_top1']:.1%}   top-3 {figures['sub_top3']:.1%}",
        f"{'field':<18}{'precision':>10}{'recall':>10}{'F1':>10}{'exact':>10}",
    ]
    for name, (p, r, f) in figures["fields"].items():
        lines.append(f"{name:<18}{p:>10.1%}{r:>10.1%}{f:>10.1%}{figures['exact'][name]:>10.1%}")
    return "\n".join(lines)


def _log_heldout_look(n: int) -> int:
    """Record one look at the published held-out totals; returns how many looks are on record."""
    import os

    log = Path(os.environ.get("CHANYAN_VAR_DIR") or ROOT / "var") / "eval-heldout-looks.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "a", encoding="utf-8") as fh:
        fh.write(f"{datetime.now().isoformat(timespec='seconds')} published held-out totals, {n} messages\n")
    return sum(1 for _ in open(log, encoding="utf-8"))


def run_published(extractor, split: str, errors: bool, as_json: bool) -> None:
    """Figures of the published-register file: its dev part, its held-out part (totals only), or both."""
    import published_figures as pub

    for part in ("dev", "test") if split == "all" else (split,):
        figures = pub.evaluate(pub.load(split=part), extractor)
        if as_json:
            print(
                json.dumps(
                    {k: v for k, v in figures.items() if k != "errors"} | {"set": "published", "split": part}
                )
            )
        else:
            title = {"dev": "published, tuning part (split=dev)", "test": "published, held-out (split=test)"}[
                part
            ]
            print(pub.report(title, figures, targets=part == "test"))
        if part == "test":
            looks = _log_heldout_look(figures["n"])
            if not as_json:
                print(f"(held-out totals printed {looks} time(s) so far)")
        elif errors:
            for rid, text, wrong in figures["errors"]:
                print(f"- {rid} {text[:120]}\n    " + "\n    ".join(wrong))


def run_published_file(extractor, path: Path, records: list[dict], errors: bool, as_json: bool) -> None:
    """Figures of another file in the published-register shape (e.g. published_more.jsonl), every record."""
    import published_figures as pub

    records = [r for r in records if r.get("split") != "test"]  # a held-out part is read through --set only
    figures = pub.evaluate(records, extractor)
    if as_json:
        print(json.dumps({k: v for k, v in figures.items() if k != "errors"} | {"set": str(path)}))
        return
    print(pub.report(str(path), figures))
    if errors:
        for rid, text, wrong in figures["errors"]:
            print(f"- {rid} {text[:120]}\n    " + "\n    ".join(wrong))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--set", default="both", choices=["devset", "published", "both"], dest="which")
    parser.add_argument(
        "--split",
        default=None,
        choices=["test", "train", "dev", "all"],
        help="dev set: test (default), train or all; published file: dev, test or all (default)",
    )
    parser.add_argument("--errors", action="store_true", help="list every message with a wrong field")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument(
        "--file",
        type=Path,
        help="evaluate every record of this JSON-lines file (same record shape as the dev set) instead",
    )
    args = parser.parse_args(argv)

    from chanyan.extraction import get_extractor

    extractor = get_extractor()
    if args.file is None and args.which in ("published", "both"):
        if args.split not in (None, "dev", "test", "all"):
            parser.error("the published file has the splits dev and test")
        run_published(extractor, args.split or "all", args.errors, args.json)
        if args.which == "published":
            return 0
    if args.file is not None:
        records = load_devset(args.file, split=None)
        if records and all("register" in r for r in records):  # the published-register record shape
            run_published_file(extractor, args.file, records, args.errors, args.json)
            return 0
        parts = [(str(args.file), records)]
    else:
        split = args.split or "test"
        if split == "dev":
            parser.error("the dev set has the splits train and test")
        splits = ["train", "test"] if split == "all" else [split]
        parts = [(split, load_devset(split=split)) for split in splits]
    for split, records in parts:
        figures = evaluate(records, extractor)
        if args.json:
            print(
                json.dumps(
                    {k: v for k, v in figures.items() if k != "errors"} | {"split": split}, ensure_ascii=False
                )
            )
        else:
            label = {"test": "held-out (split=test)", "train": "training part (split=train)"}.get(
                split, split
            )
            print(report(label, figures))
        if args.errors:
            for rid, text, wrong in figures["errors"]:
                print(f"- {rid} {text}\n    " + "\n    ".join(wrong))
    return 0


if __name__ == "__main__":
    sys.exit(main())
