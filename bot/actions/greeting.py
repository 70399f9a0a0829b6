"""Whether a conversation has an unfinished draft (the greeting itself is the core's: action_read_outside_form)."""

from __future__ import annotations

from chanyan.intake.turn import DRAFT_SLOTS

__all__ = ["DRAFT_SLOTS"]
