"""Announce new requests (需求单) and handoffs (转人工) to staff: a WeCom group robot and/or e-mail.

Callers (the filing and handoff actions) use `notify_new_request(record)` and `notify_handoff(...)`: both only
queue a message and return at once; a background thread delivers it and retries failures with back-off. They
never raise and never block filing.

Environment: NOTIFY_WEBHOOK_URL (企业微信群机器人 webhook), SMTP_HOST, SMTP_PORT (587 STARTTLS, 465 TLS, 25 plain),
SMTP_USER, SMTP_PASSWORD, SMTP_FROM (default SMTP_USER), NOTIFY_EMAIL_TO (comma-separated), CONSOLE_BASE_URL
(for links to the console).
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import queue
import smtplib
import ssl
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Any
from urllib.parse import quote

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BASE_DELAY_SECONDS = 2.0
TIMEOUT_SECONDS = 10.0
QUEUE_SIZE = 1000
WECOM_TEXT_LIMIT_BYTES = 2000  # the robot accepts 2048 bytes of text
EXIT_FLUSH_SECONDS = 5.0


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
    def email_enabled(self) -> bool:
        return bool(self.smtp_host and self.email_to and (self.email_from or self.smtp_user))


@dataclass(frozen=True)
class Notice:
    """One announcement: a subject line and plain text (never markup: it carries user text)."""

    subject: str
    text: str
    targets: tuple[str, ...] = field(default=("webhook", "email"))


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
    message["To"] = ", ".join(settings.email_to)
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
    """A queue and one daemon thread that delivers notices, retrying each target with exponential back-off."""

    def __init__(
        self,
        settings: NotifySettings,
        *,
        webhook: Sender = post_webhook,
        email: Sender = send_email,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self._senders: dict[str, Sender] = {}
        if settings.webhook_url:
            self._senders["webhook"] = webhook
        if settings.email_enabled:
            self._senders["email"] = email
        self._sleep = sleep
        self._queue: queue.Queue[Notice] = queue.Queue(maxsize=QUEUE_SIZE)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.failures = 0  # notices given up on, for tests and logs

    @property
    def enabled(self) -> bool:
        return bool(self._senders)

    def submit(self, notice: Notice) -> None:
        """Queue a notice; returns at once and never raises."""
        if not self.enabled:
            return
        try:
            self._queue.put_nowait(notice)
        except queue.Full:
            log.error("notification queue full; dropped: %s", notice.subject)
            return
        self._ensure_thread()

    def flush(self, timeout: float = 30.0) -> bool:
        """Wait until every queued notice was delivered or given up (True) or `timeout` passed (False)."""
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def _ensure_thread(self) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="chanyan-notify", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        while True:
            notice = self._queue.get()
            try:
                self._deliver(notice)
            except Exception:  # never let one notice stop the thread
                log.exception("notification failed: %s", notice.subject)
            finally:
                self._queue.task_done()

    def _deliver(self, notice: Notice) -> None:
        for target in notice.targets:
            sender = self._senders.get(target)
            if sender is None:
                continue
            for attempt in range(1, self.settings.max_attempts + 1):
                try:
                    sender(self.settings, notice)
                    break
                except Exception as err:
                    if attempt == self.settings.max_attempts:
                        self.failures += 1
                        log.error(
                            "%s notification given up after %d attempts: %s",
                            target,
                            attempt,
                            err,
                            exc_info=True,
                        )
                        break
                    delay = self.settings.base_delay * 2 ** (attempt - 1)
                    log.warning(
                        "%s notification failed (attempt %d), retrying in %.0fs: %s",
                        target,
                        attempt,
                        delay,
                        err,
                    )
                    self._sleep(delay)


_NOTIFIER: Notifier | None = None
_NOTIFIER_LOCK = threading.Lock()


def get_notifier() -> Notifier:
    """The process's notifier, configured from the environment on first use."""
    global _NOTIFIER
    with _NOTIFIER_LOCK:
        if _NOTIFIER is None:
            _NOTIFIER = Notifier(NotifySettings.from_env())
            atexit.register(_NOTIFIER.flush, EXIT_FLUSH_SECONDS)
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
        f"渠道：{record.get('channel') or ''}",
    ]
    if record.get("handoff"):
        lines.append("用户已请求转人工")
    text = "\n".join(lines) + _link(base_url, f"/requests/{quote(ref)}")
    return Notice(subject=f"【产研通】新需求单 {ref}", text=text)


def handoff_notice(conversation_id: str, channel: str, message: str | None, base_url: str = "") -> Notice:
    """The announcement of a conversation asking for a person."""
    said = (message or "").strip()
    lines = [f"渠道：{channel}", f"会话：{conversation_id}"]
    if said:
        lines.append(f"用户留言：{said[:500]}")
    text = "\n".join(lines) + _link(base_url, f"/conversations/{quote(conversation_id, safe='')}")
    return Notice(subject="【产研通】用户请求转人工", text=text)


def notify_new_request(record: dict[str, Any]) -> None:
    """Announce a new request in the background; never blocks and never raises."""
    try:
        notifier = get_notifier()
        if notifier.enabled:
            notifier.submit(new_request_notice(record, notifier.settings.console_base_url))
    except Exception:
        log.exception("could not queue the new-request notification")


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
