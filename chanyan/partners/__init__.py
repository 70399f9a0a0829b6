"""合作资源库 and 遴选匹配: the registry of research partners and the ranked, explained shortlist of a request.

vocabulary  kinds, stages, import columns (one home for these names)
entries     checking one row; readers: .jsonl/.csv/.xlsx files; regions: {province, city}
analysis    text → tokens (OpenCC t2s, jieba, taxonomy terms); lexical: BM25 (bm25s); matcher: ranking + reasons
registry    import, add, edit (audited), list, export; index: the per-process index kept fresh
shortlist   the candidates of a request and their stages; invitation: the e-mail to a candidate
"""

from pathlib import Path

# Fictional entries, written for trying the product (make run, then `chanyan partners import` this file).
SAMPLE_REGISTRY = Path(__file__).resolve().parent / "sample_registry.jsonl"
