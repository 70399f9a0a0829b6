"""Need titles (需求名称) proposed from the description when the user does not give one.

A title names the thing and the problem: the clause of the description that carries the most technical terms
(not the one about finding an expert or the money), prefixed with what the enterprise makes when that clause
does not say it ("我们做挖掘机液压多路阀的…想提高可靠性" → "挖掘机液压多路阀提高可靠性"). Clauses about the speaker
("我这边是…的采购，姓龚"), an organisation's name, or a target ("要求接触电阻<10mΩ·cm²") are passed over; the
spoken asides of the chosen clause are left out ("医院反馈说", "有没有哪个大学能帮我们把", "在…的时候", "那个").
"""

from __future__ import annotations

import re

from chanyan.domain.schema import SLOT_MAX_CHARS
from chanyan.domain.validation import normalize_text

# A proposal is a short phrase the user confirms at the summary; the field itself may hold up to
# SLOT_MAX_CHARS["need_title"] when the user types a longer title.
PROPOSED_TITLE_CHARS = min(24, SLOT_MAX_CHARS["need_title"])

_WANT = re.compile(
    r"(?:想要|想|希望|需要|打算|计划|拟|准备|寻求|要|求)(?:做|实现|解决|开发|研发|找人|找|搞|弄|上|建设|建|引进|引入)?"
)
_CLAUSE_SPLIT = re.compile(r"[，,。;；!！?？\n]|(?<!\d)\.|\.(?!\d)|\s+(?=[\u4e00-\u9fff])")  # not "0.5%"
_MADE = re.compile(
    r"(?<![想望算划备])(?:做|生产|制造|(?<![一这那几哪每各某多])种|(?<![保培营供])养|造|加工|研发|经营|配套)(?:了|的是|着)?"
    r"(?:[\d一二三四五六七八九十两百千万几多]+[亩头只吨台套家个条]?)?"  # "种了两千亩葡萄" makes 葡萄
    r"([\u4e00-\u9fffA-Za-z0-9]{2,10}?)(?:的|厂|企业|公司|$)"
)
_SELF_START = re.compile(
    r"^(?:我们|我司|俺们|我门|我是|公司|本公司|我厂|厂里|我们公司|我们这儿|我们这边|我这边|我这里|我们单位|我们厂"
    r"|[\u4e00-\u9fff]{2,4}(?:这边|这里)(?=是|做|搞|生产|专业|开))"  # "宜宾这边做动力电芯的": where the speaker is
)
_WANT_NEAR = re.compile(
    r"^.{0,4}?(?:想要|想|希望|需要|打算|计划|拟|准备|(?<![主重只])要)(?:做|建|开发|研发|研制|实现|把|上|引进|引入)"
)  # "主要做欧洲的单子" says what the business is
# "热泵再生或者余热利用都可以考虑": the means the user is open to, not the need.
_OPTIONS = re.compile(r"(?:都|也)(?:可以|能)考虑$|都可以$|都行$|也行$")
# A greeting before the first words ("Hi～我们…", "您好。"): no part of any clause.
_GREETING = re.compile(r"^(?:hi|hello|hey|dear\s+\w+|你好|您好|喂)[\s~～!！,，.。:：]*", re.I)
# The spoken form of the same want ("想弄个塔吊防碰撞的预警系统"): it counts when it names a whole thing.
_WANT_SPOKEN = re.compile(
    r"^.{0,4}?(?:想要|想|希望|需要|打算|要)" + r"(?:找人|请人)?(?:弄|搞|整|做)(?:个|一个|一套|套)"
)
# "找人弄个…", "请人做一套…": getting a thing made, no helper in view (unlike "找个大学帮我们…").
_HAVE_MADE = r"(?:找|请)人(?=弄|搞|整|做)"
WANT_SPOKEN_MIN_CHARS = 6
_MEANS = re.compile(r"^(?:用|通过|采用|利用|基于)")
_SELF = re.compile(
    r"^(?:我们|我司|俺们|我门|我是|我们是|公司|本公司|我厂|厂里|我|我们单位)(?:这边|这里|公司|厂|单位)?(?:是|主要是|主要|专门)?"
    r"(?:一家|个|做|搞|在|给|生产|专业)"
)
# The rest of a self-description without a making verb ("我们公司压铸铝合金壳体" → 压铸铝合金壳体).
_SELF_REST = re.compile(
    r"^(?:我们|我司|俺们|我门|本公司|我厂|我们单位)(?:公司|厂|这边|单位)?(?:主要|专门)?"
    r"(?![是在有的]|地处|位于|坐落|地址|总部|成立|创立|注册)([\u4e00-\u9fffA-Za-z]{2,10})$"  # "我司地处西宁" says where
)
# Who the user is or why they write, not the need: "姓龚", "领导让我来问问", "想咨询一下".
_ABOUT_USER = re.compile(
    r"(?:^|[我是])姓[\u4e00-\u9fff]|采购|领导|让我|来问问|问一下|咨询一下|打听|了解一下|是这样的?"
)
# A stated need: "需求是…", "想做的是…", "项目是…".
_LABEL = re.compile(r"^(?:我们的|我的|主要)?(?:需求|项目|课题|想做的|要做的)(?:是|为|就是|[:：])\s*")
# Words of a clause about the conversation, the people or the money rather than the technical problem.
_META = re.compile(
    r"专家|老师|教授|团队|找个?(?!人(?:弄|搞|整|做))|帮(?:我们|忙)?|办法|法子|(?<![想要])弄(?!个|一个|一套|套)|钱|预算|经费|万元?|明年|今年|年底|客户|投诉|老板|厂子|年了|"
    r"你好|您好|能不能|可以吗|吗$|没问题|好说|联系|电话|手机|单位|需求|征集|拟投入|存栏|出栏|年产值|员工|厂区|占地|hi$|Hi$|Budget|deadline"
)
_PROBLEM = re.compile(
    r"老是|总是|经常|太(?:高|低|长|大|多|慢|快|贵|差|重|小|少|短)|不(?:够|均匀|稳定|达标|了)|超标|问题|缺陷|故障|卡滞|泄漏|衰退|报废|失效|"
    r"开裂|裂纹|堵|严重|容易|上不去|掉得|偏低|偏高|设计|改进|研发|"
    r"提高|提升|降低|缩短|优化|改善|改造|替代|开发|研制|检测|识别|预测|回收|处理|防治|控制|很高|偏高|偏低|病|腹泻|死亡率|次品|"
    r"不良|良率|针孔|气孔|裂纹|噪声|振动|能耗"
)
# A rule and the date it starts ("2028年起新规要求…", "按照新标准…"): why the need is urgent, not the need.
_RULE = re.compile(
    r"新规|新国标|(?:国标|标准|法规|政策|环保|监管|国家|上面)的?(?:要求|规定|明确|强制)|按照.{0,6}(?:标准|规定)"
    r"|(?:19|20)\d\d年(?:起|以后|之后|开始|底前)|(?:从)?(?:明年|今年|下半年)(?:起|开始)"
    r"|(?:要|会|将|被|已经?)(?:被)?(?:限制|限用|禁用|禁止|禁|淘汰)(?:使用)?了?$"  # "欧盟那边含氟的涂层要限制了"
)
# A need said as its problem, with no clause saying what is wanted: the title is the problem's object and the
# improvement the problem implies ("辊道窑烧成这块天然气用得太多了" → 辊道窑烧成节能降耗). Each entry: the problem
# after its object (the object is what comes before it), and the improvement.
_MUCH = r"(?:太|很|偏|过|比较|特别)?(?:多|高|大)|惊人|吓人"
_FUEL = r"(?:电|能|气|煤|油|汽|燃料|燃气|能源|天然气|蒸汽|柴油)"
_USED = r"(?:的)?(?:用量|消耗量?|用得|消耗得|耗得)"
_IMPLIED_WANTS = (
    (re.compile(rf"(?:耗水量?|水耗|用水量?|水{_USED})(?:{_MUCH})"), "节水降耗"),
    (re.compile(rf"(?:耗{_FUEL}量?|{_FUEL}耗|用{_FUEL}量?|{_FUEL}{_USED})(?:{_MUCH})"), "节能降耗"),
    (
        re.compile(
            r"寿命(?:太|很|偏|比较)?短|寿命(?:不够|不长|太低|偏低)"
            r"|(?:用|撑|坚持)(?:了)?(?:不够|不到|不了)(?=[\d一二两三四五六七八九十半几百千万])"  # 用不够三千支
            r"|(?:磨损|磨|坏|老化|损耗)(?:得)?(?:太|很|特别|比较)?快"
        ),
        "寿命提升",
    ),
    (
        re.compile(
            r"(?:老是|总是|经常|动不动就?|隔三差五)(?:坏|出故障|故障|卡死|卡住|停机|跳闸|过热|烧)"
            r"|故障(?:太|很|比较|特别)?多|故障率(?:太|很|偏|比较)?高|(?:很|特别|比较)?容易坏"
        ),
        "故障预测",
    ),
    (re.compile(r"(?:噪声|噪音|异响)(?:太|很|偏|过|比较|特别)?(?:大|高|响)"), "降噪"),
)
# The precision said not to be enough: the title keeps which precision ("重复定位精度提升").
_IMPRECISE = re.compile(
    r"((?:加工|定位|重复定位|测量|控制|检测|流量|计量|识别|尺寸|位置|温度|称重)?精度)"
    r"(?:不够|不足|太低|偏低|太差|差|不高|上不去|达不到)"
)
_OBJECT_END = re.compile(r"(?:的|这块|这一块|这边|方面|上|里|这里)+$")
_OBJECT_START = re.compile(r"^.*?(?:的时候|时候)")  # "加工钛合金的时候刀具…": when, not what
IMPLIED_OBJECT_CHARS = (2, 14)
# A want that names its object ("想改进封口工艺") is the title; a shorter one ("想延长寿命") leaves the object unsaid.
WANT_NAMES_OBJECT_CHARS = 6


