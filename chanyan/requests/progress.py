"""Progress notifications (进展通知): the enterprise is told when staff move its request to matched, agreed or closed,
or add a public note.

Every such change queues a `progress_notices` row in its own transaction, whoever writes it (a listener in
chanyan.store.models.requests). `route_pending` then decides, once per notice, how the enterprise hears of it:

- on its chat channel, where the platform can write to it (the web widget on the next visit, WeChat within the
  客服消息 window), through a `ChannelDelivery` the process provides;
- otherwise by e-mail when the enterprise gave one (through the notification outbox, which retries and records each
  attempt);
- otherwise not at all, with the reason (the REST channel cannot be written to, no e-mail, contact data erased).

Each outcome is kept on the row and shown on the request's page in the console, next to the outbox's delivery
state of its e-mail.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from chanyan import clock
from chanyan.domain.schema import CHANNEL_LABELS, STATUS_LABELS
from chanyan.domain.validation import normalize_email
from chanyan.requests import outbox
from chanyan.requests.notify import NotifySettings
from chanyan.store.models import Notification, ProgressNotice, Request

log = logging.getLogger(__name__)

ROUTES = ("socketio", "wechat", "email", "none")
ROUTE_LABELS = {
    "socketio": "网页对话",
    "wechat": "微信公众号",
    "email": "邮件",
    "none": "未发送",
    "pending": "待处理",
}
OUTCOME_LABELS = {
    "pending": "待处理",
    "queued": "已排队",
    "sent": "已送达",
    "failed": "发送失败",
    "skipped": "未发送",
}
EVENT_LABELS = {"status": "状态变更", "note": "公开备注"}
BATCH = 50
# A router that dies mid-notice leaves it claimed this long; then another one takes it.
LEASE_SECONDS = 120
MAX_NOTE_CHARS = 500

# What the enterprise reads (the e-mail, or the chat message) for each step.
STATUS_TEXTS = {
    "matched": "平台已为您找到合适的合作方，对接专员会尽快与您联系，推动双方对接。",
    "agreed": "合作已经签约，感谢您使用产研通，祝合作顺利。",
    "closed": "这个需求已关闭。如有疑问，欢迎随时联系平台对接专员。",
}


@dataclass(frozen=True)
class Outcome:
    """What a channel delivery did: sent, queued for the next visit, or refused with the reason."""

    outcome: str  # sent | queued | failed
    detail: str = ""


class ChannelDelivery(Protocol):
    """Writes a text to a conversation's user on its channel (the outbound delivery service)."""

    def __call__(self, channel: str, conversation_id: str, text: str, request_ref: str) -> Outcome | None:
        """The outcome, or None when this channel cannot be written to now (then e-mail is tried)."""


def outbound_delivery(service: Any) -> ChannelDelivery:
    """A ChannelDelivery over chanyan.conversations.outbound.OutboundService (passed in: this layer does not
    import it): the widget gets the notice now or on the next visit; WeChat only within the 客服消息 window
    and count, and a refusal or failure falls back to e-mail with the service's reason."""

    def deliver(channel: str, conversation_id: str, text: str, request_ref: str) -> Outcome | None:
        outcome = service.send(conversation_id, text, kind="notice", request_ref=request_ref)
        if outcome.status == "sent":
            return Outcome("sent")
        if outcome.status == "queued":
            return Outcome("queued", outcome.message)
        return Outcome("failed", outcome.message)

    return deliver


def message_text(request: Request, notice: ProgressNotice) -> str:
    """The text the enterprise is sent."""
    head = f"您的需求 {request.ref}「{request.need_title}」有新进展："
    if notice.event == "note":
        note = notice.text if len(notice.text) <= MAX_NOTE_CHARS else notice.text[: MAX_NOTE_CHARS - 1] + "…"
        return f"{head}对接专员留言：{note}"
    status = STATUS_LABELS.get(notice.text, notice.text)
    return f"{head}{status}。{STATUS_TEXTS.get(notice.text, '')}"


def email_subject(request: Request) -> str:
    return f"【产研通】您的需求 {request.ref} 有新进展"


@dataclass(frozen=True)
class _Claimed:
    """What routing one notice needs, read in the claim's transaction."""

    id: int
    channel: str
    conversation_id: str
    ref: str
    subject: str
    text: str
    email: str | None


def _claim_due(session: Session, now: datetime, limit: int) -> list[_Claimed]:
    """Claim pending notices (and ones whose router died) with a lease; compare-and-set, so that of two
    console replicas routing at once one takes each notice."""
    stale = and_(ProgressNotice.outcome == "routing", ProgressNotice.claimed_until < now)
    due = or_(ProgressNotice.outcome == "pending", stale)
    ids = list(
        session.execute(
            select(ProgressNotice.id).where(due).order_by(ProgressNotice.id).limit(limit)
        ).scalars()
    )
    claimed = []
    for notice_id in ids:
        result = session.execute(
            update(ProgressNotice)
            .where(ProgressNotice.id == notice_id, due)
            .values(outcome="routing", claimed_until=now + timedelta(seconds=LEASE_SECONDS))
        )
        if result.rowcount != 1:
            continue
        notice = session.get(ProgressNotice, notice_id)
        request = session.get(Request, notice.request_id)
        email = normalize_email(request.contact_email) if request.contact_email else None
        claimed.append(
            _Claimed(
                notice.id,
                request.channel,
                request.conversation_id,
                request.ref,
                email_subject(request),
                message_text(request, notice),
                email,
            )
        )
    return claimed


