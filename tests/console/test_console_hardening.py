"""What a security probe found and the console now refuses: open redirects, weak passwords, tokens that outlive a
password, forged client addresses, probe inputs that used to end in a 500, unmasked access logs."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from aiohttp.test_utils import make_mocked_request

from chanyan.console.keys import SETTINGS_KEY
from chanyan.console.security import client_address
from chanyan.console.settings import ConsoleSettings, parse_networks
from chanyan.console.views import safe_next
from chanyan.staff import accounts
from chanyan.store.migrate import upgrade
from chanyan.store.models import ApiToken, utcnow
from chanyan.store.session import make_engine, make_sessionmaker
from tests.console.console_support import CSRF_INPUT, FAST_ARGON2, PASSWORD, STAFF, login, signed_in


@pytest.mark.parametrize(
    "target",
    ["/\t/evil.example", "/\n/evil.example", "/\\evil.example", "//evil.example", "/ /evil.example", "https://x.cn",
     "/\x00x", "javascript:alert(1)", ""],
)  # fmt: skip
def test_a_next_target_that_a_browser_would_read_as_another_site_falls_back_to_the_list(target):
    assert safe_next(target) == "/requests"


@pytest.mark.parametrize("target", ["/requests?q=划痕", "/requests/XQ-20261125-0001", "/dashboard#top"])
def test_a_local_next_target_is_kept(target):
    assert safe_next(target) == target


async def test_login_with_a_tab_smuggled_into_next_stays_on_the_console(client):
    page = await client.get("/login?next=%2F%09%2Fevil.example")
    token = CSRF_INPUT.search(await page.text()).group(1)
    response = await client.post(
        "/login",
        data={"username": STAFF, "password": PASSWORD, "_csrf": token, "next": "/\t/evil.example"},
        allow_redirects=False,
    )
    assert response.status == 302
    assert response.headers["Location"] == "/requests"


@pytest.mark.parametrize(
    "password, username",
    [("aaaaaaaaaa", "u1"), ("1234567890", "u1"), ("password12", "u1"), ("sec_weak4x", "sec_weak4"),
     ("abababababab", "u1"), ("QWERTYUIOP", "u1")],
)  # fmt: skip
def test_passwords_a_guesser_tries_first_are_refused(password, username):
    with pytest.raises(accounts.AccountError):
        accounts.check_password_strength(password, 10, username)


def test_a_long_varied_password_is_accepted():
    accounts.check_password_strength(PASSWORD, 10, STAFF)
    accounts.check_password_strength("Gx7-mountain-river", 10, STAFF)


@pytest.fixture
def maker(tmp_path):
    url = f"sqlite:///{tmp_path / 'accounts.db'}"
    upgrade(url)
    return make_sessionmaker(make_engine(url))


def test_a_password_change_revokes_every_api_token(maker):
    hasher = accounts.make_hasher(FAST_ARGON2)
    with maker() as session, session.begin():
        user = accounts.create_user(session, hasher, "carol", PASSWORD)
        token = accounts.create_api_token(session, user, "脚本")
    with maker() as session, session.begin():
        assert accounts.load_api_token(session, token) is not None
        accounts.set_password(session, hasher, accounts.get_user(session, "carol"), "another horse battery")
    with maker() as session, session.begin():
        assert accounts.load_api_token(session, token) is None


def test_an_api_token_stops_working_when_it_expires(maker):
    hasher = accounts.make_hasher(FAST_ARGON2)
    with maker() as session, session.begin():
        user = accounts.create_user(session, hasher, "dora", PASSWORD)
        token = accounts.create_api_token(session, user, "短期", days=30)
        row = session.query(ApiToken).one()
        assert timedelta(days=29) < row.expires_at - utcnow() <= timedelta(days=30)
    with maker() as session, session.begin():
        assert accounts.load_api_token(session, token) is not None
        session.query(ApiToken).one().expires_at = utcnow() - timedelta(seconds=1)
    with maker() as session, session.begin():
        assert accounts.load_api_token(session, token) is None


def _request(remote: str, forwarded: str | None, proxies: str):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    request = make_mocked_request("POST", "/login", headers=headers, transport=_Transport(remote))
    request.app[SETTINGS_KEY] = ConsoleSettings(
        database_url="sqlite://", secret="s", trusted_proxies=parse_networks(proxies)
    )
    return request


class _Transport:
    def __init__(self, remote: str) -> None:
        self.remote = remote

    def get_extra_info(self, name: str, default=None):
        return (self.remote, 40000) if name == "peername" else default

    def is_closing(self) -> bool:
        return False


def test_a_forwarded_address_counts_only_behind_a_configured_proxy():
    assert client_address(_request("203.0.113.9", "198.51.100.1", "")) == "203.0.113.9"
    assert client_address(_request("203.0.113.9", "198.51.100.1", "10.0.0.0/8")) == "203.0.113.9"
    assert client_address(_request("10.0.0.5", "198.51.100.1", "10.0.0.0/8")) == "198.51.100.1"
    # A client that prepends its own X-Forwarded-For cannot choose the address: the proxy's last hop wins.
    assert client_address(_request("10.0.0.5", "1.2.3.4, 198.51.100.7", "10.0.0.0/8")) == "198.51.100.7"


def test_a_malformed_trusted_proxy_setting_stops_the_console_with_its_name():
    with pytest.raises(SystemExit, match="CONSOLE_TRUSTED_PROXIES"):
        parse_networks("10.0.0.0/8, not-an-ip")


async def test_a_far_future_date_filter_is_ignored_not_a_server_error(client):
    await signed_in(client, STAFF)
    for path in (
        "/requests?date_to=9999-12-31",
        "/requests?date_from=0001-01-01",
        "/api/requests?date_to=9999-12-31",
    ):
        response = await client.get(path)
        assert response.status == 200, path


async def test_nan_in_a_json_body_is_refused_as_invalid_json(client, refs):
    csrf = await signed_in(client, STAFF)
    response = await client.post(
        f"/api/requests/{refs['extra0']}/notes",
        data='{"text": NaN}',
        headers={"X-CSRF-Token": csrf, "Content-Type": "application/json"},
    )
    assert response.status in (400, 422)
    assert "JSON" in (await response.json())["message"]


def test_the_console_log_masks_phones_and_emails_in_access_lines(capsys):
    from chanyan.console.__main__ import configure_logging

    root = logging.getLogger()
    saved = list(root.handlers)
    for handler in saved:
        root.removeHandler(handler)
    try:
        configure_logging()
        logging.getLogger("aiohttp.access").info('GET /requests?q=13912345678+zhang%40corp.cn HTTP/1.1" 200')
        for handler in root.handlers:
            handler.flush()
    finally:
        for handler in list(root.handlers):
            root.removeHandler(handler)
        for handler in saved:
            root.addHandler(handler)
        logging.captureWarnings(False)
    err = capsys.readouterr().err
    assert "139****5678" in err and "13912345678" not in err


async def test_a_staff_member_cannot_set_a_trivial_password(client):
    await login(client, STAFF)
    page = await client.get("/account")
    csrf = CSRF_INPUT.search(await page.text()).group(1)
    response = await client.post(
        "/account/password",
        data={"_csrf": csrf, "current": PASSWORD, "new": "1234567890", "confirm": "1234567890"},
    )
    assert response.status == 422


async def test_staff_see_the_outbox_and_channel_incidents_escaped_and_only_admins_resend(client, settings):
    from chanyan.requests import outbox
    from chanyan.store.models import ChannelIncident

    maker = make_sessionmaker(make_engine(settings.database_url))
    with maker() as session, session.begin():
        (row,) = outbox.enqueue(session, "【产研通】<b>新需求单</b>", "t", ["webhook"])
        row.status, row.attempts, row.last_error = "failed", 5, "<script>x</script> refused"
        session.add(
            ChannelIncident(
                conversation_id="oAbc", channel="wechat", kind="45015", detail="<i>超出48小时</i>"
            )
        )
    row_id = row.id
    csrf = await signed_in(client, STAFF)
    page = await (await client.get("/notifications?status=failed")).text()
    assert "&lt;b&gt;新需求单&lt;/b&gt;" in page and "<script>x" not in page and "已放弃" in page
    assert (await client.post(f"/notifications/{row_id}/retry", data={"_csrf": csrf})).status == 403
    incidents = await (await client.get("/incidents")).text()
    assert "微信公众号" in incidents and "&lt;i&gt;超出48小时&lt;/i&gt;" in incidents
    client.session.cookie_jar.clear()
    csrf = await signed_in(client, "admin")
    assert (
        await client.post(f"/notifications/{row_id}/retry", data={"_csrf": csrf}, allow_redirects=False)
    ).status == 302
    with maker() as session:
        assert session.get(outbox.Notification, row_id).status == "pending"
