"""Typed application keys and request keys shared by the console modules."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from aiohttp import web
from argon2 import PasswordHasher
from sqlalchemy.engine import Engine
from sqlalchemy.orm import sessionmaker

from chanyan.console.settings import ConsoleSettings


@dataclass(frozen=True)
class CurrentUser:
    """The signed-in staff member of a request."""

    id: int
    username: str
    display_name: str
    role: str
    csrf_token: str | None  # None for bearer-token API calls (no cookie, so no CSRF)
    via: str  # "session" | "token"
    session_id: int | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def label(self) -> str:
        return self.display_name or self.username


SETTINGS_KEY = web.AppKey("settings", ConsoleSettings)
ENGINE_KEY = web.AppKey("engine", Engine)
SESSIONMAKER_KEY = web.AppKey("sessionmaker", sessionmaker)
TRACKER_ENGINE_KEY = web.AppKey("tracker_engine", Engine)
HASHER_KEY = web.AppKey("hasher", PasswordHasher)
THROTTLE_KEY = web.AppKey("login_throttle", Any)
TAXONOMY_KEY = web.AppKey("taxonomy", Any)
PUBLIC_RESOURCES_KEY = web.AppKey("public_resources", set)
# Conversations: how the console reaches Rasa, its clock (tests pass fakes before start-up), and the service.
CONVERSATION_TRANSPORT_KEY = web.AppKey("conversation_transport", Any)
CLOCK_KEY = web.AppKey("clock", Any)
OUTBOUND_KEY = web.AppKey("outbound", Any)

# Per-request values (request[...]).
USER = "chanyan.user"
# How progress notices reach the enterprise on its chat channel (chanyan.requests.progress.ChannelDelivery), when
# the process has a way to write to the channels; absent: e-mail only.
PROGRESS_DELIVERY_KEY = web.AppKey("progress_delivery", object)