def _implied_want(kept: str) -> str:
    """The problem's object and the improvement it implies, or "" when the clause is not such a problem."""
    found = [(m.start(), m.group(1) + "提升") for m in [_IMPRECISE.search(kept)] if m]
    found += [(m.start(), better) for pattern, better in _IMPLIED_WANTS for m in [pattern.search(kept)] if m]
    if not found:
        return ""
    start, better = min(found)
    thing = _OBJECT_START.sub("", _OBJECT_END.sub("", kept[:start]))
    low, high = IMPLIED_OBJECT_CHARS
    if not low <= len(thing) <= high or _META.search(thing) or _RULE.search(thing):
        return ""
    return thing + better


_LEAD = re.compile(
    r"^(?:现在|目前|主要是|主要|其实是|最头疼的是|头疼的是|问题是|需求是|就是|有个|有几个|有一个|我们|我司|公司|厂里|还得|而且|但是|可是|想|要|"
    r"一下|一个|一套|一种|一款|一批|一项|个|套|种|款|是|的|成熟的|先进的|现成的|可靠的)+"
)


_CLASSIFIER = r"(?:一个|一套|一款|一台|一条|一种|一項|一项|個|个|套|款|台|条|條|种|種)"
# A title typed as a plan ("打算搞个纱线毛羽在线检测系统", "想上一套…", "想導入一套…"): the plan's words are no part of it.
_TITLE_PLAN = re.compile(
    r"^(?:我们|我司|我们厂|我们公司|公司|厂里)?(?:是|就是)?(?:想要|想|打算|准备|计划|希望|要|拟)"
    r"(?:(?:上|搞|弄|整|做|建|上马|导入|導入|引进|引進|引入|开发|開發|研发|研發)"
    + _CLASSIFIER
    + "?|"
    + _CLASSIFIER
    + ")"
)
TITLE_MIN_CHARS = 4


