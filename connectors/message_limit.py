"""The longest user message any channel hands to the NLU, and what the user is told beyond it.

Longer input is refused before Rasa sees it (classifying 10,000 characters blocks the event loop for seconds),
with a notice instead of a silent cut.
"""

from __future__ import annotations

MAX_MESSAGE_CHARS = 1000
TOO_LONG_NOTICE = f"您的消息超过了{MAX_MESSAGE_CHARS}字，未能发送。请精简后再发，或分几条发送。"


def too_long(text: str, limit: int = MAX_MESSAGE_CHARS) -> bool:
    """Whether `text` is over the limit (counted in characters, as the user sees them)."""
    return len(text) > limit
