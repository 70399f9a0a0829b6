"""Delivery problems on the channels (e.g. a WeChat API error), for staff to see."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, Integer, String, Text

from chanyan.store.models.base import Base, utcnow


class ChannelIncident(Base):
    """A delivery problem on a channel (e.g. a WeChat API error) that staff should see."""

    __tablename__ = "channel_incidents"

    id = Column(Integer, primary_key=True)
    conversation_id = Column(String(255), nullable=False, index=True)
    channel = Column(String(32), nullable=False)
    kind = Column(String(64), nullable=False)
    detail = Column(Text)
    created_at = Column(DateTime, nullable=False, default=utcnow)
