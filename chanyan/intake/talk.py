"""Conversation talk around a value: back-references, self-repairs, fillers and remarks, stripped before storing.

"刚才不是说了嘛，600度摩擦系数0.35以上" → "600度摩擦系数0.35以上"; "长光卫星……哦不是，我们叫长光卫星技术股份有限公司"
→ the part after the self-repair. A message that is only talk ("刚才说了") leaves nothing, and the intake looks back
at what was said before instead. Naming talk goes too: "一般怎么起？就叫变压器局放在线监测吧" → the name.
"""

from __future__ import annotations

import re

_LEAD = re.compile(
    r"^(?:"
    r"(?:嗯+|呃+|额|哦+|噢|啊|哎呀?|唉|喂|那个|这个嘛|就是说|是这样的?|好吧|好的|行吧|ok|OK|等下|等等|等一下|稍等|对了)[,，。.…!！\s]*"
    r"|(?:我|俺)?(?:刚才|刚刚|刚|方才|前面|上面|之前|上一条|第一句|开头)(?:不是)?(?:都|已经|就)?(?:说|讲|写|提|填)(?:了|过)(?:的)?(?:嘛|吗|啊|呀|呢|吧)?(?:[,，:：。.…!！\s]|(?=\S))"
    r"|(?:不是|我不是|我)?(?:都|已经)?(?:说|讲|写)(?:了|过)(?:嘛|吗|啊|呀)?(?:[,，:：。!！\s]+|(?=[\dA-Za-z一二三四五六七八九十两]))"
    r"|(?:见|看)上(?:面|表|文)[,，:：\s]*"
    r"|(?:上面|前面|表里|表上)(?:有|写着)[,，:：\s]*"
    r"|(?:哦|噢)?不对[,，。…\s]*|(?:哦|噢)?不是[,，。…\s]+|(?:我)?(?:写|填|说|打)错了[,，。…\s]*|更正一下[,，:：\s]*"
    r"|(?:就是|就写|就填|写|填|就叫|叫做|就用)(?=\S)"
    r"|" + r"[^，,。？?]{0,12}?(?:怎么|如何|咋)(?:起|写|填|取|叫|说)[^，,。？?]{0,6}?[？?]+[,，\s]*"
    r")+"
)
_TRAIL = re.compile(
    r"(?:[,，。.…\s]*(?:刚才|刚刚|刚|前面|上面)?(?:都|已经)?(?:说|讲|写)(?:了|过)(?:的)?(?:嘛|啊|呀|呢|吧)?"
    r"|[,，。\s]*(?:就行|就好|即可|就可以)(?:了)?"
    r"|[,，。\s]*哈哈+.*|[,，。\s]*这名字还是.*"
    r"|[吧啊呀呢嘛哈哦噢啦]+)[。.!！~～\s]*$"
)
# "X……哦不是，Y" / "X，不对，是Y": the user repaired themself; only Y counts.
_REPAIR = re.compile(
    r"(?:……|…|\.\.\.|[,，\s])*(?:哦|噢|啊)?(?:不是不是|不对不对|不是|不对|说错了|打错了|写错了)[,，…\s]+(?:是|应该是|我们叫|叫)?"
)
# Whole messages that say "as said before" and carry nothing new.
ONLY_BACK_REFERENCE = re.compile(
    r"^(?:我|俺)?(?:刚才|刚刚|刚|前面|上面|之前)?(?:不是)?(?:都|已经)?(?:说|讲|写|提|填)(?:了|过)(?:的|啊|呀|嘛|吧|呢)?"
    r"(?:[,，。\s]*(?:见|看)?上(?:面|表|文)?(?:有|写了)?)?[?？。.!！~\s]*$"
)
_POINTER = re.compile(r"(?:见|看)?上表第?([一二三四五六七八九十\d]+)(?:项|条|行)")


_DEFERRAL = re.compile(
    r"^(?:暂时|目前|现在)?(?:没有|没|还没(?:想好|定)?|不清楚|说不好|不好说|不知道)?[,，\s]*"
    r"(?:先不说了?|先不填了?|先跳过|以后再说|回头再说|先空着|不想说|不方便说)?[。.!！~\s]*$"
)


def is_deferral(text: str) -> bool:
    """ "暂时没有，先不说了", "先跳过", "以后再说": the user declines this question for now."""
    stripped = text.strip()
    return bool(stripped) and bool(_DEFERRAL.match(stripped)) and stripped not in ("",)


def strip_talk(text: str) -> str:
    """The value part of an answer: leading/trailing talk removed, a self-repair resolved to its last version."""
    value = text.strip()
    parts = _REPAIR.split(value)
    if len(parts) > 1 and parts[-1].strip():
        value = parts[-1]
    for _ in range(3):
        stripped = _LEAD.sub("", value).strip()
        stripped = _TRAIL.sub("", stripped).strip()
        if stripped == value:
            break
        value = stripped
    return value.strip(" ,，。;；:：")


def is_only_back_reference(text: str) -> bool:
    """ "刚才说了", "上面写了", "说过了啊": the user points back without repeating the value."""
    return bool(ONLY_BACK_REFERENCE.match(text.strip())) or bool(_POINTER.fullmatch(text.strip(" 。")))
