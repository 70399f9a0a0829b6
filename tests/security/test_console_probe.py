"""The console's probe items, against a real `python -m chanyan.console` process on its own SQLite database (as
`make run` starts it) and the real `chanyan` CLI: redirects, passwords, API tokens, the demo page, far dates,
NaN, formula cells in the CLI export, and personal data in the access log."""

from __future__ import annotations

import csv
import io
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import requests

from tests.console.console_support import request_fields
from tests.e2e.stack import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
CSRF_INPUT = re.compile(r'name="_csrf" value="([^"]+)"')
ADMIN, STAFF = "sec_admin", "sec_staff"
PASSWORD = "Probe-Pass-4417-xyz"
HOSTILE_CELLS = ('=HYPERLINK("http://evil.example/x","点我")', "+cmd|' /C calc'!A0", "@SUM(1+1)")
VICTIM_PHONE, VICTIM_EMAIL = "13912345678", "victim.zhang@example.com"
LEGACY_ID = "sec_slash/../x?y#z"


@dataclass
class Console:
    url: str
    env: dict[str, str]
    log: Path
    ref: str

    def cli(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(BIN / "chanyan"), *args],
            input=stdin,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    def login(self, username: str, password: str = PASSWORD, next_: str = "") -> requests.Session:
        http = requests.Session()
        page = http.get(f"{self.url}/login", params={"next": next_} if next_ else None)
        csrf = CSRF_INPUT.search(page.text).group(1)
        answer = http.post(
            f"{self.url}/login",
            data={"_csrf": csrf, "username": username, "password": password, "next": next_},
            allow_redirects=False,
        )
        assert answer.status_code == 302, answer.text[:500]
        http.last_location = answer.headers["Location"]  # type: ignore[attr-defined]
        return http

    def csrf(self, http: requests.Session, path: str = "/account") -> str:
        return CSRF_INPUT.search(http.get(f"{self.url}{path}").text).group(1)

    def new_token(self, http: requests.Session) -> str:
        page = http.post(f"{self.url}/account/tokens", data={"_csrf": self.csrf(http), "name": "probe"})
        return re.search(r'id="new-token">([^<]+)<', page.text).group(1)

    def api_status(self, token: str) -> int:
        return requests.get(f"{self.url}/api/stats", headers={"Authorization": f"Bearer {token}"}).status_code


