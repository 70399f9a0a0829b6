"""The province of an enterprise, read from its name by JioNLP's location parser (cached: names repeat)."""

from __future__ import annotations

import re
import threading
from functools import lru_cache

_SUFFIX = re.compile(r"(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)$")
_LOCK = threading.Lock()


@lru_cache(maxsize=4096)
def province_of(name: str | None) -> str | None:
    """苏州精工机械有限公司 → 江苏; 北京某某科技 → 北京; a name without a place → None."""
    if not name or not name.strip():
        return None
    from chanyan.extraction.jio import jionlp

    with _LOCK:  # the parser keeps state between calls
        found = jionlp().parse_location(name.strip())
    province = (found or {}).get("province")
    return _SUFFIX.sub("", province) or None if province else None
