"""Announce new requests (需求单) and handoffs (转人工) to staff: a WeCom group robot and/or e-mail.

Callers (the filing and handoff actions) use `notify_new_request(record)` and `notify_handoff(...)`: both write
the notice to the database's outbox (chanyan.requests.outbox) and return at once; a worker thread in every process
that notifies (the action server, the console) delivers due notices, retries failures with back-off and records
every outcome, which staff see on the console's 通知 page. A notice survives a restart and is delivered once
across replicas. The functions never raise and never block filing.

Environment: NOTIFY_WEBHOOK_URL (企业微信群机器人 webhook), SMTP_HOST, SMTP_PORT (587 STARTTLS, 465 TLS, 25 plain),
SMTP_USER, SMTP_PASSWORD, SMTP_FROM (default SMTP_USER), NOTIFY_EMAIL_TO (comma-separated), CONSOLE_BASE_URL
(for links to the console).
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
import ssl
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any
from urllib.parse import quote

from sqlalchemy.orm import sessionmaker

from chanyan.domain.schema import CHANNEL_LABELS
from chanyan.requests import outbox

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BASE_DELAY_SECONDS = 2.0
TIMEOUT_SECONDS = 10.0
WECOM_TEXT_LIMIT_BYTES = 2000  # the robot accepts 2048 bytes of text
# A worker looks for due notices this often even when nobody in its process queued one (retries, other replicas).
POLL_SECONDS = 5.0


@dataclass(frozen=True)
class NotifySettings:
    """Where notifications go; nothing is sent when neither a webhook nor e-mail is configured."""

    webhook_url: str = ""
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_user: str = ""
    smtp_password: str = ""
    email_from: str = ""
    email_to: tuple[str, ...] = ()
    console_base_url: str = ""
    max_attempts: int = MAX_ATTEMPTS
    base_delay: float = BASE_DELAY_SECONDS
    timeout: float = TIMEOUT_SECONDS

    @classmethod
    def from_env(cls) -> NotifySettings:
        env = os.environ
        user = env.get("SMTP_USER", "").strip()
        return cls(
            webhook_url=env.get("NOTIFY_WEBHOOK_URL", "").strip(),
            smtp_host=env.get("SMTP_HOST", "").strip(),
            smtp_port=int(env.get("SMTP_PORT", "587") or 587),
            smtp_user=user,
            smtp_password=env.get("SMTP_PASSWORD", ""),
            email_from=env.get("SMTP_FROM", "").strip() or user,
            email_to=tuple(a.strip() for a in env.get("NOTIFY_EMAIL_TO", "").split(",") if a.strip()),
            console_base_url=env.get("CONSOLE_BASE_URL", "").strip().rstrip("/"),
        )

    @property
    def smtp_ready(self) -> bool:
        """SMTP is configured: e-mails that name their recipient (invitations to partners) can go out."""
        return bool(self.smtp_host and (self.email_from or self.smtp_user))

    @property
    def email_enabled(self) -> bool:
        """Staff announcements go by e-mail too (SMTP and NOTIFY_EMAIL_TO set)."""
        return bool(self.smtp_ready and self.email_to)


@dataclass(frozen=True)
class Notice:
    """One announcement: a subject line and plain text (never markup: it carries user text)."""

    subject: str
    text: str
    targets: tuple[str, ...] = field(default=("webhook", "email"))
    # The e-mail's recipient when it is not staff (NOTIFY_EMAIL_TO): an invitation to a candidate partner.
    to: str | None = None


def _clip_bytes(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", errors="ignore") + "…"


def post_webhook(settings: NotifySettings, notice: Notice) -> None:
    """POST a WeCom group robot text message; raises on an HTTP error or a non-zero errcode."""
    body = {
        "msgtype": "text",
        "text": {"content": _clip_bytes(f"{notice.subject}\n{notice.text}", WECOM_TEXT_LIMIT_BYTES)},
    }
    request = urllib.request.Request(
        settings.webhook_url,
        data=json.dumps(body, ensure_ascii=False).encode("utf-8"),
        headers={"Content-Type": "application/json; charset=utf-8"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=settings.timeout) as response:  # noqa: S310 (configured URL)
        raw = response.read()
    try:
        answer = json.loads(raw or b"{}")
    except ValueError:
        answer = {}
    if isinstance(answer, dict) and answer.get("errcode", 0) != 0:
        raise RuntimeError(f"webhook refused the message: {answer.get('errcode')} {answer.get('errmsg')}")


def send_email(settings: NotifySettings, notice: Notice) -> None:
    """Send a plain-text e-mail through SMTP (TLS on 465, STARTTLS when offered)."""
    message = EmailMessage()
    message["Subject"] = " ".join(notice.subject.split())  # no header injection through user text
    message["From"] = settings.email_from or settings.smtp_user
    message["To"] = notice.to or ", ".join(settings.email_to)
    message.set_content(notice.text)
    context = ssl.create_default_context()
    if settings.smtp_port == 465:
        client: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.smtp_host, settings.smtp_port, timeout=settings.timeout, context=context
        )
    else:
        client = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.timeout)
    with client:
        if settings.smtp_port != 465:
            client.ehlo()
            if client.has_extn("starttls"):
                client.starttls(context=context)
                client.ehlo()
        if settings.smtp_user:
            client.login(settings.smtp_user, settings.smtp_password)
        client.send_message(message)


Sender = Callable[[NotifySettings, Notice], None]


class Notifier:
    """Queues notices in the outbox and runs this process's delivery worker (a daemon thread)."""

    def __init__(
        self,
        settings: NotifySettings,
        *,
        session_factory: sessionmaker | None = None,
        webhook: Sender = post_webhook,
        email: Sender = send_email,
        poll_seconds: float = POLL_SECONDS,
    ) -> None:
        self.settings = settings
        self._senders: dict[str, Sender] = {}
        if settings.webhook_url:
            self._senders["webhook"] = webhook
        if settings.smtp_ready:
            self._senders["email"] = email
        self._session_factory = session_factory
        self._poll = poll_seconds
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.worker_id = f"{os.getpid()}-{uuid.uuid4().hex[:8]}"

    @property
    def enabled(self) -> bool:
        return bool(self._senders)

    def sessions(self) -> sessionmaker:
        """The outbox's database (DATABASE_URL unless the caller passed a session factory)."""
        if self._session_factory is None:
            from chanyan.settings import Settings
            from chanyan.store.session import make_engine, make_sessionmaker

            self._session_factory = make_sessionmaker(make_engine(Settings.from_env().database_url))
        return self._session_factory

    def submit(self, notice: Notice, *, dedupe_key: str | None = None) -> None:
        """Queue a notice for every configured target; returns at once and never raises."""
        targets = [t for t in notice.targets if t in self._senders]
        if not (notice.to or self.settings.email_to):
            targets = [t for t in targets if t != "email"]  # nobody to write to
        if not targets:
            return
        try:
            with self.sessions()() as session, session.begin():
                outbox.enqueue(
                    session, notice.subject, notice.text, targets, dedupe_key=dedupe_key, recipient=notice.to
                )
        except Exception:
            log.exception("could not queue the notification: %s", notice.subject)
            return
        self.start()
        self._wake.set()

    def wake(self) -> None:
        """Deliver what was queued in the outbox directly (e.g. progress e-mails) without waiting for the poll."""
        self.start()
        self._wake.set()

    def start(self) -> None:
        """Run this process's delivery worker (idempotent)."""
        if not self.enabled:
            return
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="chanyan-notify", daemon=True)
                self._thread.start()

    def deliver_due(self) -> int:
        """Deliver every due notice this worker can claim; returns how many were attempted."""
        with self.sessions()() as session, session.begin():
            claimed = outbox.claim_due(session, self.worker_id)
        for notice in claimed:
            sender = self._senders.get(notice.target)
            try:
                if sender is None:
                    raise RuntimeError(f"{notice.target} is not configured in this process")
                sender(self.settings, Notice(notice.subject, notice.text, (notice.target,), notice.recipient))
            except Exception as err:
                with self.sessions()() as session, session.begin():
                    status = outbox.mark_failed(
                        session, notice.id, str(err) or type(err).__name__,
                        max_attempts=self.settings.max_attempts, base_delay=self.settings.base_delay,
                    )  # fmt: skip
                level = logging.ERROR if status == "failed" else logging.WARNING
                log.log(level, "%s notification %s (attempt %d): %s", notice.target,
                        "given up" if status == "failed" else "failed, will retry", notice.attempts + 1, err)  # fmt: skip
            else:
                with self.sessions()() as session, session.begin():
                    outbox.mark_sent(session, notice.id)
        return len(claimed)

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until no notice is pending (True) or `timeout` passed (False)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.sessions()() as session:
                if outbox.pending_count(session) == 0:
                    return True
            self._wake.set()
            time.sleep(0.02)
        return False

    def _run(self) -> None:
        while True:
            try:
                attempted = self.deliver_due()
            except Exception:  # a database hiccup: try again at the next poll
                log.exception("notification worker pass failed")
                attempted = 0
            if not attempted:
                self._wake.wait(self._poll)
                self._wake.clear()


