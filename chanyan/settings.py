"""Runtime settings, read once from the environment (every port and URL has a default for `make run`)."""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path

from chanyan import clock
from chanyan.domain.schema import DEFAULT_RETENTION_DAYS

# Where the full privacy notice (个人信息保护说明) is published; the platform sets its own.
DEFAULT_PRIVACY_URL = "http://127.0.0.1:8080/privacy"

DEFAULT_RASA_PORT = 5005

PROJECT_ROOT = Path(__file__).resolve().parent.parent

# CHANYAN_ENV: "development" (the default: `make run`, the tests) relaxes what only a developer's machine may
# allow (the open REST channel, default tokens); "production" refuses it.
DEVELOPMENT = "development"
PRODUCTION = "production"
ENVIRONMENTS = (DEVELOPMENT, PRODUCTION)


def environment(environ: Mapping[str, str] | None = None) -> str:
    """The deployment profile named by CHANYAN_ENV (default development); an unknown name is an error."""
    env = os.environ if environ is None else environ
    name = env.get("CHANYAN_ENV", "").strip().lower() or DEVELOPMENT
    if name not in ENVIRONMENTS:
        raise ValueError(f"CHANYAN_ENV must be one of {', '.join(ENVIRONMENTS)}, not {name!r}")
    return name


def is_development(environ: Mapping[str, str] | None = None) -> bool:
    """Whether this process runs the development profile (CHANYAN_ENV unset or "development")."""
    return environment(environ) == DEVELOPMENT


def _default_var_dir() -> Path:
    return Path(os.environ.get("CHANYAN_VAR_DIR", PROJECT_ROOT / "var"))


def _default_database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{_default_var_dir() / 'chanyan.db'}"


def _retention_days() -> int:
    raw = os.environ.get("CHANYAN_RETENTION_DAYS", "").strip()
    try:
        days = int(raw) if raw else DEFAULT_RETENTION_DAYS
    except ValueError as err:
        raise ValueError(f"CHANYAN_RETENTION_DAYS must be a whole number of days, not {raw!r}") from err
    if days < 1:
        raise ValueError("CHANYAN_RETENTION_DAYS must be at least 1")
    return days


def _rasa_url() -> str:
    configured = os.environ.get("RASA_URL", "").strip()
    if configured:
        return configured.rstrip("/")
    return f"http://127.0.0.1:{os.environ.get('RASA_PORT', '').strip() or DEFAULT_RASA_PORT}"


def _privacy_url() -> str:
    return os.environ.get("CHANYAN_PRIVACY_URL", "").strip() or DEFAULT_PRIVACY_URL


@dataclass(frozen=True)
class Settings:
    """Process settings. Build with `Settings.from_env()`; tests pass explicit values."""

    database_url: str = field(default_factory=_default_database_url)
    var_dir: Path = field(default_factory=_default_var_dir)
    timezone: str = field(default_factory=clock.tz_name)
    # Rasa's tracker store; empty: the requests database.
    tracker_db_url: str = ""
    retention_days: int = DEFAULT_RETENTION_DAYS
    privacy_url: str = DEFAULT_PRIVACY_URL
    # Rasa's HTTP API (staff replies and holds go through it) and its token.
    rasa_url: str = f"http://127.0.0.1:{DEFAULT_RASA_PORT}"
    rasa_token: str = ""

    def __post_init__(self) -> None:
        if not self.tracker_db_url:
            object.__setattr__(self, "tracker_db_url", self.database_url)

    @classmethod
    def from_env(cls) -> Settings:
        """Settings from environment variables (DATABASE_URL, TRACKER_DB_URL, CHANYAN_VAR_DIR, CHANYAN_TZ,
        CHANYAN_RETENTION_DAYS, CHANYAN_PRIVACY_URL, RASA_URL or RASA_PORT, RASA_TOKEN)."""
        database_url = _default_database_url()
        return cls(
            database_url=database_url,
            var_dir=_default_var_dir(),
            timezone=clock.tz_name(),
            tracker_db_url=os.environ.get("TRACKER_DB_URL", "").strip() or database_url,
            retention_days=_retention_days(),
            privacy_url=_privacy_url(),
            rasa_url=_rasa_url(),
            rasa_token=os.environ.get("RASA_TOKEN", "").strip(),
        )


# The secrets `make run` sets by default (Makefile), published in the README: refused in production.
DEVELOPMENT_SECRETS = {
    "RASA_TOKEN": "change-me-rasa-token",
    "ACTION_SERVER_TOKEN": "dev-action-server-token",
    "WECHAT_TOKEN": "dev-wechat-token",
    "WECHAT_SECRET": "dev-wechat-secret",
}
# The production profile's placeholders (deploy/chanyan.env.example) contain this; refused as well.
PLACEHOLDER_MARK = "change-me"
# A token shorter than this is refused in production (it could be guessed).
MIN_SECRET_CHARS = 16


class InsecureSettingError(ValueError):
    """A secret or an exposure that the process refuses to start with (the message says which and why)."""


def load_secret_files(names: Iterable[str], environ: MutableMapping[str, str] | None = None) -> None:
    """For every NAME whose NAME_FILE is set, read the secret from that file into NAME (so that secrets never
    appear on a command line and Rasa's ${NAME} expansion still finds them)."""
    environ = os.environ if environ is None else environ
    for name in names:
        path = environ.get(f"{name}_FILE", "").strip()
        if not path:
            continue
        try:
            value = Path(path).read_text(encoding="utf-8").strip()
        except OSError as err:
            raise InsecureSettingError(f"{name}_FILE: cannot read {path} ({err.strerror})") from err
        if not value:
            raise InsecureSettingError(f"{name}_FILE: {path} is empty")
        environ[name] = value


def required_secrets(
    required: Iterable[str], optional: Iterable[str] = (), environ: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The values of the secrets a process needs, refusing an empty required one and, outside development,
    a published default, a placeholder or a short token."""
    environ = os.environ if environ is None else environ
    try:
        production = not is_development(environ)
    except ValueError as err:
        raise InsecureSettingError(str(err)) from err
    values: dict[str, str] = {}
    for name in (*required, *optional):
        value = environ.get(name, "").strip()
        if not value:
            if name in required:
                raise InsecureSettingError(f"{name} is not set (or {name}_FILE)")
            continue
        if production:
            if value == DEVELOPMENT_SECRETS.get(name) or PLACEHOLDER_MARK in value.lower():
                raise InsecureSettingError(
                    f"{name} is the published development default or a placeholder; set a secret of your own"
                    " (CHANYAN_ENV is not development)"
                )
            if name in required and len(value) < MIN_SECRET_CHARS:
                raise InsecureSettingError(f"{name} must have at least {MIN_SECRET_CHARS} characters")
        values[name] = value
    return values
