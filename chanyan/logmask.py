"""Mask personal data (mobile numbers, e-mail addresses) in log records and in texts shown back to users."""

from __future__ import annotations

import logging
import re

_PHONE = re.compile(r"(?<!\d)(?:\+?86[\s\-]?)?(1[3-9]\d)[\s\-]?(\d{4})[\s\-]?(\d{4})(?!\d)")
_EMAIL = re.compile(r"([A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]*(@[A-Za-z0-9.\-]+\.[A-Za-z]{2,})")


def mask_phone(phone: str) -> str:
    """13912345678 → 139****5678."""
    return _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", phone)


def mask_text(text: str) -> str:
    """Every mobile number and e-mail address in `text`, masked."""
    text = _PHONE.sub(lambda m: f"{m.group(1)}****{m.group(3)}", text)
    return _EMAIL.sub(lambda m: f"{m.group(1)}***{m.group(2)}", text)


class MaskingFilter(logging.Filter):
    """A logging filter that masks phones and e-mails in the formatted message (use on handlers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is the logger's problem, not ours
            return True
        masked = mask_text(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


def install(logger: logging.Logger | None = None) -> None:
    """Attach MaskingFilter to every handler of `logger` (root by default) and to new records' loggers."""
    target = logger or logging.getLogger()
    for handler in target.handlers:
        if not any(isinstance(f, MaskingFilter) for f in handler.filters):
            handler.addFilter(MaskingFilter())
