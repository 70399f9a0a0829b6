"""Agreements (合作协议): recording one marks its registry partners 已签约 on the request's shortlist, moves the
request to 已签约 and plans the check-ins."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from chanyan.domain.money import MAX_WAN, TEN_THOUSAND, yuan
from chanyan.domain.schema import COOP_MODES
from chanyan.followup.calendar import WorkCalendar
from chanyan.followup.errors import FollowupError
from chanyan.followup.tasks import plan_checkins
from chanyan.followup.vocabulary import (
    MAX_ATTACHMENTS,
    MAX_NAME_CHARS,
    MAX_NOTE_CHARS,
    MAX_PARTIES,
    MAX_TERM_CHARS,
)
from chanyan.partners.shortlist import StageError, sign_candidate
from chanyan.store.models import Agreement, AgreementParty, AuditEntry, Request
from chanyan.store.models.partners import Partner
from chanyan.store.requests import move_status

AGREED = "agreed"
# From these statuses an agreement closes the workflow; a closed request must be reopened first.
AGREEABLE_STATUSES = ("new", "reviewing", "matched", AGREED)
AGREEMENT_REASON = "签订合作协议"


@dataclass(frozen=True)
class Party:
    """A partner to an agreement: a registry entry (its id; the name is the registry's) or, for a partner not
    in the registry, only its name."""

    name: str
    partner_id: int | None = None


def _clean_parties(session: Session, parties: Sequence[Party]) -> list[Party]:
    seen: set[tuple[int | None, str]] = set()
    cleaned: list[Party] = []
    for party in parties:
        if party.partner_id is not None:
            partner = session.get(Partner, party.partner_id)
            if partner is None:
                raise FollowupError("资源库中没有所选的合作方，请刷新页面后重试。")
            party = Party(name=partner.name, partner_id=partner.id)
        name = (party.name or "").strip()
        if not name:
            continue
        if len(name) > MAX_NAME_CHARS:
            raise FollowupError(f"合作方名称请不超过{MAX_NAME_CHARS}字。")
        key = (party.partner_id, name if party.partner_id is None else "")
        if key not in seen:
            seen.add(key)
            cleaned.append(Party(name=name, partner_id=party.partner_id))
    if not cleaned:
        raise FollowupError("请至少选择或填写一个合作方。")
    if len(cleaned) > MAX_PARTIES:
        raise FollowupError(f"合作方最多{MAX_PARTIES}个。")
    return cleaned


def record_agreement(
    session: Session,
    request: Request,
    *,
    parties: Sequence[Party],
    coop_mode: str,
    signed_on: date,
    actor: str,
    amount_cny: int | None = None,
    term: str | None = None,
    attachments: Sequence[str] = (),
    notes: str | None = None,
    calendar: WorkCalendar | None = None,
    checkin_days: tuple[int, ...] | None = None,
) -> Agreement:
    """Record a signed agreement between the request's enterprise and `parties`; each registry partner among
    them becomes 已签约 on the shortlist, the request becomes 已签约 (status history and audit entries) and
    check-in tasks are planned after the signing date."""
    if request.status not in AGREEABLE_STATUSES:
        raise FollowupError("需求单已关闭，请先重新打开再登记协议。")
    if coop_mode not in COOP_MODES:
        raise FollowupError("请选择合作方式。")
    if amount_cny is not None and not (0 <= amount_cny <= MAX_WAN * TEN_THOUSAND):
        raise FollowupError("合同金额无效。")
    term = (term or "").strip() or None
    if term and len(term) > MAX_TERM_CHARS:
        raise FollowupError(f"合作期限请不超过{MAX_TERM_CHARS}字。")
    notes = (notes or "").strip() or None
    if notes and len(notes) > MAX_NOTE_CHARS:
        raise FollowupError(f"备注请不超过{MAX_NOTE_CHARS}字。")
    names = [a.strip() for a in attachments if a and a.strip()]
    if len(names) > MAX_ATTACHMENTS or any(len(a) > MAX_NAME_CHARS for a in names):
        raise FollowupError(f"附件最多{MAX_ATTACHMENTS}个，每个名称不超过{MAX_NAME_CHARS}字。")
    cleaned = _clean_parties(session, parties)
    agreement = Agreement(
        request_id=request.id,
        enterprise_name=request.enterprise_name,
        coop_mode=coop_mode,
        amount_cny=amount_cny,
        signed_on=signed_on,
        term=term,
        attachments=names,
        notes=notes,
        created_by=actor,
        parties=[AgreementParty(partner_id=p.partner_id, name=p.name) for p in cleaned],
    )
    session.add(agreement)
    session.flush()
    summary = (
        f"{'、'.join(p.name for p in cleaned)}；{coop_mode}；{yuan(amount_cny) if amount_cny else '金额未填'}"
    )
    session.add(
        AuditEntry(request_id=request.id, actor=actor, action="agreement", field=None, new_value=summary)
    )
    for party in cleaned:
        if party.partner_id is not None:
            try:
                sign_candidate(session, request, party.partner_id, AGREEMENT_REASON, actor)
            except StageError as err:
                raise FollowupError(str(err)) from err
    if request.status != AGREED:
        move_status(session, request, AGREED, AGREEMENT_REASON, actor)
    plan_checkins(session, agreement, calendar, checkin_days)
    return agreement


def agreements_of_request(session: Session, request_id: int) -> list[Agreement]:
    """A request's agreements, newest signing first."""
    query = (
        select(Agreement)
        .where(Agreement.request_id == request_id)
        .options(selectinload(Agreement.parties))
        .order_by(Agreement.signed_on.desc(), Agreement.id.desc())
    )
    return list(session.execute(query).scalars())
