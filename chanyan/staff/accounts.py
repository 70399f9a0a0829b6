"""Staff accounts, browser sessions and API tokens. Query functions take a session; callers own the transaction."""

from __future__ import annotations

import contextlib
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from chanyan.store.models import STAFF_ROLES, ApiToken, StaffSession, StaffUser, utcnow

USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$")
TOKEN_PREFIX = "cyt_"
# An API token lives this long unless the console is configured otherwise (CONSOLE_API_TOKEN_DAYS).
API_TOKEN_DAYS = 90
# A password needs this many different characters and two kinds of them (letters, digits, other signs).
MIN_DISTINCT_CHARS = 6
# Passwords that guessers try first (each at least 10 characters, the minimum length).
COMMON_PASSWORDS = frozenset(
    {
        "1234567890", "0123456789", "0987654321", "1111111111", "password12", "password123", "passw0rd12",
        "qwertyuiop", "qwerty1234", "1qaz2wsx3edc", "asdfghjkl1", "abc1234567", "abcdefghij", "iloveyou12",
        "woaini1314", "admin12345", "administrator", "changeme123", "letmein123", "welcome123",
    }
)  # fmt: skip


class AccountError(ValueError):
    """An account operation that cannot be done (unknown user, bad name, weak password)."""


def make_hasher(params: dict | None = None) -> PasswordHasher:
    """An argon2id hasher (library defaults unless `params` lowers the cost, as the tests do)."""
    return PasswordHasher(**(params or {}))


