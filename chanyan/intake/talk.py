"""Conversation talk around a value: back-references, self-repairs, fillers and remarks, stripped before storing.

"刚才不是说了嘛，600度摩擦系数0.35以上" → "600度摩擦系数0.35以上"; "长光卫星……哦不是，我们叫长光卫星技术股份有限公司"
→ the part after the self-repair. A message that is only talk ("刚才说了") leaves nothing, and the intake looks back
at what was said before instead. Naming talk goes too ("一般怎么起？就叫变压器局放在线监测吧" → the name), and so do clauses
that are only talk inside a longer value ("…想做个除尘系统，先不说预算", "对了你们能签保密协议吗").
"""

from __future__ import annotations

import re

_LEAD = re.compile(
    r"^(?:"
    r"(?:嗯+|呃+|额|哦+|噢|啊|哎呀?|唉|喂|那个|这个嘛|就是说|是这样的?|好吧|好的|行吧|ok|OK|等下|等等|等一下|稍等|对了"
    r"|好问题|让我想想|我想想|想一想|怎么说呢)[,，。.…!！\s]*"
    r"|(?:我|俺)?(?:刚才|刚刚|刚|方才|前面|上面|之前|上一条|第一句|开头|(?:描述|需求|问题|第一条)(?:里|中|里面)?)(?:不是)?(?:都|已经|就|也)?"
    r"(?:说|讲|写|提|填)(?:了|过)+(?:的)?(?:嘛|吗|啊|呀|呢|吧)?(?:[,，:：。.…!！\s]|(?=\S))"
    r"|(?:跟|和|同)(?:上面|前面|刚才|描述里|描述)(?:说|写|提)?的?一样[,，:：。\s]*"
    r"|(?:技术)?(?:指标|要求|参数|预算|钱|资金|时间|时限|名称|名字|标题|单位|公司|联系人|这个|那个|这块|这方面|合作方|知识产权)的话[,，:：\s]+"
    r"|(?:对|对的|是的|嗯对)[,，。!！\s]+"
    r"|(?:不是|我不是|我)?(?:都|已经)?(?:说|讲|写)(?:了|过)+(?:嘛|吗|啊|呀)?(?:[,，:：。!！\s]+|(?=[\dA-Za-z一二三四五六七八九十两]))"
    r"|(?:见|看)上(?:面|表|文)[,，:：\s]*"
    r"|(?:上面|前面|表里|表上)(?:有|写着)[,，:：\s]*"
    r"|(?:哦|噢)?不对[,，。…\s]*|(?:哦|噢)?不是[,，。…\s]+|(?:我)?(?:写|填|说|打)错了[,，。…\s]*|更正一下[,，:：\s]*"
    r"|(?:需求)?(?:名称|名字|标题|题目)(?:的话)?(?:就|可以|就用)?(?:叫|写|起|用)(?:做|成)?[:：,，\s]*(?=\S)"
    r"|(?:就是|就写|就填|写|填|就叫|叫做|叫它|就用|写成)(?=\S)"
    r"|" + r"[^，,。？?]{0,12}?(?:怎么|如何|咋)(?:起|写|填|取|叫|说)[^，,。？?]{0,6}?[？?]+[,，\s]*"
    r")+"
)
_TRAIL = re.compile(
    r"(?:(?:[,，。.…\s]+(?:刚才|刚刚|刚|前面|上面)?(?:都|已经)?|(?:刚才|刚刚|刚|前面|上面)(?:都|已经)?|都|已经)"
    r"(?:说|讲|写)(?:过了|了|过)(?:的)?(?:嘛|啊|呀|呢|吧)?"  # "陈国强啊，刚说了", not "先不说了"
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
    r"^(?:(?:对|对的|是的|嗯)[,，\s]*)?(?:同上|同前|(?:跟|和|同)?(?:上面|前面|描述里|描述)(?:说|写)?的?一样|(?:就是)?(?:刚才|上面|前面)(?:那|这)(?:几|两|些)?(?:个|条)?(?:指标|要求|数据)?)[。.!！~\s]*$"
    r"|^(?:我|俺)?(?:刚才|刚刚|刚|前面|上面|之前)?(?:不是)?(?:都|已经)?(?:说|讲|写|提|填)(?:了|过)(?:的|啊|呀|嘛|吧|呢)?"
    r"(?:[,，。\s]*(?:见|看)?上(?:面|表|文)?(?:有|写了)?)?[?？。.!！~\s]*$"
)
_POINTER = re.compile(r"(?:见|看)?上表第?([一二三四五六七八九十\d]+)(?:项|条|行)")


