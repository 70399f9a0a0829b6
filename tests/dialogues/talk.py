"""When a filed field holds conversation talk instead of a value.

A field "holds talk" when its stored value contains words about the conversation itself rather than the thing
the field names: a reference back ("刚才说了", "见上表", "第一条就写了"), an edit command or self-repair ("写错了",
"哦不是", "改成"), a deferral ("先不说了", "暂时没有"), a question or a remark addressed to the bot ("啥意思？",
"能签保密协议吗"), and, for names, sentence material around the name ("我姓王", "陈国强啊", "XX公司，我就是陈总").
The rules differ per field because a need description may legitimately say "想把人工检测改成自动检测" while a
person's name never contains "改成". `talk(field, value)` returns the first rule that matched, or None.
"""

from __future__ import annotations

import re

# In every free-text field: the user refers back to the conversation or defers the answer.
BACK_REFERENCE = re.compile(
    r"刚才|刚刚(?:说|写|提|问|讲)|刚说|方才|上面(?:写|说|提|填)|前面(?:写|说|提)|之前(?:写|说|提)过|说过了|不是说了|我说了|已经说了"
    r"|都说了|讲过了|写过了|见上|上表|上文|如上所述|第一句|第[一二三四五六七八九十\d]+(?:条|项|句|行)(?:就|里|写|说)"
    r"|^(?:说|讲|写|提)(?:了|过)"
)
DEFERRAL = re.compile(
    r"先不说|先不填|不想说|不方便说|以后再说|回头再说|先跳过|暂时没有|还没想好|没想好|不知道填啥"
    r"|没有(?:具体)?指标|没啥指标|没什么指标"
)
SELF_REPAIR = re.compile(
    r"写错了|填错了|说错了|打错了|搞错了|哦不是|不是不是|不对不对|等一下|等下|改一下|去掉前面|删掉|重新开始"
)
BOT_QUESTION = re.compile(
    r"啥意思|什么意思|是啥|是什么意思|能不能签|保密协议|抽成|收费吗|转人工|(?:有没有|找个?|要)真人|怎么联系我"
)

# In short fields (title, targets, names, IP): also edits, questions and fillers.
EDIT = re.compile(r"不对|改成|改为|换成|不是[^，,。]{0,8}[，,]")
QUESTION = re.compile(r"[？?]|吗(?:$|[，,。！!])|呢$")
FILLER = re.compile(r"^(?:嗯+|呃|额|喂|那个|你好|您好|哈喽|(?i:hi|hello)\b)")

# In names: sentence material around the name.
PRONOUN = re.compile(r"我|俺|咱|本人")
CLAUSE = re.compile(r"[，,；;。！!…]")
PARTICLE_END = re.compile(r"[吧啊呢嘛呀哈哦噢了]$")
VERB_START = re.compile(r"^(?:是|叫|姓|就是|就写|写|填)")
CONTACT_WORDS = re.compile(r"电话|手机|邮箱|联系人|\d{7,}")
COMPANY_WORDS = re.compile(r"公司|有限|集团|合作社|工厂|厂$|单位")

# 知识产权归属 is a closed class; anything else stored there is a sentence.
IP_CLASSES = ("归企业所有", "双方共有", "归研发方所有", "协商确定", "无要求")
IP_MAX_CHARS = 12
CONTACT_NAME_MAX_CHARS = 20
ENTERPRISE_MAX_CHARS = 60

COMMON = (
    ("back_reference", BACK_REFERENCE),
    ("deferral", DEFERRAL),
    ("self_repair", SELF_REPAIR),
    ("bot_question", BOT_QUESTION),
)
SHORT = (("edit", EDIT), ("question", QUESTION), ("filler", FILLER))
NAME = (
    ("pronoun", PRONOUN),
    ("clause", CLAUSE),
    ("particle", PARTICLE_END),
    ("verb", VERB_START),
)
RULES: dict[str, tuple[tuple[str, re.Pattern], ...]] = {
    "need_description": COMMON,
    "need_title": COMMON + SHORT,
    "tech_targets": COMMON + SHORT,
    "enterprise_name": COMMON + SHORT + NAME + (("contact_words", CONTACT_WORDS),),
    "contact_name": COMMON
    + SHORT
    + NAME
    + (("contact_words", CONTACT_WORDS), ("company_words", COMPANY_WORDS)),
    "ip_preference": COMMON + SHORT,
}
TALK_FIELDS = tuple(RULES)


def talk(field: str, value: object) -> str | None:
    """The name of the first talk rule the stored `value` of `field` matches, or None (see the module doc)."""
    if value is None or field not in RULES:
        return None
    text = str(value).strip()
    if not text:
        return None
    if field == "ip_preference" and text in IP_CLASSES:
        return None
    for name, pattern in RULES[field]:
        if pattern.search(text):
            return name
    if field == "ip_preference" and len(text) > IP_MAX_CHARS:
        return "sentence"
    if field == "contact_name" and len(text) > CONTACT_NAME_MAX_CHARS:
        return "sentence"
    if field == "enterprise_name" and len(text) > ENTERPRISE_MAX_CHARS:
        return "sentence"
    return None


def talk_fields(record: dict) -> dict[str, dict[str, str]]:
    """Every field of a filed record that holds talk: {field: {"value": ..., "rule": ...}}."""
    found = {}
    for field in TALK_FIELDS:
        rule = talk(field, record.get(field))
        if rule:
            found[field] = {"value": str(record.get(field)), "rule": rule}
    return found
