"""JioNLP, imported once and quietly: it prints a banner to stdout on import, which would corrupt JSON output."""

from __future__ import annotations

import contextlib
import io
import threading
from types import ModuleType

_LOCK = threading.Lock()
_MODULE: ModuleType | None = None


def jionlp() -> ModuleType:
    """The jionlp module, its import banner swallowed."""
    global _MODULE
    with _LOCK:
        if _MODULE is None:
            with contextlib.redirect_stdout(io.StringIO()):
                import jionlp as module
            _MODULE = module
        return _MODULE
