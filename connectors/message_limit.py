"""What a channel tells a user whose message is over the limit (chanyan.domain.schema.MAX_MESSAGE_CHARS).

Longer input is refused before Rasa sees it (classifying 10,000 characters blocks the event loop for seconds),
with a notice instead of a silent cut.
"""

from __future__ import annotations

from chanyan.domain.schema import MAX_MESSAGE_CHARS

__all__ = ["MAX_MESSAGE_CHARS", "TOO_LONG_NOTICE", "too_long"]
TOO_LONG_NOTICE = f"您的消息超过了{MAX_MESSAGE_CHARS}字，未能发送。请精简后再发，或分几条发送。"


def too_long(text: str, limit: int = MAX_MESSAGE_CHARS) -> bool:
    """Whether `text` is over the limit (counted in characters, as the user sees them)."""
    return len(text) > limit
