"""What the enterprise does with its filed requests in the chat: ask how they are doing, add to one, withdraw one.

The channel identity (the conversation id: a WeChat openid, a widget session, a REST sender) owns the requests
filed from it. Their status is told at once; a reference number filed on another identity is told only after the
last four digits of the filing phone, with the failures counted per conversation and per request (across
identities) so that nobody can guess their way in. Additions and withdrawals apply only to the identity's own
requests and are written to the request's history (actor "enterprise"), where staff see them.

Every function takes a session (the caller owns the transaction) and returns a `Reply`: the responses to say (names
in the Rasa domain with their template values) and the conversation's next pending state (a plain dict kept in a
slot between turns), so the adapter only carries them out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from chanyan import clock
from chanyan.domain.schema import SLOT_MAX_CHARS, STATUS_TRANSITIONS, WITHDRAWN_BY_ENTERPRISE
from chanyan.domain.validation import normalize_text
from chanyan.requests.amend import ACTOR, amend_request
from chanyan.store.models import Request, RequestNote, StatusLookup
from chanyan.store.requests import move_status

# Requests listed in one answer; the rest are counted.
MAX_LISTED = 5
# Wrong phone tails one conversation may give for a reference number before the bot stops asking.
TAIL_ATTEMPTS = 3
# Failed phone-tail checks of one request, from any identity, within the window, after which it is not told.
REF_FAILURE_LIMIT = 5
REF_FAILURE_WINDOW = timedelta(hours=24)
MAX_NOTE_SHOWN = 200
MAX_REASON_CHARS = 200

# Pending states (the `kind` of the dict kept between turns).
VERIFY = "verify"
WITHDRAW = "withdraw"
SUPPLEMENT = "supplement"


@dataclass
class Reply:
    """What to tell the user, and the pending state of the conversation afterwards (None: nothing pending)."""

    say: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    pending: dict[str, Any] | None = None
    changed_ref: str | None = None  # the request added to or withdrawn


def _local_date(moment: datetime | None) -> str:
    return clock.to_local(moment).strftime("%Y-%m-%d") if moment else ""


def _own(session: Session, conversation_id: str) -> list[Request]:
    query = (
        select(Request)
        .where(Request.conversation_id == conversation_id)
        .order_by(Request.created_at.desc(), Request.id.desc())
        .options(selectinload(Request.notes), selectinload(Request.status_history))
    )
    return list(session.execute(query).scalars())


def _by_ref(session: Session, ref: str) -> Request | None:
    return session.execute(
        select(Request)
        .where(Request.ref == ref.strip().upper())
        .options(selectinload(Request.notes), selectinload(Request.status_history))
    ).scalar_one_or_none()


def latest_public_note(request: Request) -> RequestNote | None:
    """The newest note staff marked public, if any."""
    public = [n for n in request.notes if n.public]
    return public[-1] if public else None


def withdrawn_by_enterprise(request: Request) -> bool:
    """Whether the request is closed because the enterprise withdrew it."""
    if request.status != "closed" or not request.status_history:
        return False
    last = request.status_history[-1]
    return last.to_status == "closed" and last.actor == ACTOR


def status_lines(request: Request) -> list[tuple[str, dict[str, Any]]]:
    """One request's status in plain words, and its latest public note."""
    since = request.status_history[-1].created_at if request.status_history else request.updated_at
    kind = "withdrawn" if withdrawn_by_enterprise(request) else request.status
    values = {
        "ref": request.ref,
        "title": request.need_title,
        "filed": _local_date(request.created_at),
        "since": _local_date(since),
    }
    lines: list[tuple[str, dict[str, Any]]] = [(f"utter_status_{kind}", values)]
    note = latest_public_note(request)
    if note is not None:
        text = note.text if len(note.text) <= MAX_NOTE_SHOWN else note.text[: MAX_NOTE_SHOWN - 1] + "…"
        lines.append(("utter_status_note", {"note": text, "date": _local_date(note.created_at)}))
    return lines


def identity_status(session: Session, conversation_id: str) -> Reply:
    """ "我的需求进展到哪了": every request filed on this identity, newest first."""
    requests = _own(session, conversation_id)
    if not requests:
        return Reply([("utter_status_none", {})])
    reply = Reply()
    if len(requests) > 1:
        reply.say.append(("utter_status_count", {"count": len(requests)}))
    for request in requests[:MAX_LISTED]:
        reply.say += status_lines(request)
    if len(requests) > MAX_LISTED:
        reply.say.append(("utter_status_more", {"count": len(requests) - MAX_LISTED}))
    return reply


def _ref_locked(session: Session, ref: str, now: datetime) -> bool:
    failures = session.execute(
        select(func.count(StatusLookup.id)).where(
            StatusLookup.ref == ref,
            StatusLookup.succeeded.is_(False),
            StatusLookup.created_at >= now - REF_FAILURE_WINDOW,
        )
    ).scalar_one()
    return failures >= REF_FAILURE_LIMIT


def ref_status(
    session: Session,
    conversation_id: str,
    ref: str,
    *,
    tail: str | None = None,
    now: datetime | None = None,
) -> Reply:
    """ "查一下XQ-…": told at once when filed on this identity; otherwise only after the phone's last four
    digits (asked for now, or checked when the message gave them). Unknown and foreign numbers get the same
    answers, so the bot never says whether a number exists before the check."""
    request = _by_ref(session, ref)
    if request is not None and request.conversation_id == conversation_id:
        return Reply(status_lines(request))
    pending = {"kind": VERIFY, "ref": ref, "failures": 0}
    if tail is not None:
        return verify_tail(session, conversation_id, pending, tail, now=now)
    if _ref_locked(session, ref, now or clock.utcnow()):
        return Reply([("utter_status_locked", {"ref": ref})])
    return Reply([("utter_status_ask_tail", {"ref": ref})], pending)


