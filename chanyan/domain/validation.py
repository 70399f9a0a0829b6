"""Validation and normalization of single answers: phone, email, free text, skip words; conversation ids.

The one home of the phone, e-mail and conversation-id patterns: extraction, the console, the channels and the
log masking use them from here.
"""

from __future__ import annotations

import re
import unicodedata

from chanyan.domain.schema import MAX_TEXT_CHARS

# A mobile number inside a text, in every form the bot accepts: "13912345678", "+86 139 1234 5678",
# "139 123 45678", "1391-234-5678". A number glued to other digits (an order number) is not a phone.
PHONE_IN_TEXT = re.compile(r"(?<!\d)(?:\+?86[\s-]?)?(1[3-9]\d(?:[\s-]?\d){8})(?!\d)")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")
# A request's reference number (XQ-20261125-0007) as users type it: any case, dashes, spaces or none between parts.
REF_PREFIX = "XQ"
REF_IN_TEXT = re.compile(rf"(?<![A-Za-z]){REF_PREFIX}[\s\-_－—]*(\d{{8}})[\s\-_－—]*(\d{{4}})(?!\d)", re.I)
# The last four digits of a phone, said on their own ("5678", "后四位是5678", "尾号 5678").
PHONE_TAIL = re.compile(r"(?<!\d)(\d{4})(?!\d)")
EMAIL = re.compile(
    r"[A-Za-z0-9](?:[A-Za-z0-9._%+\-]{0,62}[A-Za-z0-9])?@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}"
)
# A conversation id (Rasa's sender id) as a channel may hand it to the tracker store: short, printable ASCII with
# no path, query or line separator, so that it fits the tracker's column, a log line and a console link as is.
# WeChat openids, web chat session ids and namespaced REST ids ("client:sender") all fit.
MAX_SENDER_ID_CHARS = 128
SENDER_ID = re.compile(rf"[A-Za-z0-9][A-Za-z0-9_.:@-]{{0,{MAX_SENDER_ID_CHARS - 1}}}")
_SKIP_WORDS = (
    "跳过",
    "没有",
    "无",
    "暂无",
    "不需要",
    "不用",
    "不填",
    "没",
    "略",
    "不提供",
    "不方便",
    "先不填",
    "不知道",
    "skip",
    "pass",
    "next",
    "none",
    "no",
    "n/a",
    "na",
    "-",
    "/",
)
_SKIP_PATTERN = re.compile(
    r"^(?:暂时)?(?:跳过|没有|无|暂无|不需要|不用了?|不填|不提供|不方便(?:提供)?|略过?|没)(?:吧|的|了|呢)?[。.!！~～]*$"
)


def is_sender_id(value: object) -> bool:
    """Whether `value` may name a conversation (see SENDER_ID)."""
    return isinstance(value, str) and SENDER_ID.fullmatch(value) is not None


def normalize_text(text: str | None) -> str:
    """The text as typed, without control characters, trimmed, whitespace collapsed (Chinese punctuation kept)."""
    if not text:
        return ""
    text = "".join(ch for ch in text if ch.isprintable() or ch in "\n\t")
    return re.sub(r"\s+", " ", text).strip()


def fold_width(text: str | None) -> str:
    """normalize_text, then NFKC: full-width digits, letters and symbols become ASCII (for parsing only)."""
    return normalize_text(unicodedata.normalize("NFKC", text or ""))


def has_meaningful_text(text: str | None) -> bool:
    """True when the text has at least one letter, digit or CJK character (not only emoji/punctuation)."""
    return any(unicodedata.category(ch)[0] in ("L", "N") for ch in normalize_text(text))


def is_skip(text: str | None) -> bool:
    """True when the user declines an optional question ("跳过", "没有", "不需要" …)."""
    cleaned = fold_width(text).lower().strip(" 。.!~")
    return cleaned in _SKIP_WORDS or bool(_SKIP_PATTERN.match(cleaned))


def normalize_phone(text: str | None) -> str | None:
    """A Chinese mobile number as 11 digits, or None. Accepts spaces, dashes, brackets and +86/86/0086."""
    digits = re.sub(r"[\s\-()（）]", "", fold_width(text))
    digits = re.sub(r"^(?:\+86|0086|86)(?=1\d{10}$)", "", digits)
    return digits if _MOBILE.match(digits) else None


def find_phones(text: str | None) -> list[str]:
    """All Chinese mobile numbers in a free text, normalized, in order, without duplicates.

    A number glued to other digits (an order number, an ID) is not a phone.
    """
    found = [re.sub(r"\D", "", m.group(1)) for m in PHONE_IN_TEXT.finditer(fold_width(text))]
    return list(dict.fromkeys(found))


def normalize_email(text: str | None) -> str | None:
    """The e-mail address in the answer (lower-cased domain), or None when there is none or it is malformed."""
    cleaned = fold_width(text).replace("。", ".")
    match = EMAIL.search(cleaned)
    if not match or cleaned.count("@") != 1:
        return None
    local, _, domain = match.group(0).partition("@")
    if ".." in local or ".." in domain:
        return None
    return f"{local}@{domain.lower()}"


# An address as dictation writes it ("wang 艾特 abc 点 com"): 艾特 is @, 点 a dot between Latin parts.
_SPOKEN_AT = re.compile(r"(?<=[A-Za-z0-9])\s*(?:艾特|爱特|圈a|圈A)\s*(?=[A-Za-z0-9])")
_SPOKEN_DOT = re.compile(r"(?<=[A-Za-z0-9])\s*点\s*(?=[A-Za-z0-9])")


def spoken_email(text: str) -> str:
    """`text` with a dictated address written as one ("wang 艾特 abc 点 com" → "wang@abc.com")."""
    if not _SPOKEN_AT.search(text):
        return text
    return _SPOKEN_DOT.sub(".", _SPOKEN_AT.sub("@", text))


def find_emails(text: str | None) -> list[str]:
    """All e-mail addresses in a free text (lower-cased domain), in order, without duplicates."""
    found = []
    for match in EMAIL.finditer(spoken_email(fold_width(text))):
        local, _, domain = match.group(0).partition("@")
        found.append(f"{local}@{domain.lower()}")
    return list(dict.fromkeys(found))


def clip(text: str, limit: int = MAX_TEXT_CHARS) -> str:
    """Text cut to `limit` characters (a 5,000-character message is kept, not rejected)."""
    return text if len(text) <= limit else text[:limit]


def mask_phone_digits(digits: str) -> str:
    """13912345678 → 139****5678 (the first three and last four digits stay readable)."""
    return f"{digits[:3]}****{digits[-4:]}" if len(digits) >= 7 else "****"


def mask_text(text: str) -> str:
    """Every mobile number and e-mail address in `text`, masked (for logs and texts shown back to users)."""
    text = PHONE_IN_TEXT.sub(lambda m: mask_phone_digits(re.sub(r"\D", "", m.group(1))), text)
    return EMAIL.sub(lambda m: f"{m.group(0)[0]}***@{m.group(0).partition('@')[2]}", text)


def find_ref(text: str | None) -> str | None:
    """The first reference number in a text, in its canonical form (XQ-20261125-0007), or None."""
    match = REF_IN_TEXT.search(fold_width(text))
    return f"{REF_PREFIX}-{match.group(1)}-{match.group(2)}" if match else None


def phone_tail(text: str | None) -> str | None:
    """The four digits of a short answer that gives a phone's last four digits, or None."""
    folded = fold_width(text)
    if len(folded) > 24:
        return None
    found = PHONE_TAIL.findall(REF_IN_TEXT.sub("", folded))
    return found[0] if len(found) == 1 else None
