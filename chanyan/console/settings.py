"""Console settings, read once from the environment; tests build them explicitly."""

from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from chanyan import clock
from chanyan.settings import Settings
from chanyan.store.session import ensure_private_dir

SECRET_FILE = "console_secret"
DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8080


def parse_networks(text: str) -> tuple:
    """ "127.0.0.1, 10.0.0.0/8" -> networks; a malformed entry stops the console with a clear error."""
    networks = []
    for part in text.replace(";", ",").split(","):
        if part.strip():
            try:
                networks.append(ipaddress.ip_network(part.strip(), strict=False))
            except ValueError as err:
                raise SystemExit(
                    f"CONSOLE_TRUSTED_PROXIES: {part.strip()!r} is not an address or range"
                ) from err
    return tuple(networks)


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def load_or_create_secret(var_dir: Path) -> str:
    """CONSOLE_SECRET, or a random secret kept in var/console_secret (created with mode 0600)."""
    from_env = os.environ.get("CONSOLE_SECRET", "").strip()
    if from_env:
        return from_env
    path = Path(var_dir) / SECRET_FILE
    ensure_private_dir(path.parent, tighten=True)
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    secret = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(secret)
    return secret


@dataclass(frozen=True)
class ConsoleSettings:
    """Everything the console reads from its environment."""

    database_url: str
    secret: str
    tracker_database_url: str | None = None  # None: Rasa's tracker store shares database_url
    timezone: str = field(default_factory=clock.tz_name)
    secure_cookies: bool = False  # always mark cookies Secure (else only when the request came over https)
    session_hours: float = 12.0
    page_size: int = 20
    login_max_failures: int = 5  # per username and client address within the window
    login_max_failures_per_address: int = 20
    login_window_seconds: int = 900
    min_password_length: int = 10
    api_token_days: int = 90  # CONSOLE_API_TOKEN_DAYS: how long a new API token is valid
    # CONSOLE_TRUSTED_PROXIES: reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For/-Proto are believed.
    trusted_proxies: tuple = ()
    # argon2id cost; the library defaults in production, the minimum in tests.
    argon2: dict = field(default_factory=lambda: {"time_cost": 3, "memory_cost": 65536, "parallelism": 4})
    base_url: str = ""  # e.g. https://console.example.cn, for links in notifications
    # Rasa's HTTP API: staff replies and holds go through it (RASA_URL, RASA_TOKEN).
    rasa_url: str = "http://127.0.0.1:5005"
    rasa_token: str = ""
    live_poll_seconds: float = 3.0  # how often the conversation page asks for new messages

    @property
    def tracker_url(self) -> str:
        """Where Rasa's `events` table lives."""
        return self.tracker_database_url or self.database_url

    @classmethod
    def from_env(cls, base: Settings | None = None) -> ConsoleSettings:
        """Settings from DATABASE_URL, TRACKER_DB_URL, CONSOLE_SECRET, CONSOLE_SECURE_COOKIES, …"""
        base = base or Settings.from_env()
        return cls(
            database_url=base.database_url,
            tracker_database_url=os.environ.get("TRACKER_DB_URL") or None,
            secret=load_or_create_secret(base.var_dir),
            timezone=base.timezone,
            secure_cookies=_flag("CONSOLE_SECURE_COOKIES"),
            session_hours=float(os.environ.get("CONSOLE_SESSION_HOURS", "12")),
            api_token_days=int(os.environ.get("CONSOLE_API_TOKEN_DAYS", "90")),
            trusted_proxies=parse_networks(os.environ.get("CONSOLE_TRUSTED_PROXIES", "")),
            base_url=os.environ.get("CONSOLE_BASE_URL", "").rstrip("/"),
            rasa_url=base.rasa_url,
            rasa_token=base.rasa_token,
        )
