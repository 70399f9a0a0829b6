"""The shortlist of a request (推荐合作方): computing it, keeping it, and the stages staff take candidates through.

`shortlist_on_filing(session_factory, request_id)` is what the filing path calls: it queues the work on a
background thread, so the user never waits for matching, and it never raises.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from chanyan.domain.schema import STATUS_TRANSITIONS
from chanyan.partners.index import index_for
from chanyan.partners.matcher import Candidate, Need
from chanyan.partners.vocabulary import (
    CONFIRMED_STAGES,
    DECLINED_STAGE,
    DEFAULT_TOP_K,
    FIRST_STAGE,
    SIGNED_STAGE,
    STAGE_TRANSITIONS,
    STAGES,
)
from chanyan.store.models import Request
from chanyan.store.models.partners import Candidate as CandidateRow
from chanyan.store.models.partners import CandidateEvent, Partner
from chanyan.store.requests import move_status

log = logging.getLogger(__name__)

FILED_SHORTLIST = DEFAULT_TOP_K  # candidates kept when a request is filed
MAX_NOTE_CHARS = 2000
MATCHED_STATUS = "matched"
OPEN_STATUSES = ("new", "reviewing")


class StageError(ValueError):
    """A stage change that the workflow does not allow (the message is for staff, in Chinese)."""


# --- needs ----------------------------------------------------------------------------------------------------


def need_for_request(request: Request) -> Need:
    """What is matched for a filed request: its text, keywords, categories and partner preference."""
    text = "\n".join(p for p in (request.need_title, request.need_description, request.tech_targets) if p)
    domains: list[dict] = []
    if request.domain_code or request.sub_code:
        domains.append({"code": request.domain_code, "sub_code": request.sub_code, "score": 1.0})
    for guess in (request.extraction or {}).get("domains") or ():
        if isinstance(guess, Mapping) and guess.get("sub_code") != request.sub_code:
            domains.append(
                {"code": guess.get("code"), "sub_code": guess.get("sub_code"), "score": guess.get("score")}
            )
    partner = request.partner or {}
    return Need(
        text=text,
        keywords=list(request.keywords or []),
        domains=domains,
        types=list(partner.get("types") or []),
        names=list(partner.get("names") or []),
        regions=list(partner.get("regions") or []),
        enterprise=request.enterprise_name,
    )


def need_for_text(obj: Mapping[str, Any], extractor: Any = None) -> Need:
    """A need from `{"text": ..., "enterprise": ..., "region": ...}` (only text required; a "partner" object
    {types, names, regions} may state the preference): the extractor reads categories, keywords and any
    partner preference from the text itself."""
    text = str(obj.get("text") or "")
    if extractor is None:
        from chanyan.extraction import get_extractor

        extractor = get_extractor()
    found = extractor.extract(text)
    partner = found.get("partner") or {}
    stated = obj.get("partner") if isinstance(obj.get("partner"), Mapping) else {}

    def both(key: str) -> list[str]:
        return list(dict.fromkeys([*(stated.get(key) or []), *(partner.get(key) or [])]))

    return Need(
        text=text,
        keywords=list(found.get("keywords") or []),
        domains=list(found.get("domains") or []),
        types=both("types"),
        names=both("names"),
        regions=both("regions"),
        enterprise=(str(obj["enterprise"]) if obj.get("enterprise") else None),
        region=obj.get("region") or None,
    )


def match_need(session_factory, need: Need, top_k: int = DEFAULT_TOP_K) -> list[Candidate]:
    """The ranked candidates for any need, on the process's fresh index."""
    return index_for(session_factory).current().match(need, top_k)


def get_request_by_ref(session: Session, ref: str) -> Request:
    from chanyan.store.requests import get_request

    return get_request(session, ref)


def match_request(session_factory, ref: str, top_k: int = DEFAULT_TOP_K) -> list[Candidate]:
    """The ranked candidates for a filed request (computed now)."""
    with session_factory() as session:
        need = need_for_request(get_request_by_ref(session, ref))
    return match_need(session_factory, need, top_k)


# --- the stored shortlist -------------------------------------------------------------------------------------


