#!/usr/bin/env python
"""Matching quality on the project's dev set: our matcher against a plain BM25 over jieba tokens.

python scripts/eval_match.py [--split dev|heldout|all] [--misses N] [--data DIR]

Reads the pool (registry entries) and the needs (each with the entries that can solve it and a split) from
tests/matching/data/. Prints hit@1/5/10, MRR and nDCG@10 for both systems on each split; the held-out part only
as totals (never need by need), with the targets: hit@10 >= 0.75 and MRR >= 1.5x the plain BM25's. Each run that
shows held-out figures is counted in var/eval_match_heldout_looks.
`--misses N` lists up to N dev needs whose first relevant entry is not in our top 10 (dev only).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATA_DIR = ROOT / "tests" / "matching" / "data"
LOOKS_FILE = Path(os.environ.get("CHANYAN_VAR_DIR", ROOT / "var")) / "eval_match_heldout_looks"
CUTOFFS = (1, 5, 10)
DEPTH = 100  # ranks considered for MRR
TARGET_HIT10 = 0.75
TARGET_MRR_RATIO = 1.5
_PUNCT = re.compile(r"^[\W_]+$")


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def read_dir(directory: Path) -> list[dict]:
    """Every *.jsonl in a directory (sorted by name), or the single file `directory`.jsonl."""
    if directory.is_dir():
        return [r for path in sorted(directory.glob("*.jsonl")) for r in read_jsonl(path)]
    single = directory.with_suffix(".jsonl")
    return read_jsonl(single) if single.exists() else []


def relevance(need: Mapping) -> dict[str, float]:
    """The entries that solve a need → gain: [{"id": "P80-017", "grade": 2}, ...] (plain ids count 1)."""
    gains: dict[str, float] = {}
    for item in need.get("relevant") or ():
        if isinstance(item, Mapping):
            grade = float(item.get("grade", 1))
            if grade > 0:
                gains[str(item["id"])] = grade
        else:
            gains[str(item)] = 1.0
    return gains


@dataclass
class Scores:
    n: int = 0
    hits: dict[int, float] | None = None
    mrr: float = 0.0
    ndcg: float = 0.0

    def add(self, ranked: list[str], gains: Mapping[str, float]) -> None:
        self.hits = self.hits or {k: 0.0 for k in CUTOFFS}
        self.n += 1
        first = next((i for i, pid in enumerate(ranked[:DEPTH]) if pid in gains), None)
        for k in CUTOFFS:
            self.hits[k] += first is not None and first < k
        self.mrr += 1.0 / (first + 1) if first is not None else 0.0
        dcg = sum(gains.get(pid, 0.0) / math.log2(i + 2) for i, pid in enumerate(ranked[:10]))
        ideal = sum(g / math.log2(i + 2) for i, g in enumerate(sorted(gains.values(), reverse=True)[:10]))
        self.ndcg += dcg / ideal if ideal else 0.0

    def row(self) -> dict[str, float]:
        n = max(self.n, 1)
        hits = self.hits or {k: 0.0 for k in CUTOFFS}
        return {
            **{f"hit@{k}": hits[k] / n for k in CUTOFFS},
            "MRR": self.mrr / n,
            "nDCG@10": self.ndcg / n,
        }


class Ours:
    """The product's matcher on the pool, built through the import path (cleaning, tagging, tokens)."""

    def __init__(self, pool: list[dict]) -> None:
        from chanyan.extraction import get_extractor
        from chanyan.partners.analysis import get_analyzer
        from chanyan.partners.entries import clean_entry
        from chanyan.partners.matcher import PartnerDoc, PartnerMatcher
        from chanyan.partners.registry import default_tagger, stored_values

        self.extractor = get_extractor()
        analyzer = get_analyzer()
        tagger = default_tagger()
        docs, self.ids = [], []
        for position, raw in enumerate(pool):
            values = stored_values(clean_entry(raw, self.extractor.taxonomy), analyzer, tagger)
            docs.append(
                PartnerDoc(
                    id=position,
                    name=values["name"],
                    kind=values["kind"],
                    parent=values["parent"],
                    province=values["province"],
                    city=values["city"],
                    domains=tuple((d["code"], d.get("sub_code")) for d in values["domains"]),
                    tokens=tuple(values["tokens"].split()),
                )
            )
            self.ids.append(str(raw["id"]))
        self.matcher = PartnerMatcher(docs, analyzer)

    def rank(self, need: Mapping) -> list[str]:
        from chanyan.partners.shortlist import need_for_text

        found = self.matcher.match(need_for_text(need, self.extractor), top_k=DEPTH)
        return [self.ids[c.id] for c in found]


