"""The one clock: the platform's time zone (CHANYAN_TZ) and the conversions every process uses.

The database keeps naive UTC; people see local time (reference numbers, exports, relative dates such as 明年底).
"""

from __future__ import annotations

import functools
import os
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

DEFAULT_TZ = "Asia/Shanghai"


def tz_name() -> str:
    """The configured time zone name (CHANYAN_TZ, default Asia/Shanghai)."""
    return os.environ.get("CHANYAN_TZ", "").strip() or DEFAULT_TZ


@functools.cache
def zone(name: str) -> ZoneInfo:
    """A ZoneInfo by name, cached."""
    return ZoneInfo(name)


def local_tz() -> ZoneInfo:
    """The platform's time zone."""
    return zone(tz_name())


def utcnow() -> datetime:
    """Naive UTC now: every timestamp in the database is naive UTC."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


def now_local() -> datetime:
    """Now, aware, in the platform's time zone."""
    return datetime.now(local_tz())


def to_local(moment: datetime, tz: ZoneInfo | None = None) -> datetime:
    """A database timestamp (naive UTC) or an aware one, in local time."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(tz or local_tz())


def iso_local(moment: datetime | None) -> str | None:
    """ISO 8601 with the offset, in local time (API timestamps carry their offset)."""
    return None if moment is None else to_local(moment).isoformat(timespec="seconds")
