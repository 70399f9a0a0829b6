"""Staff changes to a request: field edits with validation, status workflow, assignment and notes.

Every change writes an audit entry (who, what, old → new); the first one is the request's first staff action.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from chanyan.console.errors import Conflict, InvalidInput
from chanyan.domain.money import MAX_WAN, wan_text, wan_to_yuan
from chanyan.domain.schema import (
    BUDGET_KIND_LABELS,
    BUDGET_KINDS,
    COOP_MODES,
    FIELD_LABELS,
    MAX_KEYWORDS,
    MAX_TEXT_CHARS,
    PARTNER_TYPES,
    REQUIRED_SLOTS,
    SLOT_MAX_CHARS,
    STATUS_LABELS,
    STATUS_TRANSITIONS,
)
from chanyan.domain.validation import normalize_email, normalize_phone, normalize_text
from chanyan.store.models import AuditEntry, Request, RequestNote, StaffUser
from chanyan.store.requests import get_request, move_status

MAX_NOTE_CHARS = MAX_TEXT_CHARS
# What staff may correct (the edit page's fields; status, assignee and notes have their own actions).
EDITABLE_FIELDS: tuple[str, ...] = (
    "enterprise_name", "contact_name", "contact_phone", "contact_email", "need_title", "need_description",
    "tech_targets", "domain", "keywords", "budget", "timeline", "coop_mode", "ip_preference", "partner",
)  # fmt: skip
_LIST_SPLIT = re.compile(r"[,，、;；\n]+")
# (form field, required, max length): the schema's limits.
TEXT_FIELDS: tuple[tuple[str, bool, int], ...] = tuple(
    (name, name in REQUIRED_SLOTS, SLOT_MAX_CHARS[name])
    for name in (
        "enterprise_name",
        "contact_name",
        "need_title",
        "need_description",
        "tech_targets",
        "ip_preference",
    )
)


def _text(form: Mapping[str, Any], name: str) -> str:
    value = form.get(name, "")
    return str(value).replace("\r\n", "\n").strip() if value is not None else ""


def _getall(form: Any, name: str) -> list[str]:
    if hasattr(form, "getall"):
        return [str(v) for v in form.getall(name, [])]
    value = form.get(name)
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, (list, tuple)) else [str(value)]


def _split_list(text: str) -> list[str]:
    return list(dict.fromkeys(p.strip() for p in _LIST_SPLIT.split(text) if p.strip()))


def _wan(text: str, label: str, errors: dict[str, str], key: str) -> int | None:
    """An amount typed in 万元 as whole yuan."""
    text = normalize_text(text).replace(",", "")
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        errors[key] = f"{label}请填写数字（单位：万元）。"
        return None
    if value < 0 or value > MAX_WAN:
        errors[key] = f"{label}超出范围。"
        return None
    return wan_to_yuan(value)


def parse_edit_form(form: Any, taxonomy: Any) -> dict[str, Any]:
    """Validated new values from the edit form; raises InvalidInput with one message per bad field."""
    values, errors = _parse_fields(form, taxonomy)
    if errors:
        raise InvalidInput("部分内容需要修改，请检查标红的字段。", errors)
    return values


def _parse_fields(form: Any, taxonomy: Any) -> tuple[dict[str, Any], dict[str, str]]:
    """Every editable field of the form: (normalized values, one message per bad field)."""
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for name, required, limit in TEXT_FIELDS:
        text = _text(form, name)
        if required and not text:
            errors[name] = f"请填写{FIELD_LABELS[name]}。"
        elif len(text) > limit:
            errors[name] = f"{FIELD_LABELS[name]}不能超过 {limit} 个字符。"
        values[name] = text or None

    phone = normalize_phone(_text(form, "contact_phone"))
    if phone is None:
        errors["contact_phone"] = "请填写有效的 11 位手机号码。"
    values["contact_phone"] = phone
    email_text = _text(form, "contact_email")
    email = normalize_email(email_text) if email_text else None
    if email_text and email is None:
        errors["contact_email"] = "邮箱格式不正确。"
    values["contact_email"] = email

    code = _text(form, "domain")
    entry = taxonomy.find(code) if code else None
    if code and entry is None:
        errors["domain"] = "请选择有效的领域。"
    values["domain"] = entry

    keywords = _split_list(_text(form, "keywords"))
    if len(keywords) > MAX_KEYWORDS:
        errors["keywords"] = f"关键词最多 {MAX_KEYWORDS} 个。"
    values["keywords"] = keywords

    values["budget"] = _budget(form, errors)
    values["timeline"] = _timeline(form, errors)

    coop = [c for c in _getall(form, "coop_mode") if c]
    if any(c not in COOP_MODES for c in coop):
        errors["coop_mode"] = "请选择有效的合作方式。"
    values["coop_mode"] = coop

    types = [t for t in _getall(form, "partner_types") if t]
    if any(t not in PARTNER_TYPES for t in types):
        errors["partner"] = "请选择有效的合作方类型。"
    names = _split_list(_text(form, "partner_names"))
    regions = _split_list(_text(form, "partner_regions"))
    values["partner"] = (
        {"types": types, "names": names, "regions": regions} if types or names or regions else None
    )

    return values, errors


def parse_patch(request: Request, patch: Mapping[str, Any], taxonomy: Any) -> dict[str, Any]:
    """Validated new values of the fields a JSON patch (the API's PATCH) names; the edit form's rules apply.

    The patch uses the exported record's shapes (amounts in yuan, lists as lists). It is laid over the request's
    current form values and checked by the edit form's parser, so a value the page refuses is refused here too;
    only the named fields are checked and returned. Raises InvalidInput naming every unknown or bad field.
    """
    errors: dict[str, str] = {}
    form = form_values(request)
    for name, value in patch.items():
        if name not in EDITABLE_FIELDS:
            errors[name] = f"未知或不可修改的字段（可修改：{', '.join(EDITABLE_FIELDS)}）。"
            continue
        try:
            form.update(_patch_form_values(name, value))
        except ValueError as err:
            errors[name] = f"{FIELD_LABELS[name]}：{err}"
    if not errors:
        values, invalid = _parse_fields(form, taxonomy)
        # Only the patched fields count: the others keep their stored values whatever the form makes of them.
        errors = {name: message for name, message in invalid.items() if name in patch}
    if errors:
        raise InvalidInput("部分字段无效，未作任何修改。", errors)
    return {name: values[name] for name in patch}


def _string(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError("应为字符串或 null。")
    return value


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("应为字符串数组或 null。")
    return value


def _object(value: Any, keys: tuple[str, ...]) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"应为对象（{', '.join(keys)}）或 null。")
    unknown = sorted(set(value) - set(keys))
    if unknown:
        raise ValueError(f"未知的键 {', '.join(unknown)}。")
    return value


def _yuan_as_wan(value: Any) -> str:
    """A JSON amount in yuan as the 万元 text the form holds; ValueError for a value that is not a number."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float))):
        raise ValueError("金额应为数字（单位：元）或 null。")
    return wan_text(value)


def _patch_form_values(name: str, value: Any) -> dict[str, Any]:
    """One patched field as the edit form's entries; ValueError for a value of the wrong JSON type."""
    if name == "domain":
        if isinstance(value, dict):  # the exported shape: {"code", "name", "sub_code", "sub_name"}
            value = value.get("sub_code") or value.get("code")
        return {"domain": _string(value)}
    if name == "keywords":
        return {"keywords": "，".join(_strings(value))}
    if name == "coop_mode":
        return {"coop_mode": _strings(value)}
    if name == "budget":
        budget = _object(value, ("kind", "min_cny", "max_cny", "text"))
        return {
            "budget_kind": _string(budget.get("kind")),
            "budget_min": _yuan_as_wan(budget.get("min_cny")),
            "budget_max": _yuan_as_wan(budget.get("max_cny")),
            "budget_text": _string(budget.get("text")),
        }
    if name == "timeline":
        timeline = _object(value, ("deadline", "months", "text"))
        months = timeline.get("months")
        if months is not None and (isinstance(months, bool) or not isinstance(months, int)):
            raise ValueError("months 应为整数或 null。")
        return {
            "timeline_deadline": _string(timeline.get("deadline")),
            "timeline_months": "" if months is None else str(months),
            "timeline_text": _string(timeline.get("text")),
        }
    if name == "partner":
        partner = _object(value, ("types", "names", "regions"))
        return {
            "partner_types": _strings(partner.get("types")),
            "partner_names": "，".join(_strings(partner.get("names"))),
            "partner_regions": "，".join(_strings(partner.get("regions"))),
        }
    return {name: _string(value)}


def _budget(form: Any, errors: dict[str, str]) -> dict | None:
    kind = _text(form, "budget_kind")
    low = _wan(_text(form, "budget_min"), "预算下限", errors, "budget")
    high = _wan(_text(form, "budget_max"), "预算上限", errors, "budget")
    text = _text(form, "budget_text")[:200]
    if not (kind or low is not None or high is not None or text):
        return None
    if kind not in BUDGET_KINDS:
        errors["budget"] = "请选择预算类型。"
        return None
    if kind == "range" and (low is None or high is None):
        errors["budget"] = "区间预算请填写下限和上限。"
    elif kind in ("exact", "approx") and low is None and high is None:
        errors["budget"] = "请填写金额。"
    elif kind == "upper_bound" and high is None:
        errors["budget"] = "请填写预算上限。"
    if low is not None and high is not None and low > high:
        errors["budget"] = "预算下限不能大于上限。"
    if kind == "exact":
        low = high = low if low is not None else high
    if kind in ("negotiable", "unknown"):
        low = high = None
    return {"min_cny": low, "max_cny": high, "kind": kind, "text": text or BUDGET_KIND_LABELS[kind]}


def _timeline(form: Any, errors: dict[str, str]) -> dict | None:
    deadline_text = _text(form, "timeline_deadline")
    months_text = normalize_text(_text(form, "timeline_months"))
    text = _text(form, "timeline_text")[:200]
    if not (deadline_text or months_text or text):
        return None
    deadline = None
    if deadline_text:
        try:
            deadline = date.fromisoformat(deadline_text).isoformat()
        except ValueError:
            errors["timeline"] = "截止日期格式应为 YYYY-MM-DD。"
    months = None
    if months_text:
        if months_text.isdigit() and 0 < int(months_text) <= 240:
            months = int(months_text)
        else:
            errors["timeline"] = "周期请填写 1–240 之间的月数。"
    return {"deadline": deadline, "months": months, "text": text}


def display_value(value: Any) -> str | None:
    """How an old or new value is kept in the audit log."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _audit(session: Session, request: Request, actor: str, action: str, field: str | None, old, new) -> None:
    session.add(
        AuditEntry(
            request_id=request.id,
            actor=actor,
            action=action,
            field=field,
            old_value=display_value(old),
            new_value=display_value(new),
        )
    )


def _domain_of(request: Request) -> dict | None:
    if not request.domain_code:
        return None
    return {
        "code": request.domain_code,
        "name": request.domain_name,
        "sub_code": request.sub_code,
        "sub_name": request.sub_name,
    }


def apply_edit(session: Session, ref: str, values: dict[str, Any], actor: str) -> list[str]:
    """Write the changed fields of a request and audit each one; returns the names of the changed fields."""
    request = get_request(session, ref)
    changed: list[str] = []
    for name, new in values.items():
        if name == "domain":
            old = _domain_of(request)
            if (old or {}).get("code") == (new or {}).get("code") and (old or {}).get("sub_code") == (
                new or {}
            ).get("sub_code"):
                continue
            request.domain_code = new["code"] if new else None
            request.domain_name = new["name"] if new else None
            request.sub_code = new.get("sub_code") if new else None
            request.sub_name = new.get("sub_name") if new else None
        else:
            old = getattr(request, name)
            if display_value(old) == display_value(new):
                continue
            setattr(request, name, new if new is not None or name not in ("keywords", "coop_mode") else [])
        _audit(session, request, actor, "edit", name, old, new)
        changed.append(name)
    return changed


def change_status(session: Session, ref: str, to_status: str, reason: str, actor: str) -> Request:
    """Move a request along the workflow (new → reviewing → matched → agreed | closed); closing needs a reason."""
    request = get_request(session, ref)
    reason = reason.strip()
    allowed = STATUS_TRANSITIONS.get(request.status, ())
    if to_status not in allowed:
        raise Conflict(
            f"当前状态「{STATUS_LABELS.get(request.status, request.status)}」不能变更为"
            f"「{STATUS_LABELS.get(to_status, to_status)}」。"
        )
    if to_status == "closed" and not reason:
        raise InvalidInput("关闭需求单时请填写原因。", {"reason": "请填写关闭原因。"})
    if len(reason) > MAX_NOTE_CHARS:
        raise InvalidInput("原因过长。", {"reason": f"不能超过 {MAX_NOTE_CHARS} 个字符。"})
    move_status(session, request, to_status, reason, actor)
    session.flush()  # the answer shows the new history entry with its time
    return request


def assign(session: Session, ref: str, username: str, actor: str) -> Request:
    """Give a request to an active staff member (an empty username unassigns it)."""
    request = get_request(session, ref)
    username = username.strip().lower()
    if username:
        user = session.execute(
            select(StaffUser).where(StaffUser.username == username, StaffUser.active.is_(True))
        ).scalar_one_or_none()
        if user is None:
            raise InvalidInput("请选择有效的负责人。", {"assignee": "该账号不存在或已停用。"})
    new = username or None
    if request.assignee != new:
        _audit(session, request, actor, "assign", "assignee", request.assignee, new)
        request.assignee = new
    return request


def add_note(session: Session, ref: str, text: str, actor: str, *, public: bool = False) -> RequestNote:
    """A staff note; a public one is shown to the enterprise (status query, progress notification)."""
    request = get_request(session, ref)
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise InvalidInput("备注内容不能为空。", {"note": "请填写备注。"})
    if len(text) > MAX_NOTE_CHARS:
        raise InvalidInput("备注过长。", {"note": f"不能超过 {MAX_NOTE_CHARS} 个字符。"})
    note = RequestNote(author=actor, text=text, public=public)
    request.notes.append(note)
    _audit(session, request, actor, "note", "public_note" if public else "note", None, text)
    session.flush()  # the answer shows the note's time
    return note


def form_values(request: Request) -> dict[str, Any]:
    """The edit form filled from a request (the same names parse_edit_form reads)."""
    budget = request.budget or {}
    timeline = request.timeline or {}
    partner = request.partner or {}
    values: dict[str, Any] = {name: getattr(request, name) or "" for name, _, _ in TEXT_FIELDS}
    values.update(
        contact_phone=request.contact_phone or "",
        contact_email=request.contact_email or "",
        domain=request.sub_code or request.domain_code or "",
        keywords="，".join(request.keywords or []),
        budget_kind=budget.get("kind") or "",
        budget_min=wan_text(budget.get("min_cny")),
        budget_max=wan_text(budget.get("max_cny")),
        budget_text=budget.get("text") or "",
        timeline_deadline=timeline.get("deadline") or "",
        timeline_months=str(timeline.get("months") or ""),
        timeline_text=timeline.get("text") or "",
        coop_mode=list(request.coop_mode or []),
        partner_types=list(partner.get("types") or []),
        partner_names="，".join(partner.get("names") or []),
        partner_regions="，".join(partner.get("regions") or []),
    )
    return values
