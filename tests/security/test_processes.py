"""The processes' doors (bot/serve/): the action server answers Rasa only, every process listens on the loopback
interface, no secret is on a command line, and Rasa's HTTP API does not let any web site in (CORS)."""

from __future__ import annotations

import json
import socket
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

# What the probe sent: a made-up filing, skipping every question and every validation.
FORGED_SLOTS = {
    "need_description": "伪造的需求",
    "need_title": "伪造",
    "enterprise_name": "伪造公司",
    "contact_name": "<b>x</b>",
    "contact_phone": "not-a-phone-<b>",
    "contact_email": "javascript:alert(1)",
    "summary_confirmed": True,
}


def forged_call(sender: str) -> bytes:
    return json.dumps(
        {
            "next_action": "action_file_request",
            "sender_id": sender,
            "version": "3.6.2",
            "domain": {},
            "tracker": {
                "sender_id": sender,
                "slots": FORGED_SLOTS,
                "latest_message": {"text": "确认", "intent": {"name": "affirm"}, "entities": []},
                "events": [],
                "latest_input_channel": "rest",
                "active_loop": {},
                "paused": False,
                "followup_action": None,
                "latest_event_time": None,
                "latest_action_name": "action_listen",
            },
        }
    ).encode()


def post(url: str, body: bytes, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong-secret"}, {"Authorization": "e2e-action-server-token"}],
    ids=["no secret", "wrong secret", "secret without its scheme"],
)
def test_a_forged_filing_call_to_the_action_server_is_refused_and_files_nothing(rasa_stack, headers):
    sender = f"forged-{uuid.uuid4().hex[:10]}"
    status, body = post(f"{rasa_stack.action_url}/webhook", forged_call(sender), headers)
    assert status == 401
    assert json.loads(body) == {"error": "unauthorized"}
    assert rasa_stack.filed_requests(sender) == []


def test_the_action_server_lists_its_actions_to_nobody_without_the_secret(rasa_stack):
    status, _, body = get(f"{rasa_stack.action_url}/actions")
    assert status == 401
    assert b"action_file_request" not in body


def test_the_action_servers_health_check_tells_only_that_it_is_up(rasa_stack):
    status, _, body = get(f"{rasa_stack.action_url}/health")
    assert status == 200
    assert json.loads(body) == {"status": "ok"}


def test_the_bot_still_works_through_rasa_which_holds_the_secret(rasa_stack):
    replies = rasa_stack.rest(f"secret-{uuid.uuid4().hex[:10]}", "你好")
    assert any(r.get("text") for r in replies)


def listening_addresses(port: int) -> set[str]:
    """The local addresses with a listening TCP socket on `port` (from /proc/net/tcp and tcp6)."""
    found: set[str] = set()
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            address, hex_port = fields[1].split(":")
            if fields[3] != "0A" or int(hex_port, 16) != port:
                continue
            raw = bytes.fromhex(address)
            if width == 8:
                found.add(socket.inet_ntop(socket.AF_INET, raw[::-1]))
            else:
                words = b"".join(raw[i : i + 4][::-1] for i in range(0, 16, 4))
                found.add(socket.inet_ntop(socket.AF_INET6, words))
    return found


def test_the_action_server_and_rasa_listen_on_the_loopback_interface_only(rasa_stack):
    assert listening_addresses(rasa_stack.action_port) == {"127.0.0.1"}
    assert listening_addresses(rasa_stack.rasa_port) == {"127.0.0.1"}


def command_line(pid: int) -> str:
    return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()


def test_no_secret_is_on_a_command_line(rasa_stack):
    secrets = [rasa_stack.env[name] for name in ("RASA_TOKEN", "ACTION_SERVER_TOKEN", "WECHAT_SECRET")]
    for name in ("rasa", "actions"):
        argv = command_line(rasa_stack.process(name).popen.pid)
        assert "serve." in argv  # the launcher itself, not a wrapper
        for secret in secrets:
            assert secret not in argv, name


def test_rasa_allows_the_consoles_origin_and_no_other_web_site(rasa_stack):
    url = f"{rasa_stack.rasa_url}/status?token={rasa_stack.env['RASA_TOKEN']}"
    console = f"http://127.0.0.1:{rasa_stack.env.get('CONSOLE_PORT', '8080')}"
    _, allowed, _ = get(url, {"Origin": console})
    _, foreign, _ = get(url, {"Origin": "https://evil.example"})
    assert allowed.get("Access-Control-Allow-Origin") == console
    assert "Access-Control-Allow-Origin" not in foreign


def test_the_action_server_runs_without_tensorflow(rasa_stack):
    # Not a door, but what the launcher promises about memory: TensorFlow is Rasa's, not the actions'.
    maps = Path(f"/proc/{rasa_stack.process('actions').popen.pid}/maps").read_text()
    assert "tensorflow" not in maps
    assert "tensorflow" in Path(f"/proc/{rasa_stack.process('rasa').popen.pid}/maps").read_text()


def test_rasa_tells_no_stranger_which_release_it_runs(rasa_stack):
    status, _, body = get(f"{rasa_stack.rasa_url}/")
    assert (status, body) == (200, b"ok")
    status, _, body = get(f"{rasa_stack.rasa_url}/version")
    assert status == 401 and b"3.6" not in body
    status, _, body = get(f"{rasa_stack.rasa_url}/version?token=wrong-token")
    assert status == 401
    status, _, body = get(f"{rasa_stack.rasa_url}/version?token={rasa_stack.env['RASA_TOKEN']}")
    assert status == 200 and json.loads(body)["version"].startswith("3.6")
