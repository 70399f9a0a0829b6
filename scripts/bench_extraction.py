#!/usr/bin/env python
"""Latency of `Extractor.extract` per message after load (p50/p99), one thread: on the chat-style dev set's
texts and, separately, on the published-register file's (news, titles, long pasted forms).

python scripts/bench_extraction.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

# One core: the numeric libraries must not spread a message over several threads.
for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank)."""
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))
    return ordered[index]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=5, help="passes over the dev set")
    args = parser.parse_args(argv)

    from eval_extraction import load_devset

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    started = time.perf_counter()
    from chanyan.extraction import get_extractor

    extractor = get_extractor()
    load_s = time.perf_counter() - started
    import published_figures

    model = extractor.nlp is not None
    size = (
        sum(f.stat().st_size for f in Path(extractor_model_dir()).rglob("*") if f.is_file()) if model else 0
    )
    print(f"load {load_s:.1f} s   spaCy model {'%.1f MB' % (size / 1e6) if model else 'absent (rules only)'}")
    sets = (
        ("dev-set messages", [r["text"] for r in load_devset(split="all")]),
        ("published-register messages", [r["text"] for r in published_figures.load()]),
    )
    now = datetime(2026, 3, 15, 10)
    for name, texts in sets:
        timings = []
        for _ in range(args.rounds):
            for text in texts:
                t0 = time.perf_counter()
                extractor.extract(text, now=now)
                timings.append((time.perf_counter() - t0) * 1000)
        print(f"== latency: {len(timings)} extractions of {len(texts)} {name}, one core ==")
        print(
            f"p50 {statistics.median(timings):.2f} ms   p90 {percentile(timings, 90):.2f} ms   "
            f"p99 {percentile(timings, 99):.2f} ms   max {max(timings):.2f} ms"
        )
    return 0


def extractor_model_dir() -> Path:
    """The spaCy pipeline directory the extractor loads."""
    from chanyan.extraction.spacy_pipeline import model_dir

    return model_dir()


if __name__ == "__main__":
    sys.exit(main())