_NOTIFIER: Notifier | None = None
_NOTIFIER_LOCK = threading.Lock()


def get_notifier() -> Notifier:
    """The process's notifier, configured from the environment on first use."""
    global _NOTIFIER
    with _NOTIFIER_LOCK:
        if _NOTIFIER is None:
            _NOTIFIER = Notifier(NotifySettings.from_env())
        return _NOTIFIER


def set_notifier(notifier: Notifier | None) -> None:
    """Replace the process's notifier (tests; None re-reads the environment next time)."""
    global _NOTIFIER
    with _NOTIFIER_LOCK:
        _NOTIFIER = notifier


def _link(base: str, path: str) -> str:
    return f"\n查看：{base}{path}" if base else ""


def new_request_notice(record: dict[str, Any], base_url: str = "") -> Notice:
    """The announcement of a filed request (the record of chanyan.requests.records.request_record)."""
    from chanyan.domain.money import format_budget

    domain = record.get("domain") or {}
    domain_text = " / ".join(x for x in (domain.get("name"), domain.get("sub_name")) if x) or "未分类"
    ref = str(record.get("ref") or "")
    lines = [
        f"编号：{ref}",
        f"单位：{record.get('enterprise_name') or ''}",
        f"需求：{record.get('need_title') or ''}",
        f"领域：{domain_text}",
        f"预算：{format_budget(record.get('budget'))}",
        f"渠道：{CHANNEL_LABELS.get(record.get('channel') or '', record.get('channel') or '')}",
    ]
    if record.get("handoff"):
        lines.append("用户已请求转人工")
    text = "\n".join(lines) + _link(base_url, f"/requests/{quote(ref)}")
    return Notice(subject=f"【产研通】新需求单 {ref}", text=text)