def record_shortlist(session: Session, request: Request, candidates: Sequence[Candidate]) -> int:
    """Keep the matcher's proposals as 候选 rows; candidates staff already work on keep their stage.
    Returns how many rows were added."""
    rows = {
        c.partner_id: c
        for c in session.execute(select(CandidateRow).where(CandidateRow.request_id == request.id)).scalars()
    }
    added = 0
    for rank, candidate in enumerate(candidates, start=1):
        row = rows.get(candidate.id)
        if row is None:
            session.add(
                CandidateRow(
                    request_id=request.id,
                    partner_id=candidate.id,
                    stage=FIRST_STAGE,
                    score=candidate.score,
                    rank=rank,
                    why=list(candidate.why),
                    origin="auto",
                    updated_by="assistant",
                )
            )
            added += 1
        elif row.stage == FIRST_STAGE:
            row.score, row.rank, row.why = candidate.score, rank, list(candidate.why)
    return added


def refresh_shortlist(session_factory, request_id: int, top_k: int = FILED_SHORTLIST) -> int:
    """Compute and keep the shortlist of one request; returns the number of new candidates."""
    with session_factory() as session:
        request = session.get(Request, request_id)
        if request is None:
            return 0
        need = need_for_request(request)
    candidates = match_need(session_factory, need, top_k)
    with session_factory() as session, session.begin():
        request = session.get(Request, request_id)
        return record_shortlist(session, request, candidates) if request is not None else 0


def shortlist(session: Session, request_id: int) -> list[CandidateRow]:
    """The kept candidates of a request, partners and history loaded: those staff work on first, then by rank."""
    rows = session.execute(
        select(CandidateRow)
        .where(CandidateRow.request_id == request_id)
        .options(selectinload(CandidateRow.partner), selectinload(CandidateRow.events))
    ).scalars()
    return sorted(
        rows, key=lambda r: (r.stage == FIRST_STAGE, r.stage == DECLINED_STAGE, r.rank or 10**6, r.id)
    )


def set_stage(
    session: Session, request: Request, partner_id: int, stage: str, note: str, actor: str
) -> CandidateRow:
    """Move a candidate to `stage` with an optional note; a partner not yet tracked starts at 候选 (a live match
    or a search result). Taking a candidate past 候选 confirms it and moves an open request to matched.
    已签约 comes only from an agreement (`sign_candidate`)."""
    note = (note or "").strip()
    if stage not in STAGES:
        raise StageError(f"未知的阶段「{stage}」。")
    if len(note) > MAX_NOTE_CHARS:
        raise StageError(f"备注不能超过 {MAX_NOTE_CHARS} 个字符。")
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise StageError("资源库中没有该合作方。")
    row = _row(session, request, partner_id)
    if stage == SIGNED_STAGE and (row is None or row.stage != SIGNED_STAGE):
        # Only a recorded agreement signs a partner, so that every 已签约 has its agreement in the report.
        raise StageError("已签约由登记合作协议产生：请在「合作协议」中登记，所选合作方会自动标为已签约。")
    if row is None:
        row = _add_candidate(session, request, partner_id, note if stage == FIRST_STAGE else "", actor)
        if stage == FIRST_STAGE:
            return row
    if stage == row.stage:
        if not note:
            raise StageError("阶段未变化；如需记录情况，请填写备注。")
        return add_note(session, request, partner_id, note, actor)
    if stage not in STAGE_TRANSITIONS.get(row.stage, ()):
        raise StageError(f"候选阶段「{row.stage}」不能变更为「{stage}」。")
    _move(session, request, row, partner, stage, note, actor)
    return row


def sign_candidate(
    session: Session, request: Request, partner_id: int, note: str, actor: str
) -> CandidateRow:
    """Mark a registry partner as a signed party of an agreement on the request (已签约). A signature shows the
    partner was contacted and willing, so it may come from any stage but 已婉拒; a partner not yet tracked joins
    the shortlist. A partner already 已签约 (a second agreement) keeps its stage and gets the note."""
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise StageError("资源库中没有该合作方。")
    row = _row(session, request, partner_id)
    if row is None:
        row = _add_candidate(session, request, partner_id, "", actor)
    if row.stage == DECLINED_STAGE:
        raise StageError(f"「{partner.name}」已婉拒合作，不能作为签约方；如情况有变，请先将其恢复为候选。")
    if row.stage == SIGNED_STAGE:
        return add_note(session, request, partner_id, note, actor)
    _move(session, request, row, partner, SIGNED_STAGE, note, actor)
    return row


