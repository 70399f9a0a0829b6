"""Need titles (需求名称) proposed from the description when the user does not give one."""

from __future__ import annotations

import re

from chanyan.domain.schema import SLOT_MAX_CHARS
from chanyan.domain.validation import normalize_text

# A proposal is a short phrase the user confirms at the summary; the field itself may hold up to
# SLOT_MAX_CHARS["need_title"] when the user types a longer title.
PROPOSED_TITLE_CHARS = min(24, SLOT_MAX_CHARS["need_title"])

_WANT = re.compile(r"(?:想要|想|希望|需要|打算|计划|要|求)(?:做|实现|解决|开发|研发|找人|找)?")
_CLAUSE_SPLIT = re.compile(r"[，,。.;；!！?？\n]")


def propose_title(description: str) -> str:
    """A short need title proposed from the description: the clause that says what is wanted, trimmed."""
    clauses = [c.strip() for c in _CLAUSE_SPLIT.split(normalize_text(description)) if c.strip()]
    if not clauses:
        return ""
    chosen = next((c for c in clauses if _WANT.search(c)), clauses[0])
    match = _WANT.search(chosen)
    if match and len(chosen) - match.end() >= 4:
        chosen = chosen[match.end() :]
    chosen = re.sub(r"^(?:我们|我司|公司|一下|一个|一套|个|套)", "", chosen).strip()
    return chosen[:PROPOSED_TITLE_CHARS] or clauses[0][:PROPOSED_TITLE_CHARS]
