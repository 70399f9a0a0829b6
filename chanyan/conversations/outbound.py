"""The outbound delivery service: "send this text to the user of conversation X on its channel", and staff holding
a conversation (the bot silent) and handing it back.

Every attempt is a row of ``outbound_messages`` with its outcome. The channel's rules (chanyan.conversations.rules)
are checked before anything is sent; the message then goes through Rasa (chanyan.conversations.rasa), which keeps
it in the transcript and hands it to the channel. Usage::

    service = OutboundService(sessionmaker, tracker_engine, RasaClient(settings.rasa_url, settings.rasa_token))
    service.window("wx-openid")                     # ReplyWindow: allowed, window_ends_at, messages_left
    service.send("wx-openid", "您好……", author="李对接")           # a staff reply
    service.send(conversation_id, text, kind="notice", request_ref="XQ-…")  # a progress notice

Synchronous (database and HTTP): async callers run it on a worker thread.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from chanyan import clock
from chanyan.conversations.rasa import ConversationTransport, RasaError
from chanyan.conversations.rules import (
    CHANNEL_WECHAT,
    CHANNEL_WIDGET,
    FAILURES,
    OUTCOME_LABELS,
    REFUSALS,
    ReplyWindow,
    reply_window,
    text_problem,
)
from chanyan.conversations.state import ConversationState, read_state
from chanyan.store.models import OutboundMessage
from chanyan.store.tracker import conversation_events

logger = logging.getLogger(__name__)

KINDS = ("staff", "notice")
# The bot's action that says the conversation is back with the assistant and asks the pending question again.
HANDBACK_ACTION = "action_staff_handback"
WECHAT_ERRORS = {45015: "wechat_window_closed", 45047: "wechat_quota_used", 43004: "wechat_not_subscribed"}
# Counted against WeChat's five: what went out, and what is going out right now.
_COUNTED = ("sent", "pending")


@dataclass(frozen=True)
class Outcome:
    """What became of one send.

    Attributes:
        id: the outbound_messages row.
        status: sent | queued | refused | failed.
        reason: a REFUSALS or FAILURES code (None when sent or queued).
        window: the reply window after this send.
    """

    id: int
    status: str
    reason: str | None
    window: ReplyWindow

    @property
    def delivered(self) -> bool:
        """The user has it or will see it on their next visit."""
        return self.status in ("sent", "queued")

    @property
    def message(self) -> str:
        """The outcome in words, for staff."""
        if self.status == "refused":
            return REFUSALS.get(self.reason or "", OUTCOME_LABELS["refused"])
        if self.status == "failed":
            return FAILURES.get(self.reason or "", OUTCOME_LABELS["failed"])
        return OUTCOME_LABELS[self.status]


class ConversationError(Exception):
    """Holding or handing back failed (Rasa unavailable or refused); the message is for staff."""


class OutboundService:
    """Sends into conversations and holds them for staff.

    Args:
        sessions: the requests database (outbound_messages).
        tracker: the engine of Rasa's tracker store (read only).
        transport: Rasa's HTTP API.
        now: the clock (naive UTC); tests pass a fake one.
    """

    def __init__(
        self,
        sessions: sessionmaker,
        tracker: Engine,
        transport: ConversationTransport,
        *,
        now: Callable[[], datetime] = clock.utcnow,
    ) -> None:
        self._sessions = sessions
        self._tracker = tracker
        self._transport = transport
        self._now = now

    # --- reading ---------------------------------------------------------------------------------------

    def state(self, conversation_id: str) -> ConversationState:
        """The conversation's channel, last user message and holder, from the tracker store."""
        return read_state(conversation_id, conversation_events(self._tracker, conversation_id))

    def window(self, conversation_id: str, state: ConversationState | None = None) -> ReplyWindow:
        """Whether a message can be sent now, and (WeChat) until when and how many more."""
        state = state or self.state(conversation_id)
        with self._sessions() as session:
            sent = _sent_since(session, conversation_id, state)
        return reply_window(state.channel, state.last_user_message_at, sent, self._now())

    def attempts(
        self, conversation_id: str | None = None, *, request_ref: str | None = None, limit: int = 100
    ) -> list[dict[str, Any]]:
        """Recent attempts of a conversation or about a request, newest first, as plain dicts."""
        query = select(OutboundMessage).order_by(OutboundMessage.id.desc()).limit(limit)
        if conversation_id is not None:
            query = query.where(OutboundMessage.conversation_id == conversation_id)
        if request_ref is not None:
            query = query.where(OutboundMessage.request_ref == request_ref)
        with self._sessions() as session:
            return [attempt_dict(row) for row in session.execute(query).scalars()]

    # --- sending ---------------------------------------------------------------------------------------

    def send(
        self,
        conversation_id: str,
        text: str,
        *,
        author: str | None = None,
        kind: str = "staff",
        request_ref: str | None = None,
    ) -> Outcome:
        """Send `text` to the user of the conversation on its channel (never raises for a refusal or a failure).

        Args:
            author: the staff member named to the user (staff replies); None for a notice from the platform.
            kind: "staff" (a reply typed by staff) or "notice" (a message from the platform, e.g. progress).
            request_ref: the request a notice is about (shown with the request's attempts).
        """
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
        text = text.strip()
        state = self.state(conversation_id)
        with self._sessions() as session, session.begin():
            window = reply_window(
                state.channel,
                state.last_user_message_at,
                _sent_since(session, conversation_id, state),
                self._now(),
            )
            problem = text_problem(text) or (None if window.allowed else window.reason)
            row = OutboundMessage(
                conversation_id=conversation_id,
                channel=state.channel or "unknown",
                kind=kind,
                author=author,
                text=text,
                request_ref=request_ref,
                status="refused" if problem else "pending",
                reason=problem,
                created_at=self._now(),
                finished_at=self._now() if problem else None,
            )
            session.add(row)
            session.flush()
            row_id = row.id
        if problem:
            return Outcome(row_id, "refused", problem, window)
        status, reason, detail = self._deliver(conversation_id, state.channel or "", text, author, kind)
        with self._sessions() as session, session.begin():
            row = session.get(OutboundMessage, row_id)
            row.status, row.reason, row.detail, row.finished_at = status, reason, detail, self._now()
        if status == "failed":
            logger.warning("could not send into conversation %s: %s (%s)", conversation_id, reason, detail)
        return Outcome(row_id, status, reason, self.window(conversation_id, state))

    def _deliver(
        self, conversation_id: str, channel: str, text: str, author: str | None, kind: str
    ) -> tuple[str, str | None, str | None]:
        metadata: dict[str, Any] = {"staff": author} if author else {}
        metadata["outbound"] = kind
        event = {"event": "bot", "text": text, "data": {}, "metadata": metadata}
        connected = self._transport.widget_connected(conversation_id) if channel == CHANNEL_WIDGET else None
        try:
            self._transport.append_events(conversation_id, [event], output_channel=channel)
        except RasaError as err:
            if err.unavailable:
                return "failed", "rasa_unavailable", str(err)
            if channel == CHANNEL_WECHAT and err.wechat_errcode is not None:
                return "failed", WECHAT_ERRORS.get(err.wechat_errcode, "wechat_error"), str(err)
            return "failed", "rasa_error", str(err)
        if channel == CHANNEL_WIDGET and not connected:
            return "queued", None, None
        return "sent", None, None

    # --- holding ---------------------------------------------------------------------------------------

    def hold(self, conversation_id: str, staff: str) -> ConversationState:
        """Staff take the conversation: the bot stays silent in it until `release` (Rasa's pause, kept in the
        tracker store, so it holds across restarts and replicas)."""
        state = self.state(conversation_id)
        if not state.exists:
            raise ConversationError("未找到该会话。")
        if state.held:
            return state
        self._append(conversation_id, [{"event": "pause", "metadata": {"staff": staff}}])
        return self.state(conversation_id)

    def release(self, conversation_id: str, staff: str) -> ConversationState:
        """Hand the conversation back to the bot, which says so and asks its pending question again."""
        state = self.state(conversation_id)
        if not state.held:
            return state
        self._append(conversation_id, [{"event": "resume", "metadata": {"staff": staff}}])
        channel = state.channel if state.channel in (CHANNEL_WIDGET, CHANNEL_WECHAT) else None
        allowed = channel is not None and self.window(conversation_id, state).allowed
        try:
            # Where nothing can be pushed the action still runs: its question waits in the transcript.
            self._transport.execute(
                conversation_id, HANDBACK_ACTION, output_channel=channel if allowed else None
            )
        except RasaError as err:
            logger.warning("the bot could not take conversation %s back: %s", conversation_id, err)
        return self.state(conversation_id)

    def _append(self, conversation_id: str, events: list[dict[str, Any]]) -> None:
        try:
            self._transport.append_events(conversation_id, events)
        except RasaError as err:
            logger.warning("could not update conversation %s in Rasa: %s", conversation_id, err)
            raise ConversationError(
                FAILURES["rasa_unavailable" if err.unavailable else "rasa_error"]
            ) from err


def _sent_since(session: Session, conversation_id: str, state: ConversationState) -> int:
    if state.channel != CHANNEL_WECHAT or state.last_user_message_at is None:
        return 0
    query = select(func.count(OutboundMessage.id)).where(
        OutboundMessage.conversation_id == conversation_id,
        OutboundMessage.channel == CHANNEL_WECHAT,
        OutboundMessage.status.in_(_COUNTED),
        OutboundMessage.created_at >= state.last_user_message_at,
    )
    return int(session.execute(query).scalar_one())


def attempt_dict(row: OutboundMessage) -> dict[str, Any]:
    """One attempt as plain data (the console and the API show it)."""
    return {
        "id": row.id,
        "conversation_id": row.conversation_id,
        "channel": row.channel,
        "kind": row.kind,
        "author": row.author,
        "text": row.text,
        "request_ref": row.request_ref,
        "status": row.status,
        "status_label": OUTCOME_LABELS.get(row.status, row.status),
        "reason": row.reason,
        "reason_text": (REFUSALS if row.status == "refused" else FAILURES).get(row.reason or "", ""),
        "created_at": row.created_at,
        "finished_at": row.finished_at,
    }
