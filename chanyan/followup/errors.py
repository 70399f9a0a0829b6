"""The error follow-up services raise when staff ask for something the records do not allow."""

from __future__ import annotations


class FollowupError(ValueError):
    """A follow-up record that cannot be saved as given; the message is for staff, in Chinese."""