def verify_tail(
    session: Session, conversation_id: str, pending: dict[str, Any], tail: str, *, now: datetime | None = None
) -> Reply:
    """Check the last four digits of the filing phone for the pending reference number."""
    now = now or clock.utcnow()
    ref = str(pending.get("ref") or "")
    if _ref_locked(session, ref, now):
        return Reply([("utter_status_locked", {"ref": ref})])
    request = _by_ref(session, ref)
    phone = (request.contact_phone or "") if request is not None else ""
    ok = len(phone) >= 4 and phone.isdigit() and phone[-4:] == tail
    session.add(StatusLookup(ref=ref, conversation_id=conversation_id, succeeded=ok, created_at=now))
    if ok:
        return Reply(status_lines(request))
    failures = int(pending.get("failures") or 0) + 1
    if failures >= TAIL_ATTEMPTS or _ref_locked(session, ref, now + timedelta(microseconds=1)):
        return Reply([("utter_status_tail_refused", {"ref": ref})])
    return Reply(
        [("utter_status_tail_wrong", {"ref": ref, "left": TAIL_ATTEMPTS - failures})],
        {**pending, "failures": failures},
    )


def _target(
    session: Session, conversation_id: str, ref: str | None, last_ref: str | None
) -> tuple[Request | None, str | None]:
    """The identity's request meant: the number said, else the one filed last in this conversation, else its
    newest open one. The second value is the response to say when there is none."""
    if ref:
        request = _by_ref(session, ref)
        if request is None or request.conversation_id != conversation_id:
            return None, "utter_own_not_yours"
        return request, None
    own = _own(session, conversation_id)
    if not own:
        return None, "utter_own_nothing"
    for request in own:
        if request.ref == last_ref:
            return request, None
    open_ones = [r for r in own if r.status not in ("agreed", "closed")]
    return (open_ones or own)[0], None


def ask_withdraw(
    session: Session,
    conversation_id: str,
    *,
    ref: str | None = None,
    last_ref: str | None = None,
    reason: str | None = None,
) -> Reply:
    """ "这个需求我们不做了，撤回": name the request and ask to confirm (nothing changes yet)."""
    request, refusal = _target(session, conversation_id, ref, last_ref)
    if request is None:
        return Reply([(refusal or "utter_own_nothing", {"ref": ref or ""})])
    values = {"ref": request.ref, "title": request.need_title}
    if request.status == "closed":
        return Reply([("utter_withdraw_already_closed", values)])
    if "closed" not in STATUS_TRANSITIONS.get(request.status, ()):
        return Reply([("utter_withdraw_signed", values)])
    pending = {"kind": WITHDRAW, "ref": request.ref, "reason": (reason or "")[:MAX_REASON_CHARS]}
    return Reply([("utter_withdraw_confirm", values)], pending)


def withdraw(session: Session, conversation_id: str, pending: dict[str, Any]) -> Reply:
    """The user confirmed: close the request with the enterprise's reason, in its history and change log."""
    request, refusal = _target(session, conversation_id, str(pending.get("ref") or ""), None)
    if request is None:
        return Reply([(refusal or "utter_own_nothing", {"ref": pending.get("ref") or ""})])
    values = {"ref": request.ref, "title": request.need_title}
    if request.status == "closed":
        return Reply([("utter_withdraw_already_closed", values)])
    if "closed" not in STATUS_TRANSITIONS.get(request.status, ()):
        return Reply([("utter_withdraw_signed", values)])
    said = normalize_text(str(pending.get("reason") or ""))
    reason = f"{WITHDRAWN_BY_ENTERPRISE}：{said}" if said else WITHDRAWN_BY_ENTERPRISE
    move_status(session, request, "closed", reason, ACTOR)
    return Reply([("utter_withdrawn", values)], changed_ref=request.ref)


def supplement(
    session: Session,
    conversation_id: str,
    text: str | None,
    *,
    ref: str | None = None,
    last_ref: str | None = None,
    now: datetime | None = None,
) -> Reply:
    """ "补充一下…": add the text to the request's description (dated), audited as the enterprise's edit; with no
    text yet, ask for it."""
    request, refusal = _target(session, conversation_id, ref, last_ref)
    if request is None:
        return Reply([(refusal or "utter_own_nothing", {"ref": ref or ""})])
    values = {"ref": request.ref, "title": request.need_title}
    if request.status == "closed":
        return Reply([("utter_supplement_closed", values)])
    text = normalize_text(text)
    if not text:
        return Reply([("utter_supplement_ask", values)], {"kind": SUPPLEMENT, "ref": request.ref})
    day = clock.to_local(now or clock.utcnow()).strftime("%Y-%m-%d")
    limit = SLOT_MAX_CHARS["need_description"]
    addition = f"\n（{day} 补充）{text}"
    description = (request.need_description or "") + addition
    if len(description) > limit:
        return Reply([("utter_supplement_too_long", values)])
    amend_request(session, conversation_id, request.ref, {"need_description": description})
    return Reply([("utter_supplemented", values)], changed_ref=request.ref)
