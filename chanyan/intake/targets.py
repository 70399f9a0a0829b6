"""Technical targets (技术关键/指标) stated inside a description: "次品率最好压到2%以下", "温差≤3℃".

A clause is a target when it compares a measurable quantity with a number; money and dates are not targets
(unit costs like "吨处理成本≤60元" are: they are what the result must achieve).
"""

from __future__ import annotations

import re

_CLAUSE = re.compile(
    r"[。；;！!？?\n]|，(?=[^，]*(?:预算|经费|资金|万元?|联系人|手机|电话|邮箱|月底|年底|年前|之前|以前|前完成))"
)
# Within a clause: commas, and in dictated text (no punctuation) the pauses between words.
_PART = re.compile(r"[，,]|(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")
_COMPARE = re.compile(
    r"[≤≥<>＜＞±]|不(?:超过|高于|低于|少于|大于|小于)|(?:以上|以下|以内|之内)|(?:达到|提高到|提升到|降到|降低到|压到|控制在|稳在|缩短到?|延长到?|小于|大于|低于|高于|超过|至少|最多|优于)"
)
_NUMBER = re.compile(r"\d|[一二三四五六七八九十百千万两]+(?:个|倍|成|天|小时|分钟|秒|件|次|台|套|吨|米|度)")
_MEASURE = re.compile(
    r"%|％|mm|μm|um|nm|cm|℃|度|ms|秒|分钟|小时|倍|次|件|米|公里|km|kg|吨|克|mg|ppm|dB|db|Hz|W|kW|V|A|MPa|帧|fps|QPS|qps|小时|年|寿命|精度|效率|良率|合格率|次品率|良品率|准确率|灵敏度|特异性|成本|能耗|温差|强度|速度|节拍|周期|产能|含量|浓度|率"
)
_NOT_TARGET = re.compile(
    r"预算|经费|资金|投入|万元|(?<!成本)[≤<]?\d+万(?!次)|贷|工资|月薪|年薪|存栏|员工|人|家|年了|年前|月底|年底|之前|以前|前完成|上线|交付"
)


def find_targets(text: str) -> str | None:
    """The target clauses of `text`, joined as typed, or None."""
    found: list[str] = []
    for clause in _CLAUSE.split(text or ""):
        for part in _PART.split(clause):
            part = part.strip(" 、")
            if not part or not _COMPARE.search(part) or not _NUMBER.search(part) or not _MEASURE.search(part):
                continue
            if _NOT_TARGET.search(part) and not re.search(r"成本|能耗|效率|精度|率", part):
                continue
            part = re.sub(r"^(?:要求|希望|最好|需要|目标是?|而且|并且|同时|还要|要)", "", part)
            found.append(part)
    return "，".join(dict.fromkeys(found)) or None
