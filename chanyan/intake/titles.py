"""Need titles (需求名称) proposed from the description when the user does not give one.

A title names the thing and the problem: the clause of the description that carries the most technical terms
(not the one about finding an expert or the money), prefixed with what the enterprise makes when that clause
does not say it ("我们做挖掘机液压多路阀的…想提高可靠性" → "挖掘机液压多路阀提高可靠性").
"""

from __future__ import annotations

import re

from chanyan.domain.schema import SLOT_MAX_CHARS
from chanyan.domain.validation import normalize_text

# A proposal is a short phrase the user confirms at the summary; the field itself may hold up to
# SLOT_MAX_CHARS["need_title"] when the user types a longer title.
PROPOSED_TITLE_CHARS = min(24, SLOT_MAX_CHARS["need_title"])

_WANT = re.compile(r"(?:想要|想|希望|需要|打算|计划|要|求)(?:做|实现|解决|开发|研发|找人|找)?")
_CLAUSE_SPLIT = re.compile(r"[，,。.;；!！?？\n]|\s+(?=[\u4e00-\u9fff])")
_MADE = re.compile(
    r"(?:做|生产|制造|种|养|造|加工|研发|经营|配套)([\u4e00-\u9fffA-Za-z0-9]{2,10}?)(?:的|厂|企业|公司|$)"
)
_SELF_START = re.compile(r"^(?:我们|我司|俺们|我门|我是|公司|本公司|我厂|厂里|我们公司|我们这儿|我们这边)")
_WANT_NEAR = re.compile(r"^.{0,4}?(?:想要|想|希望|需要|打算|计划|要)(?:做|建|开发|研发|研制|实现|把|上)")
_MEANS = re.compile(r"^(?:用|通过|采用|利用|基于)")
_SELF = re.compile(
    r"^(?:我们|我司|俺们|我门|我是|我们是|公司|本公司|我厂|厂里)(?:是|这边|公司)?(?:一家|个|做|搞|在)"
)
# Words of a clause about the conversation, the people or the money rather than the technical problem.
_META = re.compile(
    r"专家|老师|教授|团队|找个?|帮(?:我们|忙)?|办法|法子|弄|钱|预算|经费|万元?|明年|今年|年底|客户|投诉|老板|厂子|年了|"
    r"你好|您好|能不能|可以吗|吗$|没问题|好说|联系|电话|手机|单位|需求|征集|拟投入|存栏|出栏|年产值|员工|厂区|占地|hi$|Hi$|Budget|deadline"
)
_PROBLEM = re.compile(
    r"老是|总是|经常|太(?:高|低|长|大|多|慢|快)|不(?:够|均匀|稳定|达标|了)|超标|问题|缺陷|故障|卡滞|泄漏|衰退|报废|失效|"
    r"提高|提升|降低|缩短|优化|改善|改造|替代|开发|研制|检测|识别|预测|回收|处理|防治|控制|很高|偏高|偏低|病|腹泻|死亡率|次品|"
    r"不良|良率|针孔|气孔|裂纹|噪声|振动|能耗"
)
_LEAD = re.compile(
    r"^(?:现在|目前|主要|最头疼的是|头疼的是|问题是|需求是|就是|有个|有几个|有一个|我们|我司|公司|厂里|还得|而且|但是|可是|想|要|一下|一个|一套|个|套)+"
)


def propose_title(description: str, keywords: list[str] | None = None) -> str:
    """A short need title proposed from the description (see the module doc)."""
    from chanyan.intake.normalise import reading_form

    text = reading_form(normalize_text(description))  # 繁體 read as simplified; a title is not a name
    clauses = [c.strip() for c in _CLAUSE_SPLIT.split(text) if c.strip()]
    if not clauses:
        return ""
    if keywords is None:
        keywords = _keywords(text)
    made = _made(clauses)
    best = max(clauses, key=lambda c: _score(c, keywords, made))
    title = _trim(best)
    if (
        made
        and made not in title
        and not _MADE.search(best)
        and len(made) + len(title) <= PROPOSED_TITLE_CHARS
    ):
        title = made + title
    return title[:PROPOSED_TITLE_CHARS] or clauses[0][:PROPOSED_TITLE_CHARS]


def _keywords(text: str) -> list[str]:
    from chanyan.intake.protocol import text_extractor

    try:
        return list(text_extractor().extract(text).get("keywords") or [])
    except Exception:  # a title is a proposal: without extraction, the clause rules still give one
        return []


def _made(clauses: list[str]) -> str | None:
    """What the enterprise makes, from its self-description ("我们做挖掘机液压多路阀的" → 挖掘机液压多路阀)."""
    for clause in clauses[:3]:
        if not _SELF_START.match(clause):
            continue
        match = _MADE.search(clause)
        if match and not _META.search(match.group(1)):
            return match.group(1)
    return None


def _score(clause: str, keywords: list[str], made: str | None) -> float:
    score = 2.0 * min(2, sum(1 for k in keywords if k in clause))
    score += 1.0 if _PROBLEM.search(clause) else 0.0
    score += 2.0 if _WANT_NEAR.search(clause) and not re.search(r"找|专家|老师|团队", clause) else 0.0
    score -= 1.0 if _MEANS.match(clause) else 0.0
    score -= 2.0 * len(_META.findall(clause))
    if _SELF.match(clause) or (made and made in clause and _MADE.search(clause)):
        score -= 4.0  # "我们是做酱油的老厂子了" says who, not what is wrong
    if len(clause) > 20:
        score -= 0.1 * (len(clause) - 20)
    if len(clause) < 4:
        score -= 2.0
    return score


def _trim(clause: str) -> str:
    match = _WANT.match(clause)
    if match and len(clause) - match.end() >= 4:
        clause = clause[match.end() :]
    clause = _LEAD.sub("", clause).strip()
    return clause.strip(" 、：:")
