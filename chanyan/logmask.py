"""A logging filter that masks personal data (mobile numbers, e-mail addresses) in every record it sees.

logging.yml attaches it to the handlers of every process; the patterns are chanyan.domain.validation's.
"""

from __future__ import annotations

import logging

from chanyan.domain.validation import mask_text


class MaskingFilter(logging.Filter):
    """Masks phones and e-mails in the formatted message (use on handlers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logger's problem, not ours
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def mask_warnings() -> None:
    """Send Python warnings through logging (logger "py.warnings"), so the handlers' MaskingFilter sees them.

    Libraries warn with the text they choke on (Rasa quotes a message that starts with "/" in full); printed
    directly to stderr, such a warning would carry a phone number past the masking.
    """
    logging.captureWarnings(True)
