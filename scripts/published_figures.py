"""Figures on tests/extraction/data/published.jsonl: text in the registers of published needs.

Used by scripts/eval_extraction.py. The file's records carry, besides the dev set's domain, budget and timeline
labels, `register` (news | title | announcement | form | self | nontech), `script` (simplified | traditional),
`not_budget` (amounts in the text that are not the project's funds: unit costs, prices, counts, loans, revenue …),
`not_technical` (financing | hiring | selling | subsidy, or null) and, for forms, `labelled` (slot → value).
The held-out part (split == "test", about 40 %, chosen by a hash of the record id) is reported as totals only.
"""

from __future__ import annotations

import json
import statistics
import time
from collections import defaultdict
from datetime import datetime
from pathlib import Path

PUBLISHED = Path(__file__).resolve().parent.parent / "tests" / "extraction" / "data" / "published.jsonl"
# The targets for the held-out part (the evaluation note in the README).
TARGETS = {"domain_top1": 0.92, "domain_top3": 0.98, "budget_exact": 0.97, "timeline_exact": 0.97}
# Marker kinds that must never become the budget (a unit cost or a count read as the project's funds).
NEVER_BUDGET = ("unit_cost", "price", "count", "output")


def load(path: Path = PUBLISHED, split: str = "all") -> list[dict]:
    """Records of the published-register file, optionally one split ("dev" or "test")."""
    with open(path, encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    return [r for r in records if split == "all" or r["split"] == split]


def _budget_key(b: dict | None):
    return None if b is None else (b.get("min_cny"), b.get("max_cny"), b.get("kind"))


def _timeline_key(t: dict | None):
    return None if t is None else (t.get("deadline"), t.get("months"))


def _span_of(text: str, fragment: str | None) -> tuple[int, int] | None:
    if not fragment:
        return None
    start = text.find(fragment)
    return None if start < 0 else (start, start + len(fragment))


def _taken(record: dict, budget: dict | None) -> list[dict]:
    """The not-a-budget markers the predicted budget was read from."""
    if not budget:
        return []
    span = _span_of(record["text"], budget.get("text"))
    taken = []
    for marker in record.get("not_budget") or ():
        m_span = _span_of(record["text"], marker["text"])
        if (
            span
            and m_span
            and span[0] < m_span[1]
            and m_span[0] < span[1]
            or not span
            and budget.get("text")
            and budget["text"] in marker["text"]
        ):
            taken.append(marker)
    return taken


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank); 0 for no values."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def evaluate(records: list[dict], extractor) -> dict:
    """Every figure `make eval` prints for the published-register file, and the misses (id, text, what)."""
    c: dict[str, int] = defaultdict(int)
    by_group: dict[str, list[int]] = defaultdict(lambda: [0, 0])  # group -> [top-1 hits, n]
    labelled: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    timings, errors = [], []
    for record in records:
        now = datetime.fromisoformat(record["now"])
        started = time.perf_counter()
        pred = extractor.extract(record["text"], now=now)
        timings.append((time.perf_counter() - started) * 1000)
        codes = [d["code"] for d in pred["domains"]]
        subs = [d["sub_code"] for d in pred["domains"]]
        wrong = []
        if record["domain"] is None:
            ok1 = ok3 = sok1 = not codes
        else:
            ok1, ok3 = codes[:1] == [record["domain"]], record["domain"] in codes[:3]
            sok1 = subs[:1] == [record["sub_code"]]
        c["top1"] += ok1
        c["top3"] += ok3
        c["sub_top1"] += sok1
        if not ok3 or not sok1:
            wrong.append(f"domain: gold={record['sub_code']} pred={subs}")
        for group in (record["register"], record["script"]):
            by_group[group][0] += ok1
            by_group[group][1] += 1
        for name, key, gold, got in (
            ("budget", _budget_key, record["budget"], pred["budget"]),
            ("timeline", _timeline_key, record["timeline"], pred["timeline"]),
        ):
            same = key(gold) == key(got)
            c[f"{name}_exact"] += same
            if gold is not None:
                c[f"{name}_gold"] += 1
                c[f"{name}_gold_hit"] += same
            if not same:
                wrong.append(f"{name}: gold={key(gold)} pred={key(got)} ({(got or {}).get('text')})")
        markers = record.get("not_budget") or ()
        c["markers"] += len(markers)
        taken = _taken(record, pred["budget"])
        c["markers_taken"] += len(taken)
        c["never_taken"] += sum(1 for m in taken if m["kind"] in NEVER_BUDGET)
        if taken:
            wrong.append("not a budget, taken: " + "; ".join(f"{m['text']} ({m['kind']})" for m in taken))
        flag = pred.get("not_technical")
        gold_kind = record.get("not_technical")
        if gold_kind:
            c["nontech"] += 1
            c["nontech_no_domain"] += not codes
            c["nontech_flag"] += bool(flag) and flag.get("kind") == gold_kind
            if codes or not flag or flag.get("kind") != gold_kind:
                wrong.append(f"not technical: gold={gold_kind} pred={flag} domains={subs}")
        elif flag:
            c["flag_false"] += 1
            wrong.append(f"not technical: gold=None pred={flag}")
        if record["register"] == "self":
            c["self"] += 1
            c["self_no_domain"] += not codes
        for slot, value in (record.get("labelled") or {}).items():
            got_value = (pred.get("labelled") or {}).get(slot)
            labelled[slot][0] += got_value == value
            labelled[slot][1] += 1
            if got_value != value:
                wrong.append(f"labelled {slot}: gold={value!r} pred={got_value!r}")
        if wrong:
            errors.append((record["id"], record["text"], wrong))
    n = len(records) or 1

    def ratio(a: str, b: str) -> float:
        return c[a] / c[b] if c[b] else 1.0

    return {
        "n": len(records),
        "domain_top1": c["top1"] / n,
        "domain_top3": c["top3"] / n,
        "sub_top1": c["sub_top1"] / n,
        "budget_exact": c["budget_exact"] / n,
        "budget_found": ratio("budget_gold_hit", "budget_gold"),
        "timeline_exact": c["timeline_exact"] / n,
        "timeline_found": ratio("timeline_gold_hit", "timeline_gold"),
        "markers": c["markers"],
        "markers_taken": c["markers_taken"],
        "never_budget_taken": c["never_taken"],
        "not_a_budget_precision": 1 - ratio("markers_taken", "markers") if c["markers"] else 1.0,
        "nontech": c["nontech"],
        "nontech_no_domain": ratio("nontech_no_domain", "nontech"),
        "nontech_flag": ratio("nontech_flag", "nontech"),
        "flag_false": c["flag_false"],
        "self_no_domain": ratio("self_no_domain", "self"),
        "top1_by_group": {g: hits / total for g, (hits, total) in sorted(by_group.items())},
        "labelled": {slot: hits / total for slot, (hits, total) in sorted(labelled.items())},
        "latency_p50_ms": statistics.median(timings) if timings else 0.0,
        "latency_p99_ms": percentile(timings, 99),
        "errors": errors,
    }