def route_pending(
    sessions: sessionmaker,
    settings: NotifySettings,
    *,
    deliver: ChannelDelivery | None = None,
    wake_email: Callable[[], None] | None = None,
    now: datetime | None = None,
) -> int:
    """Route every pending progress notice once; returns how many were routed.

    Short transactions: the claim, then (with no transaction open: a channel send is an HTTP call that writes
    its own attempt) the channel delivery, then the outcome with any e-mail queued in the outbox."""
    with sessions() as session, session.begin():
        claimed = _claim_due(session, now or clock.utcnow(), BATCH)
    queued_email = False
    for item in claimed:
        route, outcome, detail = _on_channel(item, deliver)
        with sessions() as session, session.begin():
            notice = session.get(ProgressNotice, item.id)
            if route is None:
                route, outcome, detail, key = _by_email(session, item, settings, detail)
                notice.notification_key = key
                queued_email |= key is not None
            notice.route, notice.outcome, notice.detail = route, outcome, detail or None
            notice.claimed_until = None
    if queued_email and wake_email is not None:
        wake_email()
    return len(claimed)


def _on_channel(item: _Claimed, deliver: ChannelDelivery | None) -> tuple[str | None, str, str]:
    """(route, outcome, detail) when the chat channel took the notice; (None, "", why not) otherwise."""
    if item.channel == "rest":
        return None, "", "接口渠道无法推送消息；"
    if item.channel not in ("socketio", "wechat"):
        return None, "", ""
    label = CHANNEL_LABELS.get(item.channel, item.channel)
    if deliver is None:
        return None, "", f"{label}暂不能发送；"
    try:
        outcome = deliver(item.channel, item.conversation_id, item.text, item.ref)
    except Exception as err:  # a channel fault never stops the other notices
        log.exception("progress notice %s: channel delivery failed", item.id)
        outcome = Outcome("failed", type(err).__name__)
    if outcome is not None and outcome.outcome in ("sent", "queued"):
        return item.channel, outcome.outcome, outcome.detail
    if outcome is None:
        return None, "", f"{label}暂不能发送；"
    return None, "", f"{label}：{outcome.detail or '发送失败'}；"


def _by_email(
    session: Session, item: _Claimed, settings: NotifySettings, channel_note: str
) -> tuple[str, str, str, str | None]:
    """(route, outcome, detail, outbox key): the e-mail queued in the outbox, or why there is none."""
    if not item.email:
        return "none", "skipped", channel_note + "企业未留邮箱", None
    if not settings.smtp_ready:
        return "none", "skipped", channel_note + "未配置邮件服务（SMTP）", None
    key = f"progress:{item.ref}:{item.id}"
    rows = outbox.enqueue(session, item.subject, item.text, ["email"], dedupe_key=key, recipient=item.email)
    detail = (channel_note + "改为邮件通知") if channel_note else ""
    return "email", "queued", detail, rows[0].dedupe_key if rows else f"{key}|email"


@dataclass(frozen=True)
class NoticeView:
    """One progress notice as the request page shows it."""

    created_at: object
    event: str
    text: str
    route: str
    outcome: str
    detail: str | None
    email_status: str | None
    email_attempts: int
    email_error: str | None


def notices_of_request(session: Session, request_id: int) -> list[NoticeView]:
    """Every progress notice of a request, newest first, with its e-mail's delivery state from the outbox."""
    notices = list(
        session.execute(
            select(ProgressNotice)
            .where(ProgressNotice.request_id == request_id)
            .order_by(ProgressNotice.id.desc())
        ).scalars()
    )
    keys = [n.notification_key for n in notices if n.notification_key]
    emails = (
        {
            n.dedupe_key: n
            for n in session.execute(select(Notification).where(Notification.dedupe_key.in_(keys))).scalars()
        }
        if keys
        else {}
    )
    views = []
    for notice in notices:
        email = emails.get(notice.notification_key or "")
        views.append(
            NoticeView(
                created_at=notice.created_at,
                event=EVENT_LABELS.get(notice.event, notice.event),
                text=STATUS_LABELS.get(notice.text, notice.text) if notice.event == "status" else notice.text,
                route=ROUTE_LABELS.get(notice.route, notice.route),
                outcome=_outcome(notice, email),
                detail=notice.detail,
                email_status=email.status if email is not None else None,
                email_attempts=email.attempts if email is not None else 0,
                email_error=email.last_error if email is not None else None,
            )
        )
    return views


def _outcome(notice: ProgressNotice, email: Notification | None) -> str:
    if notice.route == "email" and email is not None:
        return {"pending": "邮件待发送", "sent": "邮件已发送", "failed": "邮件发送失败"}.get(
            email.status, email.status
        )
    return OUTCOME_LABELS.get(notice.outcome, notice.outcome)
