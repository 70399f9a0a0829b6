"""The invitation e-mail to a candidate partner: what the need is, never who to call at the enterprise.

The enterprise's name, contact person, phone and e-mail stay out (phone numbers and addresses typed into the
description are removed too); the platform's staff introduce the two sides once the partner is interested.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chanyan.domain.display import format_timeline
from chanyan.domain.money import format_budget
from chanyan.domain.validation import EMAIL, PHONE_IN_TEXT
from chanyan.partners.regions import enterprise_region, region_label
from chanyan.store.models import Request
from chanyan.store.models.partners import Partner

HIDDEN = "（联系方式已隐去）"
MAX_DESCRIPTION_CHARS = 800


@dataclass(frozen=True)
class Invitation:
    """One e-mail: recipient, subject and plain text."""

    to: str
    subject: str
    text: str


def without_contacts(text: str, request: Request) -> str:
    """The text with phone numbers, e-mail addresses and the enterprise's own contact details removed."""
    text = PHONE_IN_TEXT.sub(HIDDEN, text or "")
    text = EMAIL.sub(HIDDEN, text)
    for secret in (
        request.contact_phone,
        request.contact_email,
        request.contact_name,
        request.enterprise_name,
    ):
        if secret and len(secret) >= 2:
            text = text.replace(secret, HIDDEN if secret != request.enterprise_name else "我方")
    return text


def invitation(request: Request, partner: Partner, why: Sequence[str], staff_name: str) -> Invitation | None:
    """The invitation to `partner` about `request`, or None when the partner has no e-mail address."""
    if not partner.contact_email:
        return None
    place = region_label(enterprise_region(request.enterprise_name)) or "国内"
    domain = " / ".join(x for x in (request.domain_name, request.sub_name) if x) or "未分类"
    description = without_contacts(request.need_description, request)
    if len(description) > MAX_DESCRIPTION_CHARS:
        description = description[:MAX_DESCRIPTION_CHARS] + "…"
    greeting = f"{partner.contact_name}：" if partner.contact_name else "您好："
    lines = [
        greeting,
        "",
        f"产研通平台收到一项技术需求，与{partner.name}的研究方向相符，特此邀请您了解并考虑合作。",
        "",
        f"需求名称：{without_contacts(request.need_title, request)}",
        f"所属领域：{domain}",
        f"需求概述：{description}",
    ]
    if request.tech_targets:
        lines.append(f"技术关键/指标：{without_contacts(request.tech_targets, request)}")
    lines += [
        f"拟投入资金：{format_budget(request.budget)}",
        f"需求时限：{format_timeline(request.timeline)}",
        f"合作方式：{'、'.join(request.coop_mode or []) or '未提供'}",
        f"需求方：{place}的一家企业",
    ]
    if why:
        lines.append(f"推荐理由：{'；'.join(why)}")
    lines += [
        "",
        f"如有意向，请直接回复本邮件。双方确认意向后，由平台对接专员{staff_name}为您引荐需求方。",
        "",
        f"产研通平台 · 需求编号 {request.ref}",
    ]
    return Invitation(
        to=partner.contact_email,
        subject=f"【产研通】合作邀请：{without_contacts(request.need_title, request)[:40]}",
        text="\n".join(lines),
    )
