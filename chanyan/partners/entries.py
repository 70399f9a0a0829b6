"""One registry entry (合作资源库条目): checking and normalising a row from an import file, a form or the API.

`clean_entry(raw, taxonomy)` turns a row keyed by column name (chanyan.partners.vocabulary.COLUMNS; nested
`region` and `contact` objects are accepted too) into the stored shape, or raises `EntryError` with every reason
in Chinese, so an import can report all problems of a row at once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any, Protocol

from chanyan.domain.validation import fold_width, normalize_email, normalize_text
from chanyan.partners.regions import parse_region
from chanyan.partners.vocabulary import (
    COLUMN_LABELS,
    KIND_ALIASES,
    KINDS,
    MAX_DOMAINS,
    MAX_ENTRY_KEYWORDS,
    MAX_LENGTHS,
    REQUIRED_COLUMNS,
)

MAX_KEYWORD_CHARS = 40
_LIST_SPLIT = re.compile(r"[,，;；、|/\n]+|\s{1,}")
_DOMAIN_SPLIT = re.compile(r"[,，;；|/\n]+")
_CODE = re.compile(r"(?<!\d)(\d{2,3})(?!\d)")
# Landlines and extensions are fine (0512-6688 1234 转 8001); several numbers may be separated.
_PHONE_CHARS = re.compile(r"^[0-9+\-()\s,;/#]+$")
_PHONE_WORDS = re.compile(r"转|分机|ext\.?|x", re.IGNORECASE)
_DATE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})(?:\s*[-/.月]\s*(\d{1,2})\s*日?)?\s*月?$")
_URL = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)
_BARE_HOST = re.compile(r"^(?:www\.)?[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)+(?:/[^\s<>\"']*)?$")
# A name tells the kind when the file does not: the longest ending wins.
_KIND_BY_NAME: tuple[tuple[re.Pattern, str], ...] = (
    (re.compile(r"(?:重点)?实验室$|工程中心$|工程技术研究中心$"), "实验室"),
    (re.compile(r"(?:课题组|团队|研究组|创新团队)$"), "团队"),
    (re.compile(r"(?:新型研发机构|产业技术研究院|创新研究院)$"), "新型研发机构"),
    (re.compile(r"(?:研发中心|技术中心)$"), "企业研发中心"),
    (re.compile(r"(?:大学|学院|学校)$"), "高校"),
    (re.compile(r"(?:研究院|研究所|科学院|研究中心)$"), "科研院所"),
    (re.compile(r"(?:教授|研究员|博士|老师|院士)$"), "专家"),
)


class Taxonomy(Protocol):
    """What the cleaner needs of chanyan.extraction's taxonomy."""

    def entry(self, code: str) -> dict | None: ...

    def find(self, code_or_name: str) -> dict | None: ...


class EntryError(ValueError):
    """A row that cannot be stored; `reasons` lists every problem, in Chinese."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("；".join(reasons))
        self.reasons = reasons


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # spreadsheets hand over 13812345678.0
    return normalize_text(str(value))


def _as_list(value: Any, split: re.Pattern) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else split.split(str(value))
    out = []
    for item in items:
        text = _text(item)
        if text and text not in out:
            out.append(text)
    return out


def parse_kind(value: Any, name: str = "") -> str | None:
    """The canonical kind of `value` (高校, 实验室 …), from an alias, or told by the name when `value` is empty."""
    text = _text(value)
    if text:
        if text in KINDS:
            return text
        return KIND_ALIASES.get(text) or KIND_ALIASES.get(text.lower())
    for pattern, kind in _KIND_BY_NAME:
        if pattern.search(name):
            return kind
    return None


def parse_domains(value: Any, taxonomy: Taxonomy) -> tuple[list[dict], list[str]]:
    """[{"code": "80", "sub_code": "803"}] from codes, names or both ("803 高性能、智能化仪器仪表", "新材料");
    also the pieces it could not place."""
    pieces: list[Any]
    if isinstance(value, (list, tuple)):
        pieces = list(value)
    elif value is None:
        pieces = []
    else:
        pieces = [p for p in _DOMAIN_SPLIT.split(str(value)) if p.strip()]
    found: list[dict] = []
    unknown: list[str] = []
    for piece in pieces:
        if isinstance(piece, Mapping):
            code = _text(piece.get("sub_code") or piece.get("code"))
            entries = [taxonomy.entry(code)] if code else []
            label = code
        else:
            label = _text(piece)
            codes = _CODE.findall(label)
            entries = [taxonomy.entry(c) for c in codes] if codes else [taxonomy.find(label)]
        if not entries or any(e is None for e in entries):
            unknown.append(label)
            continue
        for entry in entries:
            item = {"code": entry["code"], "sub_code": entry["sub_code"]}
            if item not in found:
                found.append(item)
    return found, unknown


def parse_date(value: Any) -> date | None:
    """2026-03-01, 2026/3/1, 2026年3月1日, 2026-03 (the first of the month), or a spreadsheet date."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = fold_width(_text(value))
    if not text:
        return None
    match = _DATE.match(text[:10] if re.match(r"^\d{4}-\d{2}-\d{2}T", text) else text)
    if not match:
        raise ValueError(text)
    return date(int(match[1]), int(match[2]), int(match[3] or 1))


