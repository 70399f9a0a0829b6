"""Recent web chat traffic per session, kept in memory until the tracker store has it.

Rasa saves a conversation's events only when the turn is over, after the bot's messages went out. A client
that reloads or reconnects in between would find neither its own message nor the reply in the tracker; the
journal bridges that gap (and remembers which client message ids were taken, so a resent message is handled
once). Entries expire after a few minutes: by then the tracker holds them.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field

from connectors.webchat.transcript import Item

JOURNAL_TTL_S = 600.0
ITEMS_PER_SESSION = 60
IDS_PER_SESSION = 200
MAX_SESSIONS = 20_000


@dataclass
class _Session:
    touched: float
    items: deque[tuple[float, Item]] = field(default_factory=lambda: deque(maxlen=ITEMS_PER_SESSION))
    message_ids: OrderedDict[str, float] = field(default_factory=OrderedDict)


class Journal:
    """Per-session recent items and taken message ids, bounded in count and age."""

    def __init__(self, ttl_s: float = JOURNAL_TTL_S, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl_s = ttl_s
        self._clock = clock
        self._sessions: OrderedDict[str, _Session] = OrderedDict()

    def _session(self, session_id: str) -> _Session:
        now = self._clock()
        self._expire(now)
        entry = self._sessions.get(session_id)
        if entry is None:
            entry = self._sessions[session_id] = _Session(touched=now)
        entry.touched = now
        self._sessions.move_to_end(session_id)
        return entry

    def _expire(self, now: float) -> None:
        while self._sessions:
            oldest_id, oldest = next(iter(self._sessions.items()))
            if now - oldest.touched < self.ttl_s and len(self._sessions) <= MAX_SESSIONS:
                break
            del self._sessions[oldest_id]

    def add(self, session_id: str, item: Item) -> None:
        self._session(session_id).items.append((self._clock(), item))

    def items(self, session_id: str) -> list[Item]:
        entry = self._sessions.get(session_id)
        if entry is None:
            return []
        cutoff = self._clock() - self.ttl_s
        return [item for at, item in entry.items if at >= cutoff]

    def take(self, session_id: str, message_id: str) -> bool:
        """Record `message_id` for the session; False when it was already taken (a resend)."""
        entry = self._session(session_id)
        if message_id in entry.message_ids:
            return False
        entry.message_ids[message_id] = self._clock()
        while len(entry.message_ids) > IDS_PER_SESSION:
            entry.message_ids.popitem(last=False)
        return True

    def forget(self, session_id: str) -> None:
        """Drop what is kept for a session (after its personal data was erased)."""
        self._sessions.pop(session_id, None)
