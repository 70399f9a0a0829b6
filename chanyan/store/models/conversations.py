"""Messages sent into a user's conversation from outside the bot (staff replies, progress notices), one row per
attempt with its outcome."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Index, Integer, String, Text

from chanyan.store.models.base import Base, utcnow

# pending: being delivered; sent: the channel took it; queued: kept in the transcript for the user's next visit;
# refused: not attempted (the channel's rules forbid it, see `reason`); failed: the channel or Rasa said no.
OUTBOUND_STATUSES: tuple[str, ...] = ("pending", "sent", "queued", "refused", "failed")


class OutboundMessage(Base):
    """One attempt to put a text into a conversation on its channel."""

    __tablename__ = "outbound_messages"
    __table_args__ = (Index("ix_outbound_messages_conversation", "conversation_id", "created_at"),)

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False)
    channel = Column(String(32), nullable=False)
    kind = Column(String(16), nullable=False)  # staff | notice
    author = Column(String(100))  # the staff member's name shown to the user; empty for a system notice
    text = Column(Text, nullable=False)
    request_ref = Column(String(32), index=True)  # the request a notice is about, if any
    status = Column(String(16), nullable=False, default="pending")
    reason = Column(String(64))  # why it was refused or failed (a code, e.g. wechat_window_closed)
    detail = Column(Text)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    finished_at = Column(DateTime)
