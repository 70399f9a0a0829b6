"""What the command groups share: the database session, printing one record, and an export's target file."""

from __future__ import annotations

import contextlib
import json
import sys
from collections.abc import Callable, Iterator
from typing import Any, TextIO

from chanyan.settings import Settings

EXIT_NOT_FOUND = 1


def session_factory(settings: Settings):
    """A sessionmaker on the requests database (imported lazily: `chanyan --help` stays fast)."""
    from chanyan.store.session import make_engine, make_sessionmaker

    return make_sessionmaker(make_engine(settings.database_url))


def show_record(
    settings: Settings,
    out: TextIO,
    load: Callable[[Any], dict[str, Any]],
    not_found: type[Exception],
    missing: str,
) -> int:
    """Print the record `load(session)` returns as indented JSON; when it raises `not_found`, the error
    `missing` on standard error and exit status 1."""
    with session_factory(settings)() as session:
        try:
            record = load(session)
        except not_found:
            print(f"error: {missing}", file=sys.stderr)
            return EXIT_NOT_FOUND
    print(json.dumps(record, ensure_ascii=False, indent=2), file=out)
    return 0


@contextlib.contextmanager
def export_target(path: str | None, fmt: str, out: TextIO) -> Iterator[TextIO]:
    """Where an export writes: the file `path`, or `out` when there is none."""
    if not path:
        yield out
        return
    # Excel opens a CSV as UTF-8 only with a BOM.
    encoding = "utf-8-sig" if fmt == "csv" else "utf-8"
    with open(path, "w", encoding=encoding, newline="") as target:
        yield target
