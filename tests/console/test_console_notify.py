"""Notifications: WeCom robot JSON, e-mail, retries in the background, never raising or blocking."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from console_support import HOSTILE

from chanyan.requests import notify
from chanyan.requests.notify import Notice, Notifier, NotifySettings, handoff_notice, new_request_notice

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


def test_webhook_posts_wecom_text_json_and_retries(robot):
    url, stub = robot
    stub.fail = 2
    sleeps: list[float] = []
    notifier = Notifier(NotifySettings(webhook_url=url, base_delay=0.5), sleep=sleeps.append)
    notifier.submit(new_request_notice(RECORD, "https://console.example.cn"))
    assert notifier.flush(10)
    assert len(stub.bodies) == 3
    assert sleeps == [0.5, 1.0]
    body = stub.bodies[-1]
    assert body["msgtype"] == "text"
    content = body["text"]["content"]
    assert "新需求单 XQ-20261126-0001" in content
    assert "先进制造与自动化 / 高性能、智能化仪器仪表" in content
    assert "50–80万元" in content
    assert "https://console.example.cn/requests/XQ-20261126-0001" in content
    assert notifier.failures == 0


def test_webhook_errcode_is_a_failure_and_gives_up(robot):
    url, stub = robot
    stub.fail = 10
    notifier = Notifier(NotifySettings(webhook_url=url, max_attempts=3, base_delay=0), sleep=lambda _s: None)
    notifier.submit(Notice("s", "t"))
    assert notifier.flush(10)
    assert len(stub.bodies) == 3
    assert notifier.failures == 1


def test_submit_never_blocks_on_a_slow_target():
    release = threading.Event()
    sent: list[Notice] = []

    def slow(_settings, notice):
        release.wait(5)
        sent.append(notice)

    notifier = Notifier(NotifySettings(webhook_url="http://unused"), webhook=slow)
    started = time.monotonic()
    for i in range(20):
        notifier.submit(Notice(f"n{i}", "t"))
    assert time.monotonic() - started < 0.5
    release.set()
    assert notifier.flush(10)
    assert len(sent) == 20


def test_email_and_webhook_are_retried_independently():
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
    )
    notifier = Notifier(settings, webhook=webhook, email=email, sleep=lambda _s: None)
    notifier.submit(handoff_notice("conv-1", "wechat", "我要找人工"))
    assert notifier.flush(10)
    assert calls == {"webhook": 1, "email": 2}


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
        def submit(self, notice):
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
