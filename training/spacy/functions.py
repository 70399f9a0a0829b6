"""Loaded by `spacy train --code`: registers chanyan's callbacks (our own jieba tokenizer for the zh pipeline)."""

import chanyan.extraction.spacy_pipeline  # noqa: F401  (registers "chanyan.own_jieba.v1")