@pytest.fixture(scope="module")
def console(tmp_path_factory) -> Iterator[Console]:
    from chanyan.store.migrate import upgrade
    from chanyan.store.requests import file_request, record_handoff
    from chanyan.store.session import make_engine, make_sessionmaker

    workdir = tmp_path_factory.mktemp("console")
    database_url = f"sqlite:///{workdir / 'chanyan.db'}"
    upgrade(database_url)
    engine = make_engine(database_url)
    fields = request_fields(
        enterprise_name=HOSTILE_CELLS[0], need_title=HOSTILE_CELLS[1], contact_name=HOSTILE_CELLS[2]
    )
    request, _ = file_request(make_sessionmaker(engine), fields)
    with make_sessionmaker(engine).begin() as session:  # an id stored before sender ids were validated
        record_handoff(session, LEGACY_ID, "rest", "转人工")
    engine.dispose()
    port = free_port()
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("CHAT_", "RASA_PUBLIC", "CONSOLE_", "NOTIFY_"))
    }
    env.update(
        CHANYAN_VAR_DIR=str(workdir),
        DATABASE_URL=database_url,
        TRACKER_DB_URL=database_url,
        CONSOLE_HOST="127.0.0.1",
        CONSOLE_PORT=str(port),
        # The tests' client stands in for a reverse proxy when it sends X-Forwarded-For.
        CONSOLE_TRUSTED_PROXIES="127.0.0.1",
        RASA_PORT="5005",
        PYTHONPATH=str(ROOT),
        SMTP_HOST="",
    )
    console = Console(f"http://127.0.0.1:{port}", env, workdir / "console.log", request.ref)
    for name, role in ((ADMIN, "admin"), (STAFF, "staff")):
        made = console.cli("staff", "add", name, "--role", role, "--password-stdin", stdin=PASSWORD + "\n")
        assert made.returncode == 0, made.stderr
    with console.log.open("wb") as log:
        process = subprocess.Popen(
            [str(BIN / "python"), "-m", "chanyan.console"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{console.url}/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert process.poll() is None, console.log.read_text()
            assert time.monotonic() < deadline, "the console did not start"
            time.sleep(0.3)
        yield console
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_login_with_a_tab_smuggled_into_next_stays_on_the_console(console):
    http = console.login(STAFF, next_="/\t/evil.example")
    location = http.last_location
    assert location.startswith("/") and not location.startswith("//") and "evil.example" not in location
    page = requests.get(f"{console.url}/login", params={"next": "/\t/evil.example"})
    assert "\t/evil" not in page.text


@pytest.mark.parametrize("password", ["aaaaaaaaaa", "1234567890", "password12", "sec_weak4x1"])
def test_a_weak_password_is_refused_on_the_command_line(console, password):
    added = console.cli("staff", "add", "sec_weak4", "--password-stdin", stdin=password + "\n")
    assert added.returncode != 0
    assert "sec_weak4" not in console.cli("staff", "list").stdout


def test_a_weak_password_is_refused_in_the_admin_page(console):
    http = console.login(ADMIN)
    answer = http.post(
        f"{console.url}/admin/staff",
        data={
            "_csrf": console.csrf(http, "/admin/staff"),
            "username": "sec_weak3",
            "password": "1234567890",
            "role": "staff",
        },
        allow_redirects=False,
    )
    assert answer.status_code == 422
    assert "sec_weak3" not in console.cli("staff", "list").stdout


def test_api_tokens_die_with_a_password_change_an_admin_reset_and_their_expiry(console):
    http = console.login(STAFF)
    token = console.new_token(http)
    assert console.api_status(token) == 200
    changed = http.post(
        f"{console.url}/account/password",
        data={
            "_csrf": console.csrf(http),
            "current": PASSWORD,
            "new": PASSWORD + "2",
            "confirm": PASSWORD + "2",
        },
        allow_redirects=False,
    )
    assert changed.status_code == 302
    assert console.api_status(token) == 401

    token = console.new_token(http)
    admin = console.login(ADMIN)
    reset = admin.post(
        f"{console.url}/admin/staff/{STAFF}",
        data={
            "_csrf": console.csrf(admin, "/admin/staff"),
            "role": "staff",
            "active": "1",
            "password": PASSWORD,
        },
        allow_redirects=False,
    )
    assert reset.status_code == 302
    assert console.api_status(token) == 401

    token = console.new_token(console.login(STAFF))
    assert console.api_status(token) == 200
    from sqlalchemy import create_engine, text

    engine = create_engine(console.env["DATABASE_URL"], future=True)
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE api_tokens SET expires_at = :t"), {"t": datetime.utcnow() - timedelta(minutes=1)}
        )
    engine.dispose()
    assert console.api_status(token) == 401


def test_the_chat_demo_page_has_a_csp_cannot_be_framed_and_ignores_the_host_header(console):
    answer = requests.get(f"{console.url}/chat", headers={"Host": "evil.example"})
    assert answer.status_code == 200
    policy = answer.headers["Content-Security-Policy"]
    assert (
        "frame-ancestors 'none'" in policy
        and "script-src 'self'" in policy
        and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    assert answer.headers["X-Frame-Options"] == "DENY"
    assert "evil.example" not in answer.text and 'data-server="http://127.0.0.1:5005"' in answer.text
    assert "onclick" not in answer.text


@pytest.mark.parametrize(
    "path",
    [
        "/api/requests?date_to=9999-12-31",
        "/requests?date_from=0001-01-01",
        "/requests/export.csv?date_to=9999-12-31",
    ],
)
def test_a_date_at_the_edge_of_the_calendar_is_not_a_server_error(console, path):
    http = console.login(ADMIN)
    assert http.get(f"{console.url}{path}").status_code in (200, 422)


def test_nan_in_an_api_body_is_refused_as_invalid_not_a_server_error(console):
    token = console.new_token(console.login(ADMIN))
    answer = requests.patch(
        f"{console.url}/api/requests/{console.ref}",
        data=b'{"budget": {"kind": "exact", "min_cny": NaN}}',
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    assert answer.status_code in (400, 422), answer.text


def test_the_cli_csv_export_defuses_formula_cells(console, tmp_path):
    out = tmp_path / "export.csv"
    exported = console.cli("requests", "export", "--format", "csv", "-o", str(out))
    assert exported.returncode == 0, exported.stderr
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    cells = [cell for row in rows[1:] for cell in row]
    for hostile in HOSTILE_CELLS:
        assert f"'{hostile}" in cells
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)


def test_the_access_log_masks_phones_and_emails_in_search_queries(console):
    http = console.login(ADMIN)
    assert (
        http.get(f"{console.url}/requests", params={"q": f"{VICTIM_PHONE} {VICTIM_EMAIL}"}).status_code == 200
    )
    deadline = time.monotonic() + 10  # the access line is written after the answer
    while "GET /requests?q=" not in (log := console.log.read_text(encoding="utf-8", errors="replace")):
        assert time.monotonic() < deadline, "no access line for the search"
        time.sleep(0.1)
    assert VICTIM_PHONE not in log and VICTIM_EMAIL not in log and "victim.zhang%40example.com" not in log


def test_a_conversation_id_with_a_slash_stored_before_validation_still_opens_from_the_handoffs_page(console):
    http = console.login(STAFF)
    page = http.get(f"{console.url}/handoffs").text
    links = re.findall(r'href="(/conversations/[^"]+)"', page)
    assert links, "no conversation link on the handoffs page"
    opened = http.get(f"{console.url}{links[0]}")
    assert opened.status_code == 200 and "sec_slash/../x?y#z" in opened.text


def test_behind_a_trusted_proxy_one_guessing_client_does_not_lock_out_the_staff(console):
    guesser, colleague = {"X-Forwarded-For": "203.0.113.7"}, {"X-Forwarded-For": "198.51.100.9"}

    def attempt(username: str, password: str, headers: dict) -> int:
        http = requests.Session()
        csrf = CSRF_INPUT.search(http.get(f"{console.url}/login", headers=headers).text).group(1)
        form = {"_csrf": csrf, "username": username, "password": password}
        return http.post(
            f"{console.url}/login", data=form, headers=headers, allow_redirects=False
        ).status_code

    statuses = [attempt(f"guess{n % 7}", "wrong-password-123", guesser) for n in range(21)]
    assert statuses[-1] == 429 and set(statuses) <= {401, 429}
    assert (
        attempt(ADMIN, PASSWORD, guesser) == 429
    )  # the guesser's address is locked, even with a right password
    assert attempt(ADMIN, PASSWORD, colleague) == 302  # everyone else behind the same proxy signs in
