"""Lexical retrieval over pre-cut tokens with bm25s (Okapi BM25, sparse precomputed scores).

bm25s imports JAX when it is installed (TensorFlow pulls it in) only to pick a top-k backend; that costs about a
second and prints "No GPU/TPU found". We score every document and select with numpy ourselves, so JAX is kept
out of the import.
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

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """BM25 score of every document for the query tokens (a repeated token counts again)."""
        if self._retriever is None:
            return np.zeros(0, dtype=np.float32)
        ids = [self._vocab[t] for t in query if t in self._vocab and t != "\0"]
        if not ids:
            return np.zeros(self.size, dtype=np.float32)
        return self._retriever.get_scores(ids)
