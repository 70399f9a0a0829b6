"""Models of the research-partner registry (合作资源库) and of the candidates proposed for a request.

Owned by chanyan.partners; migration 0003_partners.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import relationship

from chanyan.store.models.base import Base, ChangeLogColumns, utcnow


class Partner(Base):
    """A registry entry: an institution, a lab or team, or an expert. (name, kind) identifies it on import."""

    __tablename__ = "partners"
    __table_args__ = (UniqueConstraint("name", "kind", name="uq_partners_name_kind"),)

    id = Column(Integer, primary_key=True)
    name = Column(String(200), nullable=False)
    kind = Column(String(16), nullable=False, index=True)
    parent = Column(String(200))
    province = Column(String(32), index=True)
    city = Column(String(32))
    capability = Column(Text, nullable=False)
    achievements = Column(Text)
    # [{"code": "80", "sub_code": "803"}]; domains_tagged: proposed by the extractor, not given by the source.
    domains = Column(JSON, nullable=False, default=list)
    domains_tagged = Column(Boolean, nullable=False, default=False)
    domain_codes = Column(String(64))  # " 80 803 40 ": every code of `domains`, for filtering with LIKE
    keywords = Column(JSON, nullable=False, default=list)
    contact_name = Column(String(100))
    contact_phone = Column(String(40))
    contact_email = Column(String(254))
    url = Column(String(500))
    source = Column(String(200))
    reviewed_at = Column(Date)
    # Console search (NFKC, lower case, simplified script) and the matcher's pre-cut tokens (space-separated),
    # with the fingerprint of the analysis that cut them.
    search_text = Column(Text)
    tokens = Column(Text)
    tokens_fingerprint = Column(String(16))
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    created_by = Column(String(100))
    updated_by = Column(String(100))


class RegistryState(Base):
    """One row: a counter bumped in the same transaction as every registry change, so each process can tell
    cheaply whether its match index is stale."""

    __tablename__ = "partner_registry_state"

    id = Column(Integer, primary_key=True)
    version = Column(Integer, nullable=False, default=0)
    updated_at = Column(DateTime, nullable=False, default=utcnow)


class PartnerAudit(ChangeLogColumns, Base):
    """Who changed what on a registry entry (created, edited, imported)."""

    __tablename__ = "partner_audit"

    id = Column(Integer, primary_key=True)
    partner_id = Column(Integer, ForeignKey("partners.id", ondelete="CASCADE"), nullable=False, index=True)
    action = Column(String(16), nullable=False)
    field = Column(String(32))


class Candidate(Base):
    """A registry entry proposed for a request, and how far staff have taken it (候选 → 已联系 → …)."""

    __tablename__ = "request_candidates"
    __table_args__ = (
        UniqueConstraint("request_id", "partner_id", name="uq_request_candidates_request_partner"),
        Index("ix_request_candidates_stage", "stage"),
    )

    id = Column(Integer, primary_key=True)
    request_id = Column(Integer, ForeignKey("requests.id", ondelete="CASCADE"), nullable=False, index=True)
    partner_id = Column(Integer, ForeignKey("partners.id", ondelete="CASCADE"), nullable=False, index=True)
    stage = Column(String(16), nullable=False)
    score = Column(Float)
    rank = Column(Integer)
    why = Column(JSON, nullable=False, default=list)
    # "auto": proposed by the matcher when the request was filed; "staff": added by a person.
    origin = Column(String(16), nullable=False, default="auto")
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)
    updated_by = Column(String(100))

    partner = relationship("Partner")
    events = relationship("CandidateEvent", back_populates="candidate", order_by="CandidateEvent.id")


class CandidateEvent(Base):
    """One step of a candidate's history: a stage change and/or a note, with who and when."""

    __tablename__ = "candidate_events"

    id = Column(Integer, primary_key=True)
    candidate_id = Column(
        Integer, ForeignKey("request_candidates.id", ondelete="CASCADE"), nullable=False, index=True
    )
    from_stage = Column(String(16))
    to_stage = Column(String(16))
    note = Column(Text)
    actor = Column(String(100), nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)

    candidate = relationship("Candidate", back_populates="events")
