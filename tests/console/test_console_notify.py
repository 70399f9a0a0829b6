"""Notifications: WeCom robot JSON, e-mail, retries in the background, never raising or blocking."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from console_support import HOSTILE
from sqlalchemy import select

from chanyan.requests import notify, outbox
from chanyan.requests.notify import Notice, Notifier, NotifySettings, handoff_notice, new_request_notice
from chanyan.store.migrate import upgrade
from chanyan.store.models import Notification
from chanyan.store.session import make_engine, make_sessionmaker

RECORD = {
    "ref": "XQ-20261126-0001",
    "enterprise_name": "苏州精工零部件有限公司",
    "need_title": "零件表面划痕视觉检测",
    "domain": {
        "code": "80",
        "name": "先进制造与自动化",
        "sub_code": "803",
        "sub_name": "高性能、智能化仪器仪表",
    },
    "budget": {"min_cny": 500000, "max_cny": 800000, "kind": "range", "text": "50-80万"},
    "channel": "wechat",
    "handoff": False,
}


class RobotStub(BaseHTTPRequestHandler):
    """A WeCom group robot that fails the first `fail` calls (HTTP 500), then answers errcode 0."""

    bodies: list[dict] = []
    fail = 0

    def do_POST(self) -> None:  # noqa: N802 (http.server API)
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        type(self).bodies.append(body)
        if type(self).fail > 0:
            type(self).fail -= 1
            self.send_response(500)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"errcode":0,"errmsg":"ok"}')

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def robot():
    RobotStub.bodies = []
    RobotStub.fail = 0
    server = HTTPServer(("127.0.0.1", 0), RobotStub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/cgi-bin/webhook/send?key=test", RobotStub
    server.shutdown()


def test_webhook_posts_wecom_text_json_and_retries_with_back_off(robot, sessions):
    url, stub = robot
    stub.fail = 2
    notifier = Notifier(NotifySettings(webhook_url=url, base_delay=0.5), session_factory=sessions)
    notice = new_request_notice(RECORD, "https://console.example.cn")
    with sessions() as session, session.begin():  # queued as submit() does, without starting the worker yet
        outbox.enqueue(session, notice.subject, notice.text, ["webhook"])
    assert notifier.deliver_due() == 1 and len(stub.bodies) == 1
    (row,) = rows(sessions)
    assert row.status == "pending" and row.attempts == 1
    assert 0.4 < (row.next_attempt_at - row.created_at).total_seconds() < 5  # retried after the back-off
    notifier.start()
    assert notifier.flush(10)
    assert len(stub.bodies) == 3
    body = stub.bodies[-1]
    assert body["msgtype"] == "text"
    content = body["text"]["content"]
    assert "新需求单 XQ-20261126-0001" in content
    assert "先进制造与自动化 / 高性能、智能化仪器仪表" in content
    assert "50–80万元" in content and "渠道：微信公众号" in content
    assert "https://console.example.cn/requests/XQ-20261126-0001" in content
    assert rows(sessions)[0].status == "sent"


def test_webhook_errcode_is_a_failure_and_gives_up(robot, sessions):
    url, stub = robot
    stub.fail = 10
    notifier = Notifier(
        NotifySettings(webhook_url=url, max_attempts=3, base_delay=0), session_factory=sessions
    )
    notifier.submit(Notice("s", "t"))
    assert notifier.flush(10)
    assert len(stub.bodies) == 3
    assert rows(sessions)[0].status == "failed"


@pytest.fixture
def sessions(tmp_path):
    url = f"sqlite:///{tmp_path / 'outbox.db'}"
    upgrade(url)
    return make_sessionmaker(make_engine(url))


def rows(sessions) -> list[Notification]:
    with sessions() as session:
        return list(session.execute(select(Notification).order_by(Notification.id)).scalars())


def test_submit_never_blocks_on_a_slow_target(sessions):
    release = threading.Event()
    sent: list[Notice] = []

    def slow(_settings, notice):
        release.wait(5)
        sent.append(notice)

    notifier = Notifier(NotifySettings(webhook_url="http://unused"), session_factory=sessions, webhook=slow)
    started = time.monotonic()
    for i in range(20):
        notifier.submit(Notice(f"n{i}", "t"))
    assert time.monotonic() - started < 2
    release.set()
    assert notifier.flush(10)
    assert len(sent) == 20
    assert [r.status for r in rows(sessions)] == ["sent"] * 20


def test_email_and_webhook_are_retried_independently(sessions):
    calls = {"webhook": 0, "email": 0}

    def webhook(_settings, _notice):
        calls["webhook"] += 1

    def email(_settings, _notice):
        calls["email"] += 1
        if calls["email"] < 2:
            raise OSError("smtp down")

    settings = NotifySettings(
        webhook_url="http://unused",
        smtp_host="smtp.example.cn",
        email_from="bot@example.cn",
        email_to=("a@example.cn",),
        base_delay=0,
    )
    notifier = Notifier(settings, session_factory=sessions, webhook=webhook, email=email)
    notifier.submit(handoff_notice("conv-1", "wechat", "我要找人工"))
    assert notifier.flush(10)
    assert calls == {"webhook": 1, "email": 2}
    by_target = {r.target: r for r in rows(sessions)}
    assert by_target["email"].attempts == 2 and by_target["email"].status == "sent"


def test_a_notice_queued_before_a_restart_is_delivered_by_the_next_worker(sessions):
    with sessions() as session, session.begin():
        outbox.enqueue(session, "【产研通】新需求单 XQ-1", "正文", ["webhook"], dedupe_key="new_request:XQ-1")
    delivered: list[str] = []
    fresh = Notifier(
        NotifySettings(webhook_url="http://unused"),
        session_factory=sessions,
        webhook=lambda _s, n: delivered.append(n.subject),
    )
    assert fresh.deliver_due() == 1
    assert delivered == ["【产研通】新需求单 XQ-1"]
    assert rows(sessions)[0].status == "sent" and rows(sessions)[0].sent_at is not None


def test_two_workers_deliver_every_notice_exactly_once(sessions):
    with sessions() as session, session.begin():
        for i in range(30):
            outbox.enqueue(session, f"n{i}", "t", ["webhook"])
    delivered: list[str] = []
    lock = threading.Lock()

    def record(_settings, notice):
        time.sleep(0.001)
        with lock:
            delivered.append(notice.subject)

    workers = [
        Notifier(NotifySettings(webhook_url="http://unused"), session_factory=sessions, webhook=record)
        for _ in range(2)
    ]
    threads = [threading.Thread(target=lambda w=w: [w.deliver_due() for _ in range(3)]) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(delivered) == sorted(f"n{i}" for i in range(30))


def test_a_notice_is_given_up_after_the_last_attempt_and_can_be_retried(sessions):
    def refuse(_settings, _notice):
        raise RuntimeError("errcode 93000 invalid webhook key")

    notifier = Notifier(
        NotifySettings(webhook_url="http://unused", max_attempts=3, base_delay=0),
        session_factory=sessions,
        webhook=refuse,
    )
    notifier.submit(Notice("s", "t"))
    assert notifier.flush(10)
    (row,) = rows(sessions)
    assert (row.status, row.attempts) == ("failed", 3) and "93000" in row.last_error
    with sessions() as session, session.begin():
        assert outbox.retry(session, row.id)
    assert rows(sessions)[0].status == "pending"


def test_filing_twice_announces_once(sessions, monkeypatch):
    delivered: list[str] = []
    notify.set_notifier(
        Notifier(
            NotifySettings(webhook_url="http://unused"),
            session_factory=sessions,
            webhook=lambda _s, n: delivered.append(n.subject),
        )
    )
    try:
        notify.notify_new_request(RECORD)
        notify.notify_new_request(RECORD)
        assert notify.get_notifier().flush(10)
    finally:
        notify.set_notifier(None)
    assert delivered == ["【产研通】新需求单 XQ-20261126-0001"]


def test_send_email_builds_a_plain_message(monkeypatch):
    sent = {}

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            sent["server"] = (host, port)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def ehlo(self):
            pass

        def has_extn(self, name):
            return name == "starttls"

        def starttls(self, context):
            sent["tls"] = True

        def login(self, user, password):
            sent["login"] = (user, password)

        def send_message(self, message):
            sent["message"] = message

    monkeypatch.setattr(notify.smtplib, "SMTP", FakeSMTP)
    settings = NotifySettings(
        smtp_host="smtp.example.cn",
        smtp_port=587,
        smtp_user="bot@example.cn",
        smtp_password="secret",
        email_from="bot@example.cn",
        email_to=("staff@example.cn", "lead@example.cn"),
    )
    notify.send_email(settings, handoff_notice("conv-1", "rest", f"留言\r\nBcc: x@evil {HOSTILE}"))
    message = sent["message"]
    assert (
        sent["server"] == ("smtp.example.cn", 587)
        and sent["tls"]
        and sent["login"] == ("bot@example.cn", "secret")
    )
    assert message["To"] == "staff@example.cn, lead@example.cn"
    assert message["Subject"] == "【产研通】用户请求转人工"
    assert message["Bcc"] is None
    assert "conv-1" in message.get_content()


def test_module_functions_never_raise(monkeypatch):
    class Broken(Notifier):
        def submit(self, notice, **_kwargs):
            raise RuntimeError("boom")

    notify.set_notifier(Broken(NotifySettings(webhook_url="http://unused")))
    try:
        notify.notify_new_request(RECORD)
        notify.notify_new_request({})  # even a malformed record
        notify.notify_handoff("conv-1", "wechat", None)
    finally:
        notify.set_notifier(None)


def test_unconfigured_notifier_does_nothing(monkeypatch):
    for name in ("NOTIFY_WEBHOOK_URL", "SMTP_HOST", "NOTIFY_EMAIL_TO"):
        monkeypatch.delenv(name, raising=False)
    notify.set_notifier(None)
    try:
        notify.notify_handoff("conv-1", "wechat", "hi")
        assert not notify.get_notifier().enabled
    finally:
        notify.set_notifier(None)


def test_settings_from_env(monkeypatch):
    monkeypatch.setenv("NOTIFY_WEBHOOK_URL", "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=k")
    monkeypatch.setenv("SMTP_HOST", "smtp.example.cn")
    monkeypatch.setenv("SMTP_PORT", "465")
    monkeypatch.setenv("SMTP_USER", "bot@example.cn")
    monkeypatch.setenv("NOTIFY_EMAIL_TO", "a@example.cn, b@example.cn")
    settings = NotifySettings.from_env()
    assert settings.smtp_port == 465 and settings.email_from == "bot@example.cn"
    assert settings.email_to == ("a@example.cn", "b@example.cn")
    assert settings.email_enabled and settings.webhook_url.startswith("https://qyapi")
