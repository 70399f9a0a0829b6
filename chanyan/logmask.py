"""A logging filter that masks personal data (mobile numbers, e-mail addresses) in every record it sees.

logging.yml attaches it to the handlers of every process; the patterns are chanyan.domain.validation's.
"""

from __future__ import annotations

import logging
from urllib.parse import unquote_plus

from chanyan.domain.validation import mask_text


class MaskingFilter(logging.Filter):
    """Masks phones and e-mails in the formatted message (use on handlers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logger's problem, not ours
            return True
        masked = mask_encoded(mask_text(message))
        if masked != message:
            record.msg, record.args = masked, None
        return True


def mask_encoded(text: str) -> str:
    """`text` URL-decoded and masked when decoding reveals a phone or e-mail (an access log line quotes a search
    such as ?q=victim%40example.com or ?q=139+1234+5678); otherwise `text` unchanged."""
    if "%" not in text and "+" not in text:
        return text
    decoded = unquote_plus(text)
    masked = mask_text(decoded)
    return masked if masked != decoded else text


def masking_filter() -> MaskingFilter:
    """The filter for a dictConfig (logging.yml's `()` factory), with Python warnings routed through logging.

    The Rasa processes are configured only by logging.yml, and Rasa warns with the user's text ("Failed to parse
    arguments in line '/我的手机…'"), so the config that masks their logs must also capture their warnings."""
    mask_warnings()
    return MaskingFilter()


def mask_warnings() -> None:
    """Send Python warnings through logging (logger "py.warnings"), so the handlers' MaskingFilter sees them.

    Libraries warn with the text they choke on (Rasa quotes a message that starts with "/" in full); printed
    directly to stderr, such a warning would carry a phone number past the masking.
    """
    logging.captureWarnings(True)