def handoff_notice(conversation_id: str, channel: str, message: str | None, base_url: str = "") -> Notice:
    """The announcement of a conversation asking for a person."""
    said = (message or "").strip()
    lines = [f"渠道：{CHANNEL_LABELS.get(channel, channel)}", f"会话：{conversation_id}"]
    if said:
        lines.append(f"用户留言：{said[:500]}")
    text = "\n".join(lines) + _link(base_url, f"/conversations/{quote(conversation_id, safe='')}")
    return Notice(subject="【产研通】用户请求转人工", text=text)


def notify_new_request(record: dict[str, Any]) -> None:
    """Announce a new request in the background; never blocks and never raises."""
    try:
        notifier = get_notifier()
        if notifier.enabled:
            key = f"new_request:{record['ref']}" if record.get("ref") else None
            notifier.submit(new_request_notice(record, notifier.settings.console_base_url), dedupe_key=key)
    except Exception:
        log.exception("could not queue the new-request notification")


def send_invitation(to: str, subject: str, text: str, *, dedupe_key: str | None = None) -> bool:
    """Queue an e-mail to one outside recipient (a candidate partner) in the outbox; False when SMTP is not
    configured or the notice could not be queued. Never blocks and never raises."""
    try:
        notifier = get_notifier()
        if not notifier.settings.smtp_ready:
            return False
        notifier.submit(Notice(subject=subject, text=text, targets=("email",), to=to), dedupe_key=dedupe_key)
        return True
    except Exception:
        log.exception("could not queue the invitation e-mail")
        return False


def notify_handoff(conversation_id: str, channel: str, message: str | None) -> None:
    """Announce a handoff (转人工) in the background; never blocks and never raises."""
    try:
        notifier = get_notifier()
        if notifier.enabled:
            notifier.submit(
                handoff_notice(conversation_id, channel, message, notifier.settings.console_base_url)
            )
    except Exception:
        log.exception("could not queue the handoff notification")
