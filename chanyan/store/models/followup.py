"""Follow-up records (持续跟踪): agreements, service records, events and follow-up tasks.

Owned by chanyan.followup. Partners are kept as an id (of the registry, when the entry is there) and a name, so a
record stays readable whatever happens to the registry.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import relationship

from chanyan.store.models.base import Base, utcnow


class Agreement(Base):
    """A signed cooperation agreement (合作协议) between the enterprise of a request and one or more partners."""

    __tablename__ = "agreements"

    id = Column(Integer, primary_key=True)
    request_id = Column(Integer, ForeignKey("requests.id", ondelete="CASCADE"), nullable=False, index=True)
    enterprise_name = Column(String(200), nullable=False)
    coop_mode = Column(String(32), nullable=False)
    amount_cny = Column(BigInteger)
    signed_on = Column(Date, nullable=False, index=True)
    term = Column(String(100))
    attachments = Column(JSON, nullable=False, default=list)
    notes = Column(Text)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    created_by = Column(String(100), nullable=False)

    parties = relationship(
        "AgreementParty",
        back_populates="agreement",
        order_by="AgreementParty.id",
        cascade="all, delete-orphan",
    )


class AgreementParty(Base):
    """A partner that signed an agreement."""

    __tablename__ = "agreement_parties"

    id = Column(Integer, primary_key=True)
    agreement_id = Column(
        Integer, ForeignKey("agreements.id", ondelete="CASCADE"), nullable=False, index=True
    )
    partner_id = Column(Integer, index=True)
    name = Column(String(200), nullable=False)

    agreement = relationship("Agreement", back_populates="parties")


class ServiceRecord(Base):
    """A service the platform gave (服务: consultation, testing, a visit, a brokered meeting)."""

    __tablename__ = "service_records"

    id = Column(Integer, primary_key=True)
    request_id = Column(Integer, ForeignKey("requests.id", ondelete="CASCADE"), index=True)
    partner_id = Column(Integer, index=True)
    partner_name = Column(String(200))
    kind = Column(String(16), nullable=False)
    served_on = Column(Date, nullable=False, index=True)
    notes = Column(Text)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    created_by = Column(String(100), nullable=False)


class FollowupEvent(Base):
    """An activity (调研 | 交流 | 对接会) with its place and number of participants."""

    __tablename__ = "followup_events"

    id = Column(Integer, primary_key=True)
    kind = Column(String(16), nullable=False)
    title = Column(String(200), nullable=False)
    held_on = Column(Date, nullable=False, index=True)
    place = Column(String(200))
    participants = Column(Integer, nullable=False, default=0)
    notes = Column(Text)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    created_by = Column(String(100), nullable=False)

    links = relationship(
        "EventLink", back_populates="event", order_by="EventLink.id", cascade="all, delete-orphan"
    )


class EventLink(Base):
    """A request or a partner an event concerned."""

    __tablename__ = "event_links"

    id = Column(Integer, primary_key=True)
    event_id = Column(
        Integer, ForeignKey("followup_events.id", ondelete="CASCADE"), nullable=False, index=True
    )
    request_id = Column(Integer, ForeignKey("requests.id", ondelete="CASCADE"), index=True)
    partner_id = Column(Integer)
    partner_name = Column(String(200))

    event = relationship("FollowupEvent", back_populates="links")


class FollowupTask(Base):
    """Something staff must do on a request by a due time. Without an owner it falls to the request's assignee."""

    __tablename__ = "followup_tasks"
    __table_args__ = (Index("ix_followup_tasks_open_due", "done_at", "due_at"),)

    id = Column(Integer, primary_key=True)
    request_id = Column(Integer, ForeignKey("requests.id", ondelete="CASCADE"), nullable=False, index=True)
    agreement_id = Column(Integer, ForeignKey("agreements.id", ondelete="CASCADE"), index=True)
    kind = Column(String(16), nullable=False)
    title = Column(String(200), nullable=False)
    owner = Column(String(100))
    due_at = Column(DateTime, nullable=False)
    note = Column(Text)
    done_at = Column(DateTime)
    done_by = Column(String(100))
    done_note = Column(Text)
    notified_at = Column(DateTime)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    created_by = Column(String(100), nullable=False)

    request = relationship("Request")
