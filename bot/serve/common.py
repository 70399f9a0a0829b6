"""What both launchers share: the bind address and port, logging with personal data masked, refusing to start."""

from __future__ import annotations

import logging
import logging.config
import os
import sys
from pathlib import Path
from typing import NoReturn

import yaml

from chanyan.logmask import mask_warnings
from chanyan.settings import InsecureSettingError

ROOT = Path(__file__).resolve().parents[2]
LOGGING_CONFIG = ROOT / "logging.yml"
# Every process listens on the loopback interface unless told otherwise (RASA_HOST, ACTION_HOST).
DEFAULT_HOST = "127.0.0.1"

logger = logging.getLogger(__name__)


def bind_host(variable: str) -> str:
    """The address to listen on: the variable's value, else the loopback interface."""
    return os.environ.get(variable, "").strip() or DEFAULT_HOST


def port(variable: str, default: int) -> int:
    raw = os.environ.get(variable, "").strip()
    try:
        value = int(raw) if raw else default
    except ValueError as err:
        raise InsecureSettingError(f"{variable} must be a port number, not {raw!r}") from err
    if not 0 < value < 65536:
        raise InsecureSettingError(f"{variable} must be a port number, not {value}")
    return value


def configure_logging() -> None:
    """logging.yml (phones and e-mails masked on every handler), with Python warnings routed through it."""
    with LOGGING_CONFIG.open(encoding="utf-8") as handle:
        logging.config.dictConfig(yaml.safe_load(handle))
    mask_warnings()


def refuse(error: ValueError, process: str) -> NoReturn:
    """Stop the process with the reason on standard error (no traceback: it is a configuration answer)."""
    print(f"{process}: refusing to start: {error}", file=sys.stderr)
    raise SystemExit(2)
