"""The Rasa client: the calls it makes, and Rasa's refusals turned into clear errors."""

from __future__ import annotations

import asyncio

import pytest
from aiohttp import web

from chanyan.conversations.rasa import RasaClient, RasaError
from tests.e2e.stack import free_port


@pytest.fixture
async def fake_rasa(aiohttp_server):
    calls: list[tuple[str, str, dict, object]] = []

    async def events(request: web.Request) -> web.Response:
        body = await request.json()
        calls.append((request.method, request.path, dict(request.query), body))
        if request.query.get("token") != "t0ken":
            return web.json_response({"message": "User is not authenticated."}, status=401)
        if body[0].get("text") == "refuse":
            message = (
                "An unexpected error occurred. Error: WeChat API error 45015: response out of time limit"
            )
            return web.json_response({"message": message}, status=500)
        return web.json_response({"events": body})

    async def presence(request: web.Request) -> web.Response:
        calls.append(
            (request.method, request.path, dict(request.query), request.headers.get("Authorization"))
        )
        return web.json_response({"connected": request.match_info["sid"] == "here"})

    app = web.Application()
    app.router.add_post("/conversations/{cid}/tracker/events", events)
    app.router.add_post("/conversations/{cid}/execute", events)
    app.router.add_get("/webhooks/socketio/presence/{sid}", presence)
    server = await aiohttp_server(app)
    return str(server.make_url("")), calls


async def test_appends_with_the_output_channel_and_reads_presence(fake_rasa):
    base, calls = fake_rasa
    client = RasaClient(base, "t0ken")
    await asyncio.to_thread(
        client.append_events, "wx/1", [{"event": "bot", "text": "hi"}], output_channel="wechat"
    )
    method, path, query, _ = calls[-1]
    assert path == "/conversations/wx/1/tracker/events" or path.endswith("wx%2F1/tracker/events")
    assert query == {"output_channel": "wechat", "execute_side_effects": "true", "token": "t0ken"}
    assert await asyncio.to_thread(client.widget_connected, "here") is True
    assert await asyncio.to_thread(client.widget_connected, "gone") is False
    assert calls[-1][3] == "Bearer t0ken" and "token" not in calls[-1][2]


async def test_a_wechat_refusal_and_a_bad_token_are_errors(fake_rasa):
    base, _ = fake_rasa
    with pytest.raises(RasaError) as refused:
        await asyncio.to_thread(
            RasaClient(base, "t0ken").append_events, "c", [{"event": "bot", "text": "refuse"}]
        )
    assert refused.value.wechat_errcode == 45015 and not refused.value.unavailable
    with pytest.raises(RasaError) as denied:
        await asyncio.to_thread(RasaClient(base, "wrong").append_events, "c", [{"event": "pause"}])
    assert "401" in str(denied.value) and "wrong" not in str(denied.value)


def test_an_unreachable_rasa_is_unavailable_and_the_token_stays_secret():
    client = RasaClient(f"http://127.0.0.1:{free_port()}", "s3cret", timeout=2)
    with pytest.raises(RasaError) as down:
        client.append_events("c", [{"event": "pause"}])
    assert down.value.unavailable and "s3cret" not in str(down.value)
    assert client.widget_connected("c") is None
