"""Web chat sessions bound to a server-issued secret.

The server names every session (a random id) and hands the client a secret derived from it with a server key
(HMAC-SHA256). A client that asks to resume a session must present the secret; otherwise it gets a new session
of its own. Deriving the secret instead of storing it means every Rasa replica that shares the key recognises
every session, with nothing to look up.

The key comes from ``WEBCHAT_SESSION_KEY`` (at least 32 characters), or the file named by
``WEBCHAT_SESSION_KEY_FILE``; without either, one is generated into ``$CHANYAN_VAR_DIR/webchat-session.key``
(mode 0600) and reused after restarts — enough for one process; replicas must share a configured key.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import re
import secrets
import uuid
from collections.abc import Mapping
from pathlib import Path

from chanyan.store.session import ensure_private_dir

logger = logging.getLogger(__name__)

SESSION_ID_RE = re.compile(r"^[0-9a-f]{32}$")
# What a client may use as a message id (the widget makes 16 random hex digits plus a counter).
MESSAGE_ID_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
KEY_FILE_NAME = "webchat-session.key"
MIN_KEY_CHARS = 32


class SessionSigner:
    """Issues session ids with their secrets and checks a presented secret."""

    def __init__(self, key: bytes) -> None:
        if len(key) < MIN_KEY_CHARS:
            raise ValueError(f"the web chat session key must have at least {MIN_KEY_CHARS} characters")
        self._key = key

    def secret(self, session_id: str) -> str:
        return hmac.new(self._key, f"webchat-session:{session_id}".encode(), hashlib.sha256).hexdigest()

    def issue(self) -> tuple[str, str]:
        """A new session id and its secret."""
        session_id = uuid.uuid4().hex
        return session_id, self.secret(session_id)

    def verify(self, session_id: object, secret: object) -> bool:
        """Whether `secret` is the one this server issued for `session_id` (constant-time)."""
        if not isinstance(session_id, str) or not isinstance(secret, str):
            return False
        if not SESSION_ID_RE.fullmatch(session_id):
            return False
        return hmac.compare_digest(self.secret(session_id), secret)


def load_key(environ: Mapping[str, str] | None = None, var_dir: Path | None = None) -> bytes:
    """The session key: WEBCHAT_SESSION_KEY, else WEBCHAT_SESSION_KEY_FILE, else a generated key file."""
    env = os.environ if environ is None else environ
    value = env.get("WEBCHAT_SESSION_KEY", "").strip()
    if value:
        return value.encode()
    path_text = env.get("WEBCHAT_SESSION_KEY_FILE", "").strip()
    if path_text:
        return Path(path_text).read_text(encoding="utf-8").strip().encode()
    directory = var_dir or Path(env.get("CHANYAN_VAR_DIR") or Path.cwd() / "var")
    path = directory / KEY_FILE_NAME
    try:
        return path.read_text(encoding="utf-8").strip().encode()
    except FileNotFoundError:
        pass
    ensure_private_dir(directory, tighten=True)
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process created it first: use theirs
        return path.read_text(encoding="utf-8").strip().encode()
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key + "\n")
    logger.info("generated the web chat session key in %s", path)
    return key.encode()