def _move(
    session: Session, request: Request, row: CandidateRow, partner: Partner, stage: str, note: str, actor: str
) -> None:
    """Record a candidate's stage change; confirming one moves an open request to matched."""
    session.add(
        CandidateEvent(
            candidate_id=row.id, from_stage=row.stage, to_stage=stage, note=note or None, actor=actor
        )
    )
    row.stage = stage
    row.updated_by = actor
    if stage in CONFIRMED_STAGES and request.status in OPEN_STATUSES:
        _mark_matched(session, request, f"确认合作方：{partner.name}", actor)


def _row(session: Session, request: Request, partner_id: int) -> CandidateRow | None:
    return session.execute(
        select(CandidateRow).where(
            CandidateRow.request_id == request.id, CandidateRow.partner_id == partner_id
        )
    ).scalar_one_or_none()


def _add_candidate(
    session: Session, request: Request, partner_id: int, note: str, actor: str
) -> CandidateRow:
    """Start tracking a partner staff chose (a live match or a search result)."""
    rank = session.execute(
        select(func.max(CandidateRow.rank)).where(CandidateRow.request_id == request.id)
    ).scalar_one_or_none()
    row = CandidateRow(
        request_id=request.id,
        partner_id=partner_id,
        stage=FIRST_STAGE,
        rank=(rank or 0) + 1,
        why=[],
        origin="staff",
        updated_by=actor,
    )
    session.add(row)
    session.flush()
    session.add(
        CandidateEvent(
            candidate_id=row.id, from_stage=None, to_stage=FIRST_STAGE, note=note or None, actor=actor
        )
    )
    return row


def add_note(session: Session, request: Request, partner_id: int, note: str, actor: str) -> CandidateRow:
    """Record a note on a tracked candidate without changing its stage."""
    row = _row(session, request, partner_id)
    if row is None:
        raise StageError("该合作方尚未加入候选。")
    session.add(
        CandidateEvent(
            candidate_id=row.id,
            from_stage=row.stage,
            to_stage=row.stage,
            note=note[:MAX_NOTE_CHARS],
            actor=actor,
        )
    )
    row.updated_by = actor
    return row


def _mark_matched(session: Session, request: Request, reason: str, actor: str) -> None:
    """Move an open request to matched along the workflow (new passes through reviewing), audited."""
    path = ["reviewing", MATCHED_STATUS] if request.status == "new" else [MATCHED_STATUS]
    for to_status in path:
        if to_status not in STATUS_TRANSITIONS.get(request.status, ()):
            return
        move_status(session, request, to_status, reason, actor)


def candidate_stages_reached(session: Session) -> dict[str, int]:
    """For each stage, how many requests have had a candidate reach it (有意向 counts a candidate that went on to
    sign or was declined later too): the funnel's 有意向 and 已签约 steps."""
    reached = (
        select(CandidateRow.request_id, CandidateEvent.to_stage)
        .join(CandidateEvent, CandidateEvent.candidate_id == CandidateRow.id)
        .union(select(CandidateRow.request_id, CandidateRow.stage))
        .subquery()
    )
    rows = session.execute(
        select(reached.c.to_stage, func.count(func.distinct(reached.c.request_id))).group_by(
            reached.c.to_stage
        )
    ).all()
    counts = dict(rows)
    return {stage: counts.get(stage, 0) for stage in STAGES}


# --- the filing hook ------------------------------------------------------------------------------------------

_QUEUE: queue.Queue | None = None
_QUEUE_LOCK = threading.Lock()


def _worker(jobs: queue.Queue) -> None:
    while True:
        session_factory, request_id = jobs.get()
        try:
            refresh_shortlist(session_factory, request_id)
        except Exception:  # matching must never disturb filing; staff can still match on demand
            log.exception("could not compute the shortlist of request %s", request_id)
        finally:
            jobs.task_done()


def shortlist_on_filing(session_factory, request_id: int) -> None:
    """Queue the shortlist of a newly filed request; returns at once and never raises."""
    global _QUEUE
    try:
        with _QUEUE_LOCK:
            if _QUEUE is None:
                _QUEUE = queue.Queue(maxsize=1000)
                threading.Thread(target=_worker, args=(_QUEUE,), name="shortlist", daemon=True).start()
        _QUEUE.put_nowait((session_factory, request_id))
    except Exception:
        log.exception("could not queue the shortlist of request %s", request_id)


def wait_for_shortlists(timeout: float = 30.0) -> None:
    """Block until queued shortlists are done (tests and the CLI)."""
    import time

    deadline = time.monotonic() + timeout
    while _QUEUE is not None and _QUEUE.unfinished_tasks and time.monotonic() < deadline:
        time.sleep(0.05)
