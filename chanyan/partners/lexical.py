"""Lexical retrieval over pre-cut tokens with bm25s (Okapi BM25, sparse precomputed scores).

bm25s imports JAX when it is installed (TensorFlow pulls it in) only to pick a top-k backend; that costs about a
second and prints "No GPU/TPU found". We score every document and select with numpy ourselves, so JAX is kept
out of the import.

Scoring reads bm25s's precomputed per-token columns directly: bm25s adds a column with `np.add.at`, which is an
order of magnitude slower than a plain indexed add, and a column never names a document twice, so the plain add
gives the same sums in the same order.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence
from types import ModuleType

import numpy as np

K1 = 1.2
B = 0.75
_LOCK = threading.Lock()
_BM25S: ModuleType | None = None


def bm25s_module() -> ModuleType:
    """The bm25s package, imported without JAX unless JAX is already loaded in this process."""
    global _BM25S
    with _LOCK:
        if _BM25S is None:
            blocked = "jax" not in sys.modules
            if blocked:
                sys.modules["jax"] = None  # type: ignore[assignment]  # makes `import jax` fail fast
            try:
                import bm25s
            finally:
                if blocked and sys.modules.get("jax", 0) is None:
                    del sys.modules["jax"]
            _BM25S = bm25s
        return _BM25S


class LexicalIndex:
    """BM25 over documents given as token lists; `scores(query)` gives one score per document, in order."""

    def __init__(self, documents: Sequence[Sequence[str]], k1: float = K1, b: float = B) -> None:
        bm25s = bm25s_module()
        self.size = len(documents)
        self._retriever = None
        if self.size:
            # bm25s needs at least one token per document; an empty one gets a token no query contains.
            corpus = [list(doc) if doc else ["\0"] for doc in documents]
            self._retriever = bm25s.BM25(k1=k1, b=b)
            self._retriever.index(corpus, show_progress=False)
            self._vocab = self._retriever.vocab_dict
            matrix = self._retriever.scores
            self._data = np.asarray(matrix["data"])
            self._indices = np.asarray(matrix["indices"])
            self._indptr = np.asarray(matrix["indptr"])
            self._dtype = np.dtype(self._retriever.dtype)
            self._nonoccurrence = self._retriever.nonoccurrence_array

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for the query tokens (a repeated token counts again)."""
        if self._retriever is None:
            return np.zeros(0, dtype=np.float32)
        ids = [self._vocab[t] for t in query if t in self._vocab and t != "\0"]
        if not ids:
            return np.zeros(self.size, dtype=np.float32)
        scores = np.zeros(self.size, dtype=self._dtype)
        data, indices, indptr = self._data, self._indices, self._indptr
        for token_id in ids:
            start, end = indptr[token_id], indptr[token_id + 1]
            scores[indices[start:end]] += data[start:end]
        if self._nonoccurrence is not None:
            scores += self._nonoccurrence[np.asarray(ids)].sum()
        return scores