def strip_title_plan(title: str) -> str:
    """The title without the plan it was typed as; unchanged when too little would be left."""
    match = _TITLE_PLAN.match(title)
    if match and match.end() and len(title) - match.end() >= TITLE_MIN_CHARS:
        return title[match.end() :]
    return title


def propose_title(description: str, keywords: list[str] | None = None) -> str:
    """A short need title proposed from the description (see the module doc)."""
    from chanyan.intake.normalise import reading_form

    text = reading_form(normalize_text(description))  # 繁體 read as simplified; a title is not a name
    if _mostly_english(text):
        english = _english_title(text)
        if english:
            return english
    clauses = [_GREETING.sub("", c.strip()) for c in _CLAUSE_SPLIT.split(text)]
    clauses = [c for c in clauses if c]
    if not clauses:
        return ""
    if keywords is None:
        keywords = _keywords(text)
    made = _made(clauses)
    best = max(clauses, key=lambda c: (_score(c, keywords, made), _states_want(c)))
    title = _with_compound(_trim(best), keywords)
    implied = _implied_title(clauses, best, title)
    if implied:
        title, best = implied, ""
    if (
        made
        and not _shares_word(made, title)
        and not _MADE.search(best)
        and len(made) + len(title) <= PROPOSED_TITLE_CHARS
    ):
        title = made + title
    return title[:PROPOSED_TITLE_CHARS] or clauses[0][:PROPOSED_TITLE_CHARS]


