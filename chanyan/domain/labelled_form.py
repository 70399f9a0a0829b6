"""Labelled input: a pasted 技术需求征集表 or "key: value" lines, read into slot -> raw text.

"单位名称：宁德市海川储能科技有限公司\n拟投入经费：500-800万元\n联系人：郑海涛" gives one raw text per labelled slot;
the caller parses each with its answer parser. Pure text work: no extraction, no I/O.
"""

from __future__ import annotations

import re

from chanyan.domain.schema import SLOT_LABELS

# Form synonyms per slot, besides the schema's own label. Longer synonyms first within a slot.
LABEL_SYNONYMS: dict[str, tuple[str, ...]] = {
    "enterprise_name": (
        "单位名称",
        "单位全称",
        "企业名称",
        "公司名称",
        "申报单位",
        "需求单位",
        "需求企业",
        "所在单位",
        "单位",
        "企业",
        "公司",
    ),
    "need_title": ("需求名称", "项目名称", "需求标题", "课题名称", "名称"),
    "need_description": (
        "需求描述",
        "问题描述",
        "主要问题",
        "需求内容",
        "需求背景",
        "现状及问题",
        "存在问题",
        "需求",
    ),
    "tech_targets": (
        "技术关键/指标",
        "技术指标",
        "技术关键",
        "关键指标",
        "技术要求",
        "性能指标",
        "指标要求",
        "指标",
    ),
    "tech_domain": ("所属领域", "技术领域", "领域"),
    "budget": ("拟投入资金", "拟投入经费", "投入经费", "经费预算", "研发经费", "预算", "资金", "经费"),
    "timeline": ("需求时限", "完成时间", "完成时限", "期望完成时间", "截止时间", "时限", "工期", "时间要求"),
    "coop_mode": ("合作方式", "合作模式", "合作形式"),
    "ip_preference": ("知识产权归属", "知识产权", "成果归属", "产权归属"),
    "partner_preference": ("意向合作方", "意向合作单位", "合作方要求", "期望合作方", "合作方"),
    "contact_name": ("联系人姓名", "联系人", "姓名"),
    "contact_phone": ("联系电话", "手机号码", "手机号", "手机", "电话"),
    "contact_email": ("电子邮箱", "邮箱", "e-mail", "email", "邮件"),
}

_ALL = sorted(
    ((label, slot) for slot, labels in LABEL_SYNONYMS.items() for label in (SLOT_LABELS[slot], *labels)),
    key=lambda pair: -len(pair[0]),
)
_SLOT_OF = {label.lower(): slot for label, slot in _ALL}
# A label: at a line or clause start (optionally numbered "一、" "4." "（4）"), then a colon.
_LABEL = re.compile(
    r"(?:^|(?<=[\n，,；;。 \t]))(?:[一二三四五六七八九十]+、|\d+[.、)）]|[（(]\d+[)）])?\s*"
    r"(" + "|".join(re.escape(label) for label, _ in _ALL) + r")\s*[:：]\s*",
    re.I,
)


def parse_labelled(text: str) -> dict[str, str]:
    """Slot -> the raw text after its label, for every labelled field in `text` (the first label of a slot
    wins; an empty value is left out)."""
    matches = list(_LABEL.finditer(text or ""))
    found: dict[str, str] = {}
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        value = text[match.end() : end].strip(" \t\n，,；;。")
        slot = _SLOT_OF[match.group(1).lower()]
        if value and slot not in found:
            found[slot] = value
    return found


def labelled_span_start(text: str) -> int | None:
    """Where the first label starts (the free text before it is the user's own sentence), or None."""
    match = _LABEL.search(text or "")
    return match.start() if match else None