def token_digest(token: str) -> str:
    """SHA-256 of a random token: what the database keeps instead of the token."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def check_password_strength(password: str, min_length: int, username: str | None = None) -> None:
    """Refuse passwords a guesser would try early: short, repetitive, common, or containing the username."""
    if len(password) < min_length:
        raise AccountError(f"密码至少需要 {min_length} 个字符。")
    if password.strip() != password or not password.strip():
        raise AccountError("密码首尾不能是空格。")
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS:
        raise AccountError("这个密码太常见，请换一个。")
    if username and len(username) >= 3 and username.strip().lower() in lowered:
        raise AccountError("密码不能包含用户名。")
    kinds = sum(
        (
            any(c.isalpha() for c in password),
            any(c.isdigit() for c in password),
            any(not c.isalnum() for c in password),
        )
    )
    if len(set(lowered)) < MIN_DISTINCT_CHARS or kinds < 2:
        raise AccountError(
            f"密码需要至少 {MIN_DISTINCT_CHARS} 个不同的字符，并包含字母、数字或符号中的两类。"
        )


def get_user(session: Session, username: str) -> StaffUser | None:
    return session.execute(
        select(StaffUser).where(StaffUser.username == username.strip().lower())
    ).scalar_one_or_none()


def list_users(session: Session, *, active_only: bool = False) -> list[StaffUser]:
    query = select(StaffUser).order_by(StaffUser.username)
    if active_only:
        query = query.where(StaffUser.active.is_(True))
    return list(session.execute(query).scalars())


def create_user(
    session: Session,
    hasher: PasswordHasher,
    username: str,
    password: str,
    *,
    role: str = "staff",
    display_name: str = "",
    min_password_length: int = 10,
) -> StaffUser:
    """Add an account; usernames are case-insensitive (stored lower-case)."""
    username = username.strip().lower()
    if not USERNAME_PATTERN.match(username):
        raise AccountError("用户名只能包含字母、数字、点、下划线和连字符，2–64 个字符。")
    if role not in STAFF_ROLES:
        raise AccountError(f"角色必须是 {' / '.join(STAFF_ROLES)}。")
    if get_user(session, username) is not None:
        raise AccountError(f"用户名 {username} 已存在。")
    check_password_strength(password, min_password_length, username)
    user = StaffUser(
        username=username,
        display_name=display_name.strip()[:100],
        password_hash=hasher.hash(password),
        role=role,
        active=True,
    )
    session.add(user)
    session.flush()
    return user


def set_password(
    session: Session, hasher: PasswordHasher, user: StaffUser, password: str, *, min_password_length: int = 10
) -> None:
    """Change a password: sign the user out everywhere and revoke every API token (the console's password
    page then starts a fresh session for the user who changed it)."""
    check_password_strength(password, min_password_length, user.username)
    user.password_hash = hasher.hash(password)
    end_sessions(session, user.id)
    revoke_api_tokens(session, user.id)


def set_active(session: Session, user: StaffUser, active: bool) -> None:
    """Enable or disable an account; disabling ends its sessions and revokes its API tokens."""
    user.active = active
    if not active:
        end_sessions(session, user.id)
        revoke_api_tokens(session, user.id)


def revoke_api_tokens(session: Session, user_id: int) -> None:
    """Revoke every live API token of a user."""
    for token in session.execute(
        select(ApiToken).where(ApiToken.user_id == user_id, ApiToken.revoked_at.is_(None))
    ).scalars():
        token.revoked_at = utcnow()


def end_sessions(session: Session, user_id: int, *, keep_session_id: int | None = None) -> None:
    query = delete(StaffSession).where(StaffSession.user_id == user_id)
    if keep_session_id is not None:
        query = query.where(StaffSession.id != keep_session_id)
    session.execute(query)


# A valid hash of a random password: verifying against it when the user does not exist takes as long as a
# real check, so response times do not tell which usernames exist.
_DUMMY: dict[int, str] = {}


def authenticate(session: Session, hasher: PasswordHasher, username: str, password: str) -> StaffUser | None:
    """The active user with this username and password, or None (one outcome for every kind of failure)."""
    user = get_user(session, username) if username else None
    if user is None or not user.active:
        key = id(hasher)
        if key not in _DUMMY:
            _DUMMY[key] = hasher.hash(secrets.token_urlsafe(16))
        with contextlib.suppress(VerificationError):
            hasher.verify(_DUMMY[key], password or "-")
        return None
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    user.last_login_at = utcnow()
    return user


@dataclass(frozen=True)
class SessionInfo:
    """What the auth middleware needs from a session row."""

    session_id: int
    user_id: int
    username: str
    display_name: str
    role: str
    csrf_token: str


def start_session(session: Session, user: StaffUser, hours: float) -> str:
    """A new browser session for `user`; returns the cookie token (never stored in clear)."""
    now = utcnow()
    session.execute(delete(StaffSession).where(StaffSession.expires_at < now))
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(
            token_hash=token_digest(token),
            user_id=user.id,
            csrf_token=secrets.token_urlsafe(32),
            created_at=now,
            expires_at=now + timedelta(hours=hours),
        )
    )
    return token


def load_session(session: Session, token: str) -> SessionInfo | None:
    """The live session of this cookie token, if its user is still active."""
    row = session.execute(
        select(StaffSession, StaffUser)
        .join(StaffUser, StaffUser.id == StaffSession.user_id)
        .where(StaffSession.token_hash == token_digest(token))
    ).first()
    if row is None:
        return None
    staff_session, user = row
    if staff_session.expires_at < utcnow() or not user.active:
        return None
    return SessionInfo(
        staff_session.id, user.id, user.username, user.display_name, user.role, staff_session.csrf_token
    )


def end_session(session: Session, token: str) -> None:
    session.execute(delete(StaffSession).where(StaffSession.token_hash == token_digest(token)))


def create_api_token(session: Session, user: StaffUser, name: str, *, days: int = API_TOKEN_DAYS) -> str:
    """A new API token for `user`, valid for `days`; the clear token is returned once and never stored."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        ApiToken(
            user_id=user.id,
            name=(name.strip() or "API")[:100],
            token_hash=token_digest(token),
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    )
    return token


def list_api_tokens(session: Session, user_id: int) -> list[ApiToken]:
    return list(
        session.execute(
            select(ApiToken).where(ApiToken.user_id == user_id).order_by(ApiToken.id.desc())
        ).scalars()
    )


def revoke_api_token(session: Session, user_id: int, token_id: int) -> bool:
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user_id:
        return False
    token.revoked_at = token.revoked_at or utcnow()
    return True


def load_api_token(session: Session, token: str) -> StaffUser | None:
    """The active owner of a live API token."""
    row = session.execute(
        select(ApiToken, StaffUser)
        .join(StaffUser, StaffUser.id == ApiToken.user_id)
        .where(ApiToken.token_hash == token_digest(token), ApiToken.revoked_at.is_(None))
    ).first()
    if row is None or not row[1].active:
        return None
    api_token, user = row
    now = utcnow()
    if api_token.expires_at is not None and api_token.expires_at <= now:
        return None
    if api_token.last_used_at is None or now - api_token.last_used_at > timedelta(minutes=5):
        api_token.last_used_at = now
    return user