def _states_want(clause: str) -> bool:
    """Whether the clause says what is wanted ("想做…", "想找人弄个…", "想找个大学帮我们搞…"): between clauses
    that score the same, that one names the need."""
    helper = _HELPER.match(clause)
    helped = helper and len(clause) - helper.end() >= 4 and _WANT.search(clause[: helper.end()])
    return bool(_WANT_NEAR.search(clause) or _WANT_SPOKEN.search(clause) or helped)


def _implied_title(clauses: list[str], best: str, title: str) -> str:
    """Beside a problem clause, the title is a want that names its object ("想做一套空压机群控系统"), else the
    object of the problem and the improvement it implies; "" keeps the chosen clause."""
    implied = next((t for t in (_implied_want(_trim(c)) for c in clauses if not _RULE.search(c)) if t), "")
    if not implied:
        return ""
    for clause in [best] + [c for c in clauses if c != best]:
        wants = _WANT_NEAR.search(clause) or _WANT_SPOKEN.search(clause) or _LABEL.match(clause)
        if not wants or re.search(r"找|专家|老师|团队", clause):
            continue
        kept = _trim(clause) if clause != best else title
        if len(kept) >= WANT_NAMES_OBJECT_CHARS or _shares_word(implied[:-2], kept):
            return "" if clause == best else kept
    return implied


# English: the thing asked for follows "looking for", "need", "would like to develop" …
_EN_WANT = re.compile(
    r"\b(?:(?:are|am|is)\s+)?(?:looking for|searching for|seeking|in need of|need(?:s|ed)?|want(?:s|ed)?|would like|"
    r"require[sd]?|hope|plan|wish)\b(?:\s+to)?(?:\s+(?:develop|build|make|create|design|find|get|have|improve|solve|"
    r"reduce|automate|implement|buy|source))?(?:\s+(?:someone|a team|a partner|an expert|experts|a supplier)\s+"
    r"(?:to|who can|that can)\s+(?:help\s+(?:us\s+)?)?(?:develop|build|make|design|solve|improve)?)?\s+",
    re.I,
)
_EN_ARTICLE = re.compile(r"^(?:an?|the|some|our|us|new|better|good)\s+", re.I)
# Where the noun phrase of the want ends: a preposition clause, a reason, a clause mark.
_EN_END = re.compile(
    r"\s+(?:for|to|so|that|which|because|since|within|by|before|after|with|without|in order|on (?:our|the)|"
    r"in (?:our|the)|at|budget|asap|and (?:the|our|it|we))\b|[,，;；:：!！?？()（）]|\.(?!\d)|\s+-\s+",
    re.I,
)
_EN_ABOUT_US = re.compile(
    r"^(?:hi|hello|dear|good (?:morning|afternoon)|we are|we're|we run|our company|i am|i'm|this is|thanks|budget|"
    r"deadline|timeline|contact)\b",
    re.I,
)
ENGLISH_TITLE_CHARS = min(30, SLOT_MAX_CHARS["need_title"])  # English words are long: more than a Chinese one


