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
        "申请单位",
        "承担单位",
        "提出单位",
        "申请机构",
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
        "需求详情",
        "需求说明",
        "项目内容",
        "项目概述",
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
    "budget": (
        "拟投入资金",
        "拟投入经费",
        "投入经费",
        "经费预算",
        "资金预算",
        "项目预算",
        "研发经费",
        "资金需求",
        "预算",
        "资金",
        "经费",
    ),
    "timeline": (
        "需求时限",
        "完成时间",
        "完成时限",
        "完成期限",
        "期望完成时间",
        "截止时间",
        "时限",
        "工期",
        "期程",
        "时间要求",
    ),
    "coop_mode": ("合作方式", "合作模式", "合作形式"),
    "ip_preference": ("知识产权归属", "知识产权", "成果归属", "产权归属"),
    "partner_preference": ("意向合作方", "意向合作单位", "合作方要求", "期望合作方", "合作方"),
    "contact_name": ("联系人姓名", "联系人", "联络人", "姓名"),
    "contact_phone": ("联系电话", "联络电话", "手机号码", "手机号", "手机", "电话"),
    "contact_email": ("电子邮箱", "电子邮件", "邮箱", "电邮", "e-mail", "email", "邮件"),
}

_ALL = sorted(
    ((label, slot) for slot, labels in LABEL_SYNONYMS.items() for label in (SLOT_LABELS[slot], *labels)),
    key=lambda pair: -len(pair[0]),
)
_SLOT_OF = {label.lower(): slot for label, slot in _ALL}
# Labels of a form's other cells ("所在地区 贵州遵义" in a table copied from Word): they end the value before them.
OTHER_LABELS: tuple[str, ...] = (
    "所在地区",
    "所在地",
    "所属行业",
    "行业",
    "单位地址",
    "通讯地址",
    "地址",
    "单位性质",
    "企业性质",
    "职务",
    "职称",
    "部门",
    "传真",
    "邮编",
    "填表日期",
    "填报日期",
    "填表人",
    "备注",
)
_VALUE_EDGE = " \t\n，,；;。｜|/「」『』"
# A field's numbering or bullet: "一、" "4." "（4）" "（四）" "④" "■" "-", and Markdown bold around the label.
_NUMBERING = r"(?:[一二三四五六七八九十]+[、.]|\d+[.、)）]|[（(](?:\d+|[一二三四五六七八九十]+)[)）]|[①-⑳]|[■●◆◇□•·\-*★☆>]+)?\s*(?:\*\*)?"


def _spaced(label: str) -> str:
    # "联 系 人", "手    机": a label spaced out to fill its table cell.
    return r"\s?".join(re.escape(ch) for ch in label)


_KNOWN = "|".join(_spaced(label) for label, _ in _ALL)
_OTHER_KNOWN = "|".join(_spaced(label) for label in sorted(OTHER_LABELS, key=len, reverse=True))
# What ends one field and may start the next: a line break, a clause mark, a 「|」 or 「/」, a closing 】 or 」.
_FIELD_START = r"(?:^|(?<=[\n，,；;。 \t｜|/】」』]))"
# A label: at a field start (optionally numbered "一、" "4." "（4）"), then a colon; or in 【】 brackets, where the
# colon is optional and the brackets may follow the previous value directly ("…征集表【需求名称】…【需求单位】…").
_LABEL = re.compile(
    r"(?:(?:"
    + _FIELD_START
    + _NUMBERING
    + r")?【\s*("
    + _KNOWN
    + r")\s*】\s*[:：]?|"
    + _FIELD_START
    + _NUMBERING
    + r"("
    + _KNOWN
    + r")\s*(?:\*\*)?\s*[:：=＝](?:\*\*)?)\s*",
    re.I,
)
# Any other short label ("所属行业：", "【现状】") ends the value before it, though it fills no slot.
_OTHER_LABEL = re.compile(
    r"(?:^|(?<=[\n \t｜|/]))" + _NUMBERING + r"[\u4e00-\u9fff]{2,8}\s*[:：]|【[^】\n]{1,12}】"
)


# A table pasted as text: each label stands alone in its cell, so only a space follows it ("单位名称 贵州…").
_TABLE_LABEL = re.compile(_FIELD_START + _NUMBERING + r"(" + _KNOWN + r")(?=\s)\s*", re.I)
_TABLE_OTHER_LABEL = re.compile(_FIELD_START + r"(?:" + _OTHER_KNOWN + r")(?=\s)")
# Labels without colons count only when the message holds this many of them (one is a word in a sentence).
TABLE_MIN_LABELS = 3


def _label_key(label: str) -> str:
    return re.sub(r"\s", "", label).lower()


def labelled_spans(text: str) -> dict[str, tuple[int, int]]:
    """Slot -> (start, end) of the value after its label, for every labelled field in `text` (the first label
    of a slot wins; an empty value is left out)."""
    text = text or ""
    labels = [(m.start(), m.end(), _label_key(m.group(1) or m.group(2))) for m in _LABEL.finditer(text)]
    others = {m.start() for m in _OTHER_LABEL.finditer(text)}
    table = [(m.start(), m.end(), _label_key(m.group(1))) for m in _TABLE_LABEL.finditer(text)]
    # Short labels (需求, 预算, 企业) are everyday words of a dictated sentence: only longer ones, or labels in cells
    # drawn with bars ("| 手机 | 139… |"), say it is a table.
    long_slots = {
        _SLOT_OF[label]
        for start, _e, label in table
        if len(label) >= 3 or text[:start].rstrip().endswith(("|", "｜"))
    }
    if len(long_slots) >= TABLE_MIN_LABELS and len(table) > len(labels):
        colon_starts = {start for start, _, _ in labels}
        labels = sorted(labels + [t for t in table if t[0] not in colon_starts])
        others |= {m.start() for m in _TABLE_OTHER_LABEL.finditer(text)}
    starts = sorted({start for start, _, _ in labels} | others)
    found: dict[str, tuple[int, int]] = {}
    for _label_start, start, label in labels:
        end = next((s for s in starts if s >= start), len(text))
        while start < end and text[start] in _VALUE_EDGE:
            start += 1
        while end > start and text[end - 1] in _VALUE_EDGE:
            end -= 1
        slot = _SLOT_OF[label]
        if end > start and slot not in found:
            found[slot] = (start, end)
    return found


def parse_labelled(text: str) -> dict[str, str]:
    """Slot -> the raw text after its label, for every labelled field in `text` (the first label of a slot
    wins; an empty value is left out)."""
    return {slot: text[start:end] for slot, (start, end) in labelled_spans(text).items()}


def labelled_span_start(text: str) -> int | None:
    """Where the first label starts (the free text before it is the user's own sentence), or None."""
    match = _LABEL.search(text or "")
    return match.start() if match else None
