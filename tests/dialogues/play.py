"""Playing one conversation: the scripted user talks to a bot through two callables, so a fake bot can stand in
for Rasa in the unit tests."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from tests.dialogues.scoring import message_check_ok, reply_class_ok, score
from tests.dialogues.script import Conversation
from tests.dialogues.user import BotTurn, Message, ScriptedUser

MAX_TURNS = 30

Send = Callable[[str], list[dict]]  # one user message → the bot's REST replies
Tracker = Callable[[], dict | None]  # the conversation's tracker (slots.requested_slot, active_loop)


@dataclass
class Played:
    """A conversation as it went: every user message with the bot's turn after it, and how it ended."""

    turns: list[tuple[Message, BotTurn]] = field(default_factory=list)
    end: str = "left"  # filed | left (nothing more to say) | gave_up (asked too often) | cap | error
    checks: list[dict[str, Any]] = field(default_factory=list)
    user_turns_to_file: int | None = None
    confirm_retries: int = 0
    repairs: int = 0
    error: str | None = None

    @property
    def bot_texts(self) -> list[str]:
        return [t for _, turn in self.turns for t in turn.texts]


def play(
    conversation: Conversation,
    send: Send,
    tracker: Tracker,
    max_turns: int = MAX_TURNS,
    today: date | None = None,
) -> Played:
    """Talk until the user stops (after filing, when it has nothing left to say) or `max_turns` is reached."""
    user = ScriptedUser(conversation, today)
    played = Played()
    turn: BotTurn | None = None
    previous_question: str | None = None
    while True:
        message = user.next_message(turn)
        if message is None:
            break
        if user.turns > max_turns:
            played.end = "cap"
            break
        try:
            replies = send(message.text)
            turn = BotTurn.from_rest(replies, tracker())
        except Exception as err:  # the bot is down or answered with an HTTP error: score what was filed
            played.end, played.error = "error", f"{type(err).__name__}: {err}"
            break
        played.turns.append((message, turn))
        if message.checks:
            played.checks.append(
                {
                    "turn": user.turns,
                    "text": message.text,
                    "checks": message.checks,
                    "ok": message_check_ok(message.checks, turn.texts, previous_question),
                    "reply": turn.texts,
                }
            )
        if turn.filed_ref and played.user_turns_to_file is None:
            played.user_turns_to_file = user.turns
            played.end = "filed"
        if turn.texts:
            previous_question = turn.texts[-1]
    played.confirm_retries = user.confirm_retries
    played.repairs = user.repairs
    if user.gave_up and played.end == "left":
        played.end = "gave_up"
    return played


def verdict(
    conversation: Conversation, played: Played, rows: list[dict], handoffs: int, today: date
) -> dict[str, Any]:
    """Score a played conversation against its `expect`: fields, talk, reply classes, turns."""
    expect = conversation.expect
    result = score(expect, rows, handoffs, today)
    reply = expect.get("reply")
    result["reply_ok"] = reply_class_ok(reply, played.bot_texts) if reply else None
    checks_ok = all(c["ok"] for c in played.checks)
    result.update(
        {
            "id": conversation.id,
            "split": conversation.split,
            "tags": conversation.tags,
            "end": played.end,
            "user_turns": len(played.turns),
            "user_turns_to_file": played.user_turns_to_file,
            "confirm_retries": played.confirm_retries,
            "repairs": played.repairs,
            "checks": played.checks,
            "checks_ok": checks_ok,
            "error": played.error,
        }
    )
    if conversation.filed_expected:
        result["ok"] = bool(result["fields_right"] and not result["talk"])
        # The target of the issue: right, and without the user having to repeat, rephrase or retap anything.
        result["ok_without_repair"] = result["ok"] and not played.repairs
    else:
        result["ok"] = not result["filed"] and result["reply_ok"] is not False and not result["wrong"]
        result["ok_without_repair"] = result["ok"]
    return result


def transcript(played: Played) -> list[dict[str, Any]]:
    """The conversation as plain data (for --verbose and the JSON report)."""
    return [
        {
            "user": message.text,
            "kind": message.kind,
            "slot": message.slot,
            "bot": turn.texts,
            "buttons": [b.get("title") for b in turn.buttons],
            "requested_slot": turn.requested_slot,
        }
        for message, turn in played.turns
    ]