def _mostly_english(text: str) -> bool:
    """Whether the message is written mostly in English (Latin letters outweigh the Chinese characters)."""
    latin = len(re.findall(r"[A-Za-z]", text))
    cjk = len(re.findall(r"[\u4e00-\u9fff]", text))
    return latin > 3 * cjk and latin >= 20


def _english_title(text: str) -> str:
    """The object of the want of an English description, as a short noun phrase, or ""."""
    sentences = [s.strip() for s in re.split(r"(?<=[.!?;])\s+|[。！？；\n]", text) if s.strip()]
    phrase = ""
    for sentence in sentences:
        match = _EN_WANT.search(sentence)
        if match:
            phrase = _EN_END.split(sentence[match.end() :])[0].strip()
            if len(phrase.split()) >= 2 or re.fullmatch(r"[A-Z]{2,}", phrase):
                break
            phrase = ""
    if not phrase:
        rest = [s for s in sentences if not _EN_ABOUT_US.match(s) and re.search(r"[A-Za-z]{3,}", s)]
        if not rest:
            return ""
        phrase = _EN_END.split(rest[0])[0].strip()
    for _ in range(3):
        phrase = _EN_ARTICLE.sub("", phrase)
    words = phrase.split()
    while len(" ".join(words)) > ENGLISH_TITLE_CHARS and len(words) > 1:
        words = words[1:]  # the head noun comes last: drop leading modifiers first
    title = " ".join(words)
    long_enough = len(title) >= 4 or re.fullmatch(r"[A-Z0-9]{2,}", title)
    return title if long_enough and len(title) <= ENGLISH_TITLE_CHARS else ""


def _with_compound(title: str, keywords: list[str]) -> str:
    """The title's leading noun in the fuller form the description used ("组件回收技术" after "退役的光伏组件…" →
    "光伏组件回收技术"): a term that ends with the title's first word and is not in the title yet."""
    best = ""
    for term in keywords:
        for size in range(2, min(len(term), len(title))):
            head = title[:size]
            if term.endswith(head) and len(term) > size and term not in title and len(term) > len(best):
                best = term[: len(term) - size]
    if best and len(best) + len(title) <= PROPOSED_TITLE_CHARS:
        return best + title
    return title


def _shares_word(made: str, title: str) -> bool:
    """Whether the title already names what the enterprise makes (any two-character piece of it)."""
    return made in title or any(made[i : i + 2] in title for i in range(len(made) - 1))


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
        rest = _SELF_REST.match(clause)
        if rest and not _META.search(rest.group(1)) and not _PROBLEM.search(clause):
            return rest.group(1)
    return None


def _score(clause: str, keywords: list[str], made: str | None) -> float:
    from chanyan.intake.people import find_organisation
    from chanyan.intake.targets import find_targets

    kept = _trim(clause)  # what the title would be: the clause without the seeking and the asides
    score = 2.0 * min(2, sum(1 for k in keywords if k in kept))
    score += 1.0 if _PROBLEM.search(clause) else 0.0
    seeking = re.search(r"找|专家|老师|团队", re.sub(_HAVE_MADE, "", clause))
    score += 2.0 if _WANT_NEAR.search(clause) and not seeking else 0.0
    spoken = _WANT_SPOKEN.search(clause) and len(kept) >= WANT_SPOKEN_MIN_CHARS
    score += 2.0 if spoken and not seeking else 0.0
    score += 4.0 if _LABEL.match(clause) else 0.0
    score -= 1.0 if _MEANS.match(clause) else 0.0
    score -= 2.0 * len(_META.findall(clause))
    score -= 4.0 if _OPTIONS.search(clause) else 0.0
    score -= 3.0 if _ABOUT_USER.search(clause) else 0.0
    score -= 5.0 if _RULE.search(clause) else 0.0
    score -= 3.0 if find_targets(clause) else 0.0  # "要求接触电阻<10mΩ·cm²" is a target, not the need
    org = find_organisation(clause)
    score -= 4.0 if org and 2 * len(org) >= len(clause) else 0.0  # "我司苏州氢途能源科技有限公司" names who
    if _SELF.match(clause) or (made and made in clause and _MADE.search(clause)):
        score -= 4.0  # "我们是做酱油的老厂子了" says who, not what is wrong
    elif _SELF_START.match(clause) and not _PROBLEM.search(clause) and not _WANT.search(clause):
        score -= 4.0
    if len(kept) > 20:
        score -= 0.1 * (len(kept) - 20)
    if len(kept) < 4 and not re.search(r"[A-Za-z]{2,}", kept):  # "MES" is a whole thing
        score -= 2.0
    return score