_DEFERRAL = re.compile(
    r"^(?:这个|这项|这块|这一?题|这个问题)?(?:我|俺)?(?:暂时|目前|现在)?(?:没有|没|还没(?:想好|定)?|不清楚|说不好|不好说|不知道|不晓得)?"
    r"[,，\s]*"
    r"(?:先不说了?|先不填了?|先跳过|跳过(?:吧|去)?|以后再说|回头再说|先空着|不想说|不想填|不想写|不方便说|说不上来|说不出来|想不出来|还没想|"
    r"先不管|不管了?)?"
    r"[,，\s]*(?:(?:问|跳到|换)?下一(?:个|题|项|条)吧?)?"
    r"[。.!！~\s]*$"
)


def is_deferral(text: str) -> bool:
    """ "暂时没有，先不说了", "先跳过", "以后再说": the user declines this question for now."""
    stripped = text.strip()
    return bool(stripped) and bool(_DEFERRAL.match(stripped)) and not _ONLY_LEAD.match(stripped)


# "这个", "暂时" alone defer nothing (the words of _DEFERRAL that only lead in).
_ONLY_LEAD = re.compile(r"^(?:这个|这项|这块|这一?题|这个问题)?(?:我|俺)?(?:暂时|目前|现在)?[。.!！~\s]*$")


# A clause that is only talk, wherever it stands in a longer message: putting another field off ("先不说预算"),
# a question to the platform ("你们能签保密协议吗"), pointing back ("刚才说的那个需求").
_TALK_CLAUSE = re.compile(
    r"^(?:(?:预算|钱|经费|资金|时间|工期|联系方式|电话|其他的?|别的|剩下的|细节)(?:的话)?)?(?:我们?)?(?:也|就|都)?"
    r"(?:先不说|先不填|暂时不说|以后再说|回头再说|先空着|回头再聊|后面再聊|见面再聊|跟专员聊)了?吧?"
    r"(?:预算|钱|经费|时间|细节)?$"
    r"|^(?:对了)?(?:请问)?(?:你们|贵平台|平台)?.{0,8}(?:签|签订)(?:个)?(?:保密协议|NDA)(?:吗|不)?$"
    r"|^(?:对了)?(?:请问)?(?:你们|贵平台|平台)?(?:收费吗|要收费吗|收不收费|要钱吗|怎么收费)$"
    r"|^(?:我|俺)?(?:刚才|刚刚|前面|上面|之前)(?:说|提|讲|写)的(?:那个|这个)?(?:需求|问题|事情?|项目)?(?:就是)?$"
    # a comment on what was just said ("这个是硬杠杠"), who is pressing for it ("客户那边天天催")
    r"|^(?:这个|这些|这点|这条|这几条|这几个|这)(?:是|都是|可是|真是|很|非常|特别|最)*"
    r"(?:硬杠杠|硬指标|硬性(?:的|要求)?|底线|关键|重点|重要|要紧|必须的|死的|没得商量)的?(?:啊|呀|哈|哦|了)?$"
    r"|^(?:客户|老板|领导|甲方|主机厂|上面)(?:那边|那里)?(?:天天|一直|老是|每天|整天|都)?(?:在)?"
    r"(?:催|追着问|盯着|逼着)(?:得紧|得很紧|得急|呢|着|了)?$",
    re.I,
)
_CLAUSE_MARK = re.compile(r"([,，。;；!！?？]+)")


def drop_talk_clauses(text: str) -> str:
    """`text` without the clauses that are only talk ("…想做个除尘系统，先不说预算" → "…想做个除尘系统"); a
    message that is all talk is returned as it was (the caller decides what an empty answer means)."""
    pieces = _CLAUSE_MARK.split(text)
    clauses = [(pieces[i], pieces[i + 1] if i + 1 < len(pieces) else "") for i in range(0, len(pieces), 2)]
    kept = [(c, mark) for c, mark in clauses if not _TALK_CLAUSE.match(c.strip())]
    if len(kept) == len(clauses) or not any(c.strip() for c, _ in kept):
        return text
    return "".join(c + mark for c, mark in kept).strip(" ,，;；")


def strip_talk(text: str) -> str:
    """The value part of an answer: leading/trailing talk removed, a self-repair resolved to its last version,
    clauses that are only talk dropped."""
    value = text.strip()
    parts = _REPAIR.split(value)
    if len(parts) > 1 and parts[-1].strip():
        value = parts[-1]
    value = drop_talk_clauses(value)
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
