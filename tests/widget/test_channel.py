"""The Rasa side of the socketio channel: credentials, the user message handed to Rasa, the output's ids."""

from __future__ import annotations

from unittest.mock import AsyncMock

from rasa.core.channels.channel import UserMessage

from connectors.webchat.channel import SocketIOInput, WebchatOutput
from connectors.webchat.sessions import SessionSigner


def channel_with(handler) -> SocketIOInput:
    channel = SocketIOInput.from_credentials(
        {"user_message_evt": "user_uttered", "bot_message_evt": "bot_uttered"}
    )
    channel.signer = SessionSigner(b"s" * 32)
    channel.blueprint(handler)
    return channel


def test_keeps_rasas_name_and_registers_the_protocol() -> None:
    channel = channel_with(AsyncMock())
    assert channel.name() == "socketio"
    handlers = channel.sio.handlers["/"]
    assert {"connect", "disconnect", "session_request", "user_uttered", "history_request"} <= set(handlers)
    assert isinstance(channel.get_output_channel(), WebchatOutput)


async def test_the_message_goes_to_rasa_as_the_sockets_session_with_its_id() -> None:
    received: list[UserMessage] = []

    async def handler(message: UserMessage) -> None:
        received.append(message)
        await message.output_channel.send_response(message.sender_id, {"text": "好的", "timestamp": 12.5})

    channel = channel_with(handler)
    protocol = channel.protocol
    protocol.sio.emit = AsyncMock()
    protocol.sio.enter_room = AsyncMock()
    await protocol.on_session_request("sock-1", {})
    session_id = protocol.sio.emit.await_args_list[0].args[1]["session_id"]
    answer = await protocol.on_user_message(
        "sock-1", {"message": "你好", "message_id": "abcdefgh-1", "session_id": "someone-else"}
    )
    assert answer == {"ok": True}
    await protocol._chains[session_id]  # noqa: SLF001 (wait for the turn)
    [message] = received
    assert (message.sender_id, message.text, message.message_id) == (session_id, "你好", "abcdefgh-1")
    assert message.input_channel == "socketio"
    event, payload = protocol.sio.emit.await_args_list[-1].args
    assert event == "bot_uttered" and payload["id"] == "12.5:0" and payload["text"] == "好的"
    assert protocol.sio.emit.await_args_list[-1].kwargs["room"] == session_id


async def test_a_turn_without_a_reply_gets_the_retry_notice() -> None:
    channel = channel_with(AsyncMock(return_value=None))
    protocol = channel.protocol
    protocol.sio.emit = AsyncMock()
    protocol.sio.enter_room = AsyncMock()
    await protocol.on_session_request("sock-1", {})
    session_id = protocol.sio.emit.await_args_list[0].args[1]["session_id"]
    await protocol.on_user_message("sock-1", {"message": "你好", "message_id": "abcdefgh-2"})
    await protocol._chains[session_id]  # noqa: SLF001
    event, payload = protocol.sio.emit.await_args_list[-1].args
    assert event == "bot_uttered" and "请稍后再发一次" in payload["text"]


async def test_presence_tells_the_console_whether_a_page_of_the_session_is_connected(monkeypatch) -> None:
    import socket
    import uuid

    import aiohttp
    from rasa.core.channels.channel import register
    from sanic import Sanic

    monkeypatch.setenv("RASA_TOKEN", "presence-token")
    monkeypatch.setattr(Sanic, "test_mode", True)
    channel = SocketIOInput.from_credentials({})
    channel.signer = SessionSigner(b"s" * 32)
    app = Sanic(f"presence_{uuid.uuid4().hex[:8]}", configure_logging=False)
    register([channel], app, "/webhooks/")
    channel.protocol._bound["sock-1"] = "a" * 32  # noqa: SLF001 (a confirmed socket)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True)
    await server.startup()
    await server.start_serving()
    base = f"http://127.0.0.1:{port}/webhooks/socketio/presence/"
    auth = {"Authorization": "Bearer presence-token"}
    try:
        async with aiohttp.ClientSession() as http:
            async with http.get(base + "a" * 32, headers=auth) as response:
                assert await response.json() == {"connected": True}
            async with http.get(base + "b" * 32, headers=auth) as response:
                assert await response.json() == {"connected": False}
            async with http.get(base + "a" * 32) as response:
                assert response.status == 401
            async with http.get(base + "a" * 32, headers={"Authorization": "Bearer nope"}) as response:
                assert response.status == 401
    finally:
        server.close()
        await server.wait_closed()


async def test_a_staff_reply_carries_the_staff_members_name_to_the_page() -> None:
    channel = channel_with(AsyncMock())
    protocol = channel.protocol
    protocol.sio.emit = AsyncMock()
    await channel.get_output_channel().send_response(
        "s" * 32, {"text": "您好", "timestamp": 3.5, "staff": "李对接"}
    )
    event, payload = protocol.sio.emit.await_args_list[-1].args
    assert payload["staff"] == "李对接" and payload["text"] == "您好"


def test_a_staff_reply_read_back_from_the_tracker_keeps_the_name() -> None:
    from connectors.webchat.transcript import event_items, for_display

    events = [
        {"event": "user", "text": "转人工", "timestamp": 1.0, "message_id": "m-00000001"},
        {
            "event": "bot",
            "text": "您好，我是李对接",
            "timestamp": 2.0,
            "data": {},
            "metadata": {"staff": "李对接"},
        },
        {"event": "bot", "text": "需求助手继续为您服务", "timestamp": 3.0, "data": {}, "metadata": {}},
    ]
    shown = for_display(event_items(events))
    assert [(i["from"], i.get("staff")) for i in shown] == [("user", None), ("bot", "李对接"), ("bot", None)]
