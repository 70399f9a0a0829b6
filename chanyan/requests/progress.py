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
from typing import Protocol

from sqlalchemy import select, update
from sqlalchemy.orm import Session

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
    """Writes a text to a conversation's user on its channel (the live handoff's outbound service)."""

    def __call__(self, channel: str, conversation_id: str, text: str) -> Outcome | None:
        """The outcome, or None when this channel cannot be written to now (then e-mail is tried)."""


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


def _claim(session: Session, notice_id: int) -> bool:
    # Compare-and-set: of two console replicas routing at once, one takes the notice.
    result = session.execute(
        update(ProgressNotice)
        .where(ProgressNotice.id == notice_id, ProgressNotice.outcome == "pending")
        .values(outcome="routing")
    )
    return result.rowcount == 1


def route_pending(
    session: Session,
    settings: NotifySettings,
    *,
    deliver: ChannelDelivery | None = None,
    wake_email: Callable[[], None] | None = None,
) -> int:
    """Route every pending progress notice once; returns how many were routed."""
    ids = list(
        session.execute(
            select(ProgressNotice.id)
            .where(ProgressNotice.outcome == "pending")
            .order_by(ProgressNotice.id)
            .limit(BATCH)
        ).scalars()
    )
    routed = 0
    queued_email = False
    for notice_id in ids:
        if not _claim(session, notice_id):
            continue
        notice = session.get(ProgressNotice, notice_id)
        request = session.get(Request, notice.request_id)
        queued_email |= _route(session, request, notice, settings, deliver)
        routed += 1
    if queued_email and wake_email is not None:
        session.flush()
        wake_email()
    return routed


def _route(
    session: Session,
    request: Request,
    notice: ProgressNotice,
    settings: NotifySettings,
    deliver: ChannelDelivery | None,
) -> bool:
    """Decide and record one notice's route; True when an e-mail was queued."""
    text = message_text(request, notice)
    channel_note = ""
    if request.channel in ("socketio", "wechat"):
        outcome = None
        if deliver is not None:
            try:
                outcome = deliver(request.channel, request.conversation_id, text)
            except Exception as err:  # a channel fault never stops the other notices
                log.exception("progress notice %s: channel delivery failed", notice.id)
                outcome = Outcome("failed", f"{type(err).__name__}")
        if outcome is not None and outcome.outcome in ("sent", "queued"):
            notice.route, notice.outcome, notice.detail = (
                request.channel,
                outcome.outcome,
                outcome.detail or None,
            )
            return False
        label = CHANNEL_LABELS.get(request.channel, request.channel)
        channel_note = (
            f"{label}：{outcome.detail or '发送失败'}；" if outcome is not None else f"{label}暂不能发送；"
        )
    elif request.channel == "rest":
        channel_note = "接口渠道无法推送消息；"
    email = normalize_email(request.contact_email or "") if request.contact_email else None
    if not email:
        notice.route, notice.outcome = "none", "skipped"
        notice.detail = channel_note + "企业未留邮箱"
        return False
    if not settings.smtp_ready:
        notice.route, notice.outcome = "none", "skipped"
        notice.detail = channel_note + "未配置邮件服务（SMTP）"
        return False
    key = f"progress:{request.ref}:{notice.id}"
    rows = outbox.enqueue(session, email_subject(request), text, ["email"], dedupe_key=key, recipient=email)
    notice.route, notice.outcome = "email", "queued"
    notice.detail = (channel_note + "改为邮件通知") if channel_note else None
    notice.notification_key = rows[0].dedupe_key if rows else f"{key}|email"
    return True


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