def parse_url(value: Any) -> str | None:
    """An http(s) URL; a bare host (www.example.edu.cn) gets https://. Anything else is refused (javascript:)."""
    text = fold_width(_text(value))
    if not text:
        return None
    if _URL.match(text):
        return text
    if _BARE_HOST.match(text):
        return f"https://{text}"
    raise ValueError(text)


def _flatten(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Accept design.md's nested shape (region {province, city}, contact {name, phone, email}) as well."""
    row = dict(raw)
    contact = row.pop("contact", None)
    if isinstance(contact, Mapping):
        for key in ("name", "phone", "email"):
            row.setdefault(f"contact_{key}", contact.get(key))
    return row


def clean_entry(raw: Mapping[str, Any], taxonomy: Taxonomy) -> dict[str, Any]:
    """The stored shape of one registry entry; raises EntryError listing every problem.

    Domains come back empty when the row gives none: the caller tags them from the capability text.
    """
    row = _flatten(raw)
    reasons: list[str] = []
    out: dict[str, Any] = {}
    for column in ("name", "parent", "capability", "achievements", "contact_name", "source"):
        text = _text(row.get(column))
        if len(text) > MAX_LENGTHS[column]:
            reasons.append(f"{COLUMN_LABELS[column]}过长（最多 {MAX_LENGTHS[column]} 字）")
        out[column] = text or None
    for column in REQUIRED_COLUMNS:
        if not out[column]:
            reasons.append(f"缺少{COLUMN_LABELS[column]}")

    kind = parse_kind(row.get("kind"), out["name"] or "")
    if kind is None:
        given = _text(row.get("kind"))
        reasons.append(
            f"类型“{given}”无法识别（可填：{'、'.join(KINDS)}）"
            if given
            else f"缺少类型（可填：{'、'.join(KINDS)}）"
        )
    out["kind"] = kind

    region_raw = row.get("region")
    region = parse_region(region_raw)
    region_text = (
        " ".join(_text(v) for v in region_raw.values())
        if isinstance(region_raw, Mapping)
        else _text(region_raw)
    ).strip()
    if region_text and region["province"] is None:
        reasons.append(f"地区“{region_text}”无法识别（示例：江苏苏州）")
    out["region"] = region

    domains, unknown = parse_domains(row.get("domains"), taxonomy)
    if unknown:
        reasons.append(f"领域无法识别：{'、'.join(unknown)}（填写领域代码如 803，或领域名称）")
    if len(domains) > MAX_DOMAINS:
        reasons.append(f"领域过多（最多 {MAX_DOMAINS} 个）")
    out["domains"] = domains

    keywords = _as_list(row.get("keywords"), _LIST_SPLIT)
    if len(keywords) > MAX_ENTRY_KEYWORDS:
        reasons.append(f"关键词过多（最多 {MAX_ENTRY_KEYWORDS} 个）")
    if any(len(k) > MAX_KEYWORD_CHARS for k in keywords):
        reasons.append(f"关键词过长（每个最多 {MAX_KEYWORD_CHARS} 字）")
    out["keywords"] = keywords

    phone = fold_width(_text(row.get("contact_phone")))
    if phone and (not _PHONE_CHARS.match(_PHONE_WORDS.sub(" ", phone)) or len(re.sub(r"\D", "", phone)) < 7):
        reasons.append(f"电话“{phone}”格式不正确")
    elif len(phone) > MAX_LENGTHS["contact_phone"]:
        reasons.append("电话过长")
    out["contact_phone"] = phone or None

    email_text = _text(row.get("contact_email"))
    email = normalize_email(email_text) if email_text else None
    if email_text and (email is None or email.lower() != fold_width(email_text).lower()):
        reasons.append(f"邮箱“{email_text}”格式不正确")
    out["contact_email"] = email

    try:
        out["url"] = parse_url(row.get("url"))
    except ValueError:
        reasons.append("网址须以 http:// 或 https:// 开头")
        out["url"] = None
    if out["url"] and len(out["url"]) > MAX_LENGTHS["url"]:
        reasons.append("网址过长")

    try:
        out["reviewed_at"] = parse_date(row.get("reviewed_at"))
    except ValueError:
        reasons.append(f"审核日期“{_text(row.get('reviewed_at'))}”格式不正确（示例：2026-03-01）")
        out["reviewed_at"] = None

    if reasons:
        raise EntryError(reasons)
    return out