class PlainBM25:
    """The baseline: bm25s over jieba's default segmentation of the same texts, nothing else."""

    def __init__(self, pool: list[dict]) -> None:
        import jieba

        from chanyan.partners.lexical import LexicalIndex
        from chanyan.partners.registry import analysis_text

        self._jieba = jieba.Tokenizer()
        self.ids = [str(r["id"]) for r in pool]
        texts = [analysis_text(_flat_keywords(r)) for r in pool]
        self.index = LexicalIndex([self.tokens(t) for t in texts])

    def tokens(self, text: str) -> list[str]:
        return [t for t in (w.strip() for w in self._jieba.lcut(text)) if t and not _PUNCT.match(t)]

    def rank(self, need: Mapping) -> list[str]:
        import numpy as np

        scores = self.index.scores(self.tokens(str(need.get("text") or "")))
        order = np.argsort(-scores, kind="stable")[:DEPTH]
        return [self.ids[i] for i in order if scores[i] > 0]


def _flat_keywords(raw: Mapping) -> dict:
    values = dict(raw)
    keywords = values.get("keywords") or values.get("关键词") or []
    values["keywords"] = keywords if isinstance(keywords, list) else re.split(r"[,，;；、\s]+", str(keywords))
    for chinese, english in (
        ("名称", "name"),
        ("所属单位", "parent"),
        ("能力简介", "capability"),
        ("代表成果", "achievements"),
    ):
        values.setdefault(english, values.get(chinese))
    return values


def evaluate(systems: Mapping[str, object], needs: Iterable[dict]) -> dict[str, Scores]:
    scores = {name: Scores() for name in systems}
    for need in needs:
        gains = relevance(need)
        if not gains:
            continue
        for name, system in systems.items():
            scores[name].add(system.rank(need), gains)  # type: ignore[attr-defined]
    return scores


def print_table(title: str, scores: Mapping[str, Scores]) -> None:
    n = next(iter(scores.values())).n
    print(f"\n{title} ({n} needs)")
    columns = [*(f"hit@{k}" for k in CUTOFFS), "MRR", "nDCG@10"]
    print(f"  {'system':<12}" + "".join(f"{c:>9}" for c in columns))
    for name, s in scores.items():
        row = s.row()
        print(f"  {name:<12}" + "".join(f"{row[c]:9.3f}" for c in columns))


def count_look() -> int:
    LOOKS_FILE.parent.mkdir(parents=True, exist_ok=True)
    looks = int(LOOKS_FILE.read_text().strip() or 0) if LOOKS_FILE.exists() else 0
    LOOKS_FILE.write_text(str(looks + 1))
    return looks + 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--split", choices=("dev", "heldout", "all"), default="all")
    parser.add_argument("--misses", type=int, default=0, help="list up to N dev needs we miss (dev only)")
    parser.add_argument("--data", type=Path, default=DATA_DIR)
    args = parser.parse_args(argv)

    pool = read_dir(args.data / "pool")
    needs = read_dir(args.data / "needs")
    if not pool or not needs:
        print(f"no matching data under {args.data}", file=sys.stderr)
        return 2
    systems = {"ours": Ours(pool), "plain BM25": PlainBM25(pool)}
    print(
        f"pool: {len(pool)} entries; needs: {len(needs)} "
        f"({sum(n.get('split') == 'dev' for n in needs)} dev, {sum(n.get('split') == 'heldout' for n in needs)} held-out)"
    )
    ok = True
    if args.split in ("dev", "all"):
        dev = [n for n in needs if n.get("split") == "dev"]
        print_table("dev", evaluate(systems, dev))
        if args.misses:
            ours = systems["ours"]
            shown = 0
            for need in dev:
                gains = relevance(need)
                ranked = ours.rank(need)  # type: ignore[attr-defined]
                if not any(pid in gains for pid in ranked[:10]) and shown < args.misses:
                    shown += 1
                    print(
                        f"  miss {need.get('id')}: {str(need.get('text'))[:60]} | want {sorted(gains)} | got {ranked[:5]}"
                    )
    if args.split in ("heldout", "all"):
        held = evaluate(systems, [n for n in needs if n.get("split") == "heldout"])
        print_table("held-out, totals only", held)
        ours, plain = held["ours"].row(), held["plain BM25"].row()
        ratio = ours["MRR"] / plain["MRR"] if plain["MRR"] else float("inf")
        hit_ok, mrr_ok = ours["hit@10"] >= TARGET_HIT10, ratio >= TARGET_MRR_RATIO
        print(
            f"  targets: hit@10 {ours['hit@10']:.3f} >= {TARGET_HIT10} {'OK' if hit_ok else 'MISSED'}; "
            f"MRR ratio {ratio:.2f} >= {TARGET_MRR_RATIO} {'OK' if mrr_ok else 'MISSED'}"
        )
        print(f"  held-out looks so far: {count_look()}")
        ok = hit_ok and mrr_ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
