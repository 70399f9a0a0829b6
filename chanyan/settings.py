"""Runtime settings, read once from the environment (every port and URL has a default for `make run`)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from chanyan import clock

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _default_var_dir() -> Path:
    return Path(os.environ.get("CHANYAN_VAR_DIR", PROJECT_ROOT / "var"))


def _default_database_url() -> str:
    return os.environ.get("DATABASE_URL") or f"sqlite:///{_default_var_dir() / 'chanyan.db'}"


@dataclass(frozen=True)
class Settings:
    """Process settings. Build with `Settings.from_env()`; tests pass explicit values."""

    database_url: str = field(default_factory=_default_database_url)
    var_dir: Path = field(default_factory=_default_var_dir)
    timezone: str = field(default_factory=clock.tz_name)

    @classmethod
    def from_env(cls) -> Settings:
        """Settings from environment variables (DATABASE_URL, CHANYAN_VAR_DIR, CHANYAN_TZ)."""
        return cls(
            database_url=_default_database_url(),
            var_dir=_default_var_dir(),
            timezone=clock.tz_name(),
        )