# Spoken asides a title leaves out, each kept only if enough is left after it: who reported the problem
# ("医院反馈说"), who should help ("有没有哪个大学能帮我们把"), when it happens ("在输中药注射液的时候"), pointers
# and fillers ("那个", "一下").
_REPORTED = re.compile(r"^.{0,12}?(?:反馈|反映|投诉|抱怨|说了?)(?:说)?[,，:：\s]*")
_HELPER = re.compile(
    r"^.*?(?:帮(?:我们|我|忙)?(?:一起)?(?:把)?|找(?:个|一个|家)?(?:人|团队|专家|高校|大学|研究所|科研院所|老师|单位|公司)"
    r"(?:来|帮忙|合作)?(?:把)?)"
)
# "有没有做过光伏清洗机器人的团队" asks for who can do X: the title is X.
_WHO_CAN = re.compile(
    r"^(?:请问)?(?:有没有|有无|哪里有|哪有|能不能找到|能否找到)(?:做过|会做|能做|做|搞|研究)?(.{4,20}?)的?"
    r"(?:团队|专家|老师|单位|公司|高校|厂家|机构)$"
)
_WHEN = re.compile(r"在[^，,。]{1,16}?(?:的时候|时)")
_ASIDE = re.compile(r"那个|这个|这些|那些|特别|非常|每年|每次|一下$|一下子$")
# The speaker as the subject of the want: "我们医院想开发…", "我们厂打算…".
_SUBJECT = re.compile(
    r"^(?:(?:我们|我司|我门|俺们|咱们)?(?:医院|公司|厂|厂里|单位|合作社|学校|团队|港口|码头|矿上|车间|场里|园区|基地)?"
    r"|[\u4e00-\u9fff]{1,4}(?:这边|那边|这里))(?=想|希望|需要|打算|计划|准备)"
)
_OWN = re.compile(r"^(?:我们|我司|我门|俺们|咱们)(?:的|这边的|公司的|厂的|厂里的)")


# "主要是想解决一个问题：锅炉燃烧效率低", "面临的最大难题是：…": what follows the colon is the need.
_INTRO = re.compile(r"^[^:：]{1,16}[:：]\s*(?=.{4,})")


def _trim(clause: str) -> str:
    clause = _INTRO.sub("", _LABEL.sub("", clause))
    who = _WHO_CAN.match(clause)
    if who:
        return who.group(1)
    for aside in (_REPORTED, _HELPER):
        match = aside.match(clause)
        if match and len(clause) - match.end() >= 4:
            clause = clause[match.end() :]
    task = re.match(
        r"^(?:来|帮忙|帮我们)?(?:一起|共同)?(?:(?:做|搞|弄|整)(?:个|一个|一套|套)?)?(?<=.)(?=.{4,})", clause
    )  # "(找人)做干燥房除湿改造", "(找人)弄个摘花椒的机器"
    if task:
        clause = clause[task.end() :]
    clause = _SUBJECT.sub("", clause)
    match = _WANT.match(clause)
    if match and len(clause) - match.end() >= 4:
        clause = clause[match.end() :]
    clause = _OWN.sub("", clause)
    shorter = _ASIDE.sub("", _WHEN.sub("", clause))
    if len(shorter) >= 4:
        clause = shorter
    for _ in range(3):  # "就是我们的那个烘干机…": the leads come in any order
        clause = re.sub(r"^把", "", _OWN.sub("", _LEAD.sub("", clause).strip()))
    return clause.strip(" 、：:")
