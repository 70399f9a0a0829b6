"""The enterprise's own filed requests in the chat: carries out what the core read (chanyan.intake.own) through
chanyan.requests.enterprise, inside or outside the interview."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from sqlalchemy.exc import SQLAlchemyError

from actions.runtime import session_factory
from chanyan.intake import own
from chanyan.requests import enterprise

logger = logging.getLogger(__name__)


def _carry_out(conversation_id: str, act: own.OwnRequestAct, pending: Any, last_ref: Any) -> enterprise.Reply:
    pending = pending if isinstance(pending, dict) else {}
    last_ref = str(last_ref) if last_ref else None
    with session_factory()() as session, session.begin():
        if act.kind == own.STATUS and act.ref:
            return enterprise.ref_status(session, conversation_id, act.ref, tail=act.tail)
        if act.kind == own.STATUS:
            return enterprise.identity_status(session, conversation_id)
        if act.kind == own.VERIFY and act.tail:
            return enterprise.verify_tail(session, conversation_id, pending, act.tail)
        if act.kind == own.WITHDRAW:
            return enterprise.ask_withdraw(
                session, conversation_id, ref=act.ref, last_ref=last_ref, reason=act.text
            )
        if act.kind == own.CONFIRM_WITHDRAW and pending.get("kind") == enterprise.WITHDRAW:
            return enterprise.withdraw(session, conversation_id, pending)
        if act.kind == own.KEEP:
            return enterprise.Reply([("utter_withdraw_kept", {"ref": pending.get("ref") or ""})])
        if act.kind == own.SUPPLEMENT:
            ref = act.ref or (pending.get("ref") if pending.get("kind") == enterprise.SUPPLEMENT else None)
            return enterprise.supplement(session, conversation_id, act.text, ref=ref, last_ref=last_ref)
    return enterprise.Reply([("utter_own_dropped", {})])


async def answer_own_request(tracker: Tracker, act: own.OwnRequestAct) -> tuple[list, list[EventType]]:
    """The responses for a message about the user's filed requests, and the pending state as a slot event."""
    try:
        reply = await asyncio.to_thread(
            _carry_out,
            tracker.sender_id,
            act,
            tracker.get_slot(own.PENDING_SLOT),
            tracker.get_slot("last_request_ref"),
        )
    except SQLAlchemyError:
        logger.exception("could not answer about the requests of %s", tracker.sender_id)
        return [("utter_own_failed", {})], [SlotSet(own.PENDING_SLOT, None)]
    if reply.changed_ref:
        logger.info("%s changed by the enterprise in %s", reply.changed_ref, tracker.sender_id)
    return reply.say, [SlotSet(own.PENDING_SLOT, reply.pending)]
