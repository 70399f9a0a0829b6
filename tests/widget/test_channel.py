"""The socketio channel fix: session_request must await enter_room (RasaHQ/rasa#13027)."""

from __future__ import annotations

from unittest.mock import AsyncMock

from connectors.webchat.channel import SocketIOInput


async def noop(_message) -> None:
    return None


def handler(channel: SocketIOInput):
    channel.blueprint(noop)
    return channel.sio.handlers["/"]["session_request"]


async def test_session_request_joins_the_session_room() -> None:
    channel = SocketIOInput.from_credentials({"session_persistence": True})
    assert channel.name() == "socketio"
    session_request = handler(channel)
    channel.sio.enter_room = AsyncMock()
    channel.sio.emit = AsyncMock()
    await session_request("socket-1", {"session_id": "abc"})
    channel.sio.enter_room.assert_awaited_once_with("socket-1", "abc", namespace=None)
    channel.sio.emit.assert_awaited_once_with("session_confirm", "abc", room="socket-1", namespace=None)


async def test_session_request_without_id_gets_a_new_one() -> None:
    channel = SocketIOInput.from_credentials({"session_persistence": False})
    session_request = handler(channel)
    channel.sio.enter_room = AsyncMock()
    channel.sio.emit = AsyncMock()
    await session_request("socket-1", None)
    channel.sio.enter_room.assert_not_awaited()
    [call] = channel.sio.emit.await_args_list
    assert call.args[0] == "session_confirm" and len(call.args[1]) == 32