def report(title: str, f: dict, targets: bool = False) -> str:
    """A plain-text table of the figures; with `targets`, each target line says whether it is met."""

    def mark(name: str) -> str:
        if not targets or name not in TARGETS:
            return ""
        return "   ok" if f[name] >= TARGETS[name] else f"   BELOW TARGET {TARGETS[name]:.0%}"

    groups = "  ".join(f"{g} {v:.0%}" for g, v in f["top1_by_group"].items())
    slots = "  ".join(f"{s} {v:.0%}" for s, v in f["labelled"].items()) or "-"
    lines = [
        f"== {title}: {f['n']} messages ==",
        f"domain top-1 {f['domain_top1']:.1%}{mark('domain_top1')}",
        f"domain top-3 {f['domain_top3']:.1%}{mark('domain_top3')}",
        f"category top-1 {f['sub_top1']:.1%}",
        f"budget exact {f['budget_exact']:.1%}{mark('budget_exact')}   (labelled budgets found {f['budget_found']:.1%})",
        f"timeline exact {f['timeline_exact']:.1%}{mark('timeline_exact')}   (labelled timelines found "
        f"{f['timeline_found']:.1%})",
        f"not a budget: {f['markers_taken']} of {f['markers']} amounts taken as the budget "
        f"(precision {f['not_a_budget_precision']:.1%}); unit costs, prices or counts taken: "
        f"{f['never_budget_taken']}" + ("   ok" if targets and not f["never_budget_taken"] else ""),
        f"not technical: no domain {f['nontech_no_domain']:.1%}, flag right {f['nontech_flag']:.1%} "
        f"(of {f['nontech']}); flag on a technical need: {f['flag_false']}",
        f"self-descriptions with no domain {f['self_no_domain']:.1%}",
        f"top-1 by group: {groups}",
        f"labelled form fields exact: {slots}",
        f"latency p50 {f['latency_p50_ms']:.2f} ms   p99 {f['latency_p99_ms']:.2f} ms",
    ]
    return "\n".join(lines)
