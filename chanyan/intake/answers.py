"""Parse the answer to one interview question into the slot's normalized value.

`parse_answer(slot, text, slots)` returns the value or raises `AnswerError` with a reason code that the bot turns
into a courteous re-ask (the wording is in the Rasa domain, keyed by the code).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from chanyan.domain.numerals import read_int, spoken_digits
from chanyan.domain.schema import COOP_MODES, SKIPPED, SLOT_MAX_CHARS
from chanyan.domain.validation import (
    clip,
    find_emails,
    find_phones,
    has_meaningful_text,
    is_skip,
    normalize_email,
    normalize_phone,
    normalize_text,
)
from chanyan.intake.people import find_landline, find_organisation, find_person, home_place
from chanyan.intake.protocol import text_extractor
from chanyan.intake.talk import is_deferral, strip_talk
from chanyan.intake.titles import strip_title_plan

DESCRIPTION_MIN_CHARS = 4

# Why a message did not answer the pending question. The bot words each code in its domain as
# utter_invalid_<code> (the architecture test checks that every code has its response).
REASON_CODES: tuple[str, ...] = (
    "empty",
    "too_short",
    "name_too_long",
    "phone_invalid",
    "email_invalid",
    "budget_unparsed",
    "timeline_unparsed",
    "coop_unparsed",
    "domain_unclear",
    "domain_other",
    "review_which_field",
    "review_unclear",
    "not_organisation",
    "not_person",
    "look_back_missing",
    "ip_unparsed",
    "partner_unparsed",
)
PERSON_MAX_CHARS = 20

_INDEX = re.compile(r"^(?:第)?([1-9一二三四五六七八九])(?:个|项|号)?[。.]?$")
_YES = re.compile(
    r"^(?:是的?|对的?|没错|确认|正确|可以|好的?|嗯+|就是(?:这个|它)?|第一个|ok|yes)[。.!！]*$", re.I
)
_OTHER = re.compile(r"(?:其他|其它|都不是|都不对|不是这些|别的|另外的)")
_NAME_PREFIX = re.compile(
    r"^(?:我们?(?:公司|单位)?(?:是|叫)|我司(?:是|叫)?|公司(?:名称?)?(?:是|叫)|单位(?:名称)?(?:是|叫)?|名称是|我叫|我是|联系人(?:是|为)?|本人)[:：]?\s*"
)
# Declining an optional question in so many words ("邮箱我不太用，没有", "邮箱就不留了", "先跳过邮箱").
_DECLINE_OPTIONAL = re.compile(
    r"跳过|不留|不填|不写|不提供|不方便|没有|没|暂无|不用|不太用|不需要|无要求|没要求|不清楚|不知道|以后再说|先不说|算了"
)
_NOT_LIMITED = re.compile(
    r"(?:不限|都可以|都行|无所谓|没要求|没有要求|(?:没|没有|无)(?:啥|什么)?(?:特别|特殊)?的?(?:要求|偏好|限制)|随便|均可|"
    r"你们(?:帮我们?)?(?:推荐|定|安排|看着办)|听你们的)"
)


class AnswerError(ValueError):
    """The message does not answer the question; `code` names why (e.g. "phone_invalid")."""

    def __init__(self, code: str, candidates: list[dict] | None = None) -> None:
        if code not in REASON_CODES:
            raise ValueError(f"unknown reason code {code!r}")
        super().__init__(code)
        self.code = code
        # For the domain question: new candidates to offer as buttons.
        self.candidates = candidates


def parse_answer(slot: str, text: str, slots: dict[str, Any], *, now: datetime | None = None) -> Any:
    """The normalized value of `text` as the answer to `slot`, or raise AnswerError."""
    cleaned = clip(normalize_text(text))
    if not has_meaningful_text(cleaned):
        raise AnswerError("empty")
    parser = _PARSERS.get(slot)
    if parser is None:
        raise KeyError(f"no parser for slot {slot!r}")
    return parser(cleaned, slots, now)


def _need_description(text: str, _slots: dict, _now) -> str:
    value = strip_talk(text)
    if len(value) < DESCRIPTION_MIN_CHARS:
        raise AnswerError("too_short")
    return value


def _need_title(text: str, _slots: dict, _now) -> str:
    value = strip_title_plan(strip_talk(text).strip('：:“”"「」《》 '))
    if not has_meaningful_text(value):
        raise AnswerError("empty")
    return value[: SLOT_MAX_CHARS["need_title"]]


_NO_TARGETS = re.compile(
    r"^(?:暂时|目前|现在)?(?:没有|没啥|没什么|无|说不上|说不出)(?:具体|明确|特别|什么)?的?(?:指标|要求|数据|参数)"
)


def _optional_text(text: str, _slots: dict, _now) -> str:
    if is_skip(text) or is_deferral(text) or _NO_TARGETS.match(text):
        return SKIPPED
    value = strip_talk(text)
    if not has_meaningful_text(value):
        raise AnswerError("empty")
    return value


_ORDINAL = re.compile(
    r"(?:第|选)?\s*([1-9一二三四五六七八九])\s*(?:个|项|号|条)?(?:吧|的|那个|呀|啊|嘛|哈|呗|就行|就好)?"
)
# Words around an ordinal that add nothing ("对的就是第二个", "应该是第一个", "第二个吧应该").
_HEDGES = re.compile(
    r"^(?:(?:对的?|是的?|嗯+|好的?|那|那就|就|就是|应该是|应该|我选|选|我觉得是?|我看是?)[,，\s]*)+|(?:[,，\s]*(?:应该|吧|吧应该|应该是吧|差不多))+$"
)
_DELEGATE = re.compile(
    r"你看着(?:弄|办|选|定)|你(?:帮我)?(?:选|定)|随便|都行|分不清|不清楚|听你的|你决定|就按你(?:的|说的)"
)


def _tech_domain(text: str, slots: dict, _now) -> str:
    from chanyan.intake.acts import is_yes
    from chanyan.intake.normalise import reading_form

    extractor = text_extractor()
    candidates = slots.get("domain_candidates") or []
    read = reading_form(text)
    index = _ORDINAL.fullmatch(_HEDGES.sub("", read.strip(" 。.!！~")))
    if index:
        position = read_int(index.group(1)) or 0
        if 1 <= position <= len(candidates):
            return _domain_code(candidates[position - 1])
        raise AnswerError("domain_unclear", candidates=candidates or _top_level(extractor))
    read = _NEGATED.sub("", read).strip(" ，,。") or read  # "不是汽车那类，主要是高分子": not 汽车
    named = _candidate_named(read, candidates)
    found = extractor.taxonomy.find(read)
    if named is not None and not (found and found.get("sub_code") and not named.get("sub_code")):
        return _domain_code(named)
    if found:
        if not found.get("sub_code"):
            # A top-level name: keep the sub-category a candidate of that domain or the words name.
            same = [
                c for c in candidates if str(c.get("code")) == str(found.get("code")) and c.get("sub_code")
            ]
            sub = _sub_named(read, extractor, str(found.get("code")))
            if sub:
                return sub
            if same:
                return _domain_code(same[0])
        return _domain_code(found)
    if candidates and (is_yes(read) or _YES.match(read) or _DELEGATE.search(read) or _FIRST.search(read)):
        return _domain_code(candidates[0])
    if _OTHER.search(read) and len(read) <= 8:
        raise AnswerError("domain_other", candidates=_top_level(extractor))
    ranked = extractor.rank_domains(read, top_k=3)
    clear = _clear_top(ranked)
    if clear is not None:
        return clear  # "食品加工", "茶叶加工的机器": the user's own words point at one sub-category
    raise AnswerError("domain_unclear", candidates=ranked or _top_level(extractor))


# The user's own words name a domain when their ranking has one sub-category this far ahead.
WORDS_DOMAIN_SCORE = 0.5
WORDS_DOMAIN_GAP = 0.3


def _clear_top(ranked: list[dict]) -> str | None:
    if not ranked or not ranked[0].get("sub_code"):
        return None
    top = float(ranked[0].get("score") or 0.0)
    second = float(ranked[1].get("score") or 0.0) if len(ranked) > 1 else 0.0
    if top >= WORDS_DOMAIN_SCORE and top - second >= WORDS_DOMAIN_GAP:
        return str(ranked[0]["sub_code"])
    return None


_NEGATED = re.compile(r"(?:不是|不算|不属于)[^，,。；;]*?(?:那类|那个|那一类|这类|类|的)?(?=[，,。；;]|$)")


def _sub_named(read: str, extractor, code: str) -> str | None:
    """The sub-category of domain `code` whose name shares the most with `read` ("新材料里的高分子材料" → 403)."""
    best: tuple[int, str] | None = None
    for domain in extractor.taxonomy.domains:
        if str(domain.get("code")) != code:
            continue
        read = read.replace(str(domain.get("name") or ""), " ")  # the domain's own name says no sub-category
        for sub in domain.get("subcategories") or []:
            size = _shared_run(read, str(sub.get("name") or ""))
            if size >= 2 and (best is None or size > best[0]):
                best = (size, str(sub["code"]))
    return best[1] if best else None


_FIRST = re.compile(
    r"^(?:嗯+|对+|是+|好+|行)?[,，\s]*(?:就是)?(?:这个|它|第一个|头一个|上面那个|就这)[吧啊呀的]?$"
)


def _candidate_named(read: str, candidates: list[dict]) -> dict | None:
    """ "对的 水污染那个", "就选软件吧": the candidate whose (sub-)name shares a word of two or more characters."""
    best: tuple[int, dict] | None = None
    for candidate in candidates:
        for name in (candidate.get("sub_name"), candidate.get("name")):
            if not name:
                continue
            size = _shared_run(read, str(name))
            if size >= 2 and (best is None or size > best[0]):
                best = (size, candidate)
    return best[1] if best else None


_GENERIC_DOMAIN_WORDS = frozenset(
    {"技术", "领域", "其他", "相关", "服务", "材料", "工程", "应用", "新型", "产品", "处理"}
)


def _shared_run(text: str, name: str) -> int:
    """Length of the longest run of `name` found in `text` (generic words like 技术 do not count)."""
    longest = 0
    for i in range(len(name)):
        for j in range(i + 2, len(name) + 1):
            if name[i:j] not in text:
                break
            if name[i:j] not in _GENERIC_DOMAIN_WORDS:
                longest = max(longest, j - i)
    return longest


def _domain_code(entry: dict) -> str:
    return str(entry.get("sub_code") or entry["code"])


def _top_level(extractor) -> list[dict]:
    return [
        {"code": d["code"], "name": d["name"], "sub_code": None, "sub_name": None, "score": 0.0}
        for d in extractor.taxonomy.domains
    ]


def _budget(text: str, _slots: dict, _now) -> dict:
    budget = text_extractor().parse_budget(text)
    if not budget:
        raise AnswerError("budget_unparsed")
    return budget


def _timeline(text: str, _slots: dict, now: datetime | None) -> dict:
    timeline = text_extractor().parse_timeline(text, now=now)
    if not timeline:
        raise AnswerError("timeline_unparsed")
    return timeline


def _coop_mode(text: str, _slots: dict, _now) -> list[str]:
    if text in COOP_MODES:
        return [text]
    modes = list(text_extractor().parse_coop_modes(text) or [])
    found = [mode for mode, pattern in _COOP_PLAIN if pattern.search(text)]
    if modes:
        # "技术咨询，再加上检测": a plain word joined to a named mode adds its mode.
        extra = [m for m in found if m not in modes and _JOINED.search(text)]
        return list(dict.fromkeys([*modes, *extra]))
    if found:
        return list(dict.fromkeys(found))
    if _OTHER.search(text):
        return ["其他"]
    raise AnswerError("coop_unparsed")


_JOINED = re.compile(r"再加上?|加上|还有|另外|以及|同时|外加|顺便")
# Plain words for the answer to the cooperation question, when the extraction found no mode name in it.
_COOP_PLAIN: tuple[tuple[str, re.Pattern], ...] = (
    (
        "技术开发(合作开发)",
        re.compile(r"一起(?:搞|做|弄|研发|开发)|联合|共同(?:研发|开发)|跟专家一起|也参与"),
    ),
    (
        "技术开发(委托开发)",
        re.compile(
            r"找人(?:做|整|弄|搞)|帮(?:我们|我)?(?:找人)?(?:做|开发|搞|整|弄)|外包|委[托拖脱]|(?:我们|我|俺们|俺)出钱|包给"
        ),
    ),
    ("技术咨询", re.compile(r"看看|指导|出(?:个)?主意|出(?:个)?方案|教(?:教|一下)?|培训|咨询|把把关|给建议")),
    ("技术服务", re.compile(r"检测|测试|化验|分析一下|做实验|代加工|运维")),
    ("技术转让", re.compile(r"买(?:个|下)?(?:现成|技术|专利)|现成的|直接用|转让")),
)


def _ip_preference(text: str, _slots: dict, _now) -> str:
    if is_skip(text) or is_deferral(text):
        return SKIPPED
    found = text_extractor().parse_ip_preference(text)
    if found:
        return found
    plain = [(m.start(), value) for value, pattern in _IP_PLAIN for m in [pattern.search(text)] if m]
    if plain:
        return min(plain)[1]  # "归我们…也可以商量": what is said first is the preference
    if re.search(
        r"没(?:有|啥|什么)*(?:特别|具体)?的?要求|无要求|无所谓|都行|随便|不在乎|都可以|不用管|不管|你们定|不懂",
        text,
    ):
        return SKIPPED
    raise AnswerError("ip_unparsed")


_DEICTIC_REGIONS = frozenset({"本地", "当地", "附近", "周边", "本省", "本市", "省内", "市内"})
_PROVINCE_WORDS = frozenset({"本省", "省内"})


# "农业大学", "理工类大学": a kind of university, not one university's name.
_KIND_OF_UNIVERSITY = re.compile(
    r"(?:农业|林业|农林|医科|医学|理工|师范|工业|科技|交通|财经|海洋|石油|电子|中医药|航空|水利|化工|综合)类?(?:大学|高校|院校)"
)


# 高效 (efficient) is what dictation and pinyin keyboards write for 高校 when it stands where a partner does
# ("山东的高效吧", "最好是高效 同济那种的"); before a noun it keeps its meaning ("高效节能").
_HOMOPHONE_UNIVERSITY = re.compile(
    r"(?:(?<=[的是找个或和、\s])|^)高效(?=$|[,，。;；、\s吧啊呀呢或和还老]|(?:或者|还是|都|就|也|优先|为主|那种))"
)


def partner_of(text: str, slots: dict[str, Any] | None = None, *, answer: bool = False) -> dict:
    """Partner preference read from `text` ("或者" is a conjunction). 省内 / 本地 name the enterprise's own province
    or city when its name or the user's description places it ("武汉这边…" + "省内的就行" → 湖北), and nothing
    otherwise, or beside a region named in the same answer ("深圳本地的高校" is 深圳)."""
    # "老师傅" is a skilled worker, not a teacher of a university.
    text = re.sub(r"老?师傅", "", text)
    text = _HOMOPHONE_UNIVERSITY.sub("高校", text)
    partner = text_extractor().parse_partner(re.sub(r"或者|或是|还是", "或", text), answer=answer)
    names = [
        n
        for n in partner.get("names") or []
        if not re.fullmatch(r"[\u4e00-\u9fff]{0,3}学院", n) and not _KIND_OF_UNIVERSITY.fullmatch(n)
    ]
    regions = [r for r in partner.get("regions") or [] if r not in _DEICTIC_REGIONS]
    deictic = [r for r in partner.get("regions") or [] if r in _DEICTIC_REGIONS]
    if deictic and not regions:
        slots = slots or {}
        home = home_place(
            str(slots.get("enterprise_name") or "") or None, text, str(slots.get("need_description") or "")
        )
        if home:
            wide = any(r in _PROVINCE_WORDS for r in deictic)
            region = home.get("province") if wide or not home.get("city") else home["city"]
            if region:
                regions.append(region)
    return {"types": list(partner.get("types") or []), "names": names, "regions": regions}


_REGION_OPEN = re.compile(
    r"(?:地区|地域|地方|哪里|哪儿|在哪|省份|区域)(?:都)?(?:不限|无所谓|都行|都可以|没要求)|不限(?:地区|地域|区域)"
)


def _partner_preference(text: str, slots: dict, _now) -> dict | str:
    if is_skip(text) or is_deferral(text):
        return SKIPPED
    partner = partner_of(text, slots, answer=True)
    # "高校，地区不限": the type is said and only the region is open.
    region_open = _REGION_OPEN.search(text) and (partner["types"] or partner["names"])
    if _NOT_LIMITED.search(text) and "不限" not in partner["types"] and not region_open:
        partner["types"].append("不限")
    if not any(partner.values()):
        raise AnswerError("partner_unparsed")
    return partner


def _enterprise_name(text: str, _slots: dict, _now) -> str:
    name = find_organisation(strip_talk(text), bare_ok=True)
    if not name:
        raise AnswerError("not_organisation")
    return name[: SLOT_MAX_CHARS["enterprise_name"]]


def _contact_name(text: str, _slots: dict, _now) -> str:
    name = find_person(strip_talk(text), bare_ok=True)
    if not name:
        raise AnswerError("not_person")
    if len(name) > PERSON_MAX_CHARS:
        raise AnswerError("name_too_long")
    return name


# Plain words for the IP question, when the extraction found no class in the answer.
_IP_PLAIN: tuple[tuple[str, re.Pattern], ...] = (
    (
        "归企业所有",
        re.compile(
            r"归我(?:们|门|方|司)|我们(?:所有|own|拥有)|必须(?:是)?我们|归企业|归公司|归厂|我方所有|我们的"
        ),
    ),
    ("双方共有", re.compile(r"共有|共享|双方|一起(?:拥有|所有)|一人一半")),
    ("归研发方所有", re.compile(r"归(?:对方|你们|高校|研发方|学校|专家)")),
    ("协商确定", re.compile(r"商量|协商|再谈|可以谈|好说")),
)


def _contact_phone(text: str, _slots: dict, _now) -> str:
    text = spoken_digits(text)  # "一三八 二零一六 七七四五"
    phone = normalize_phone(text)
    if phone:
        return phone
    phones = find_phones(text)
    if phones:
        return phones[0]
    landline = find_landline(text)
    if landline:
        return landline  # staff can call a landline too; it is kept as typed, with its extension
    raise AnswerError("phone_invalid")


def _contact_email(text: str, _slots: dict, _now) -> str:
    emails = find_emails(text)
    if emails:
        return emails[0]
    if is_skip(text) or is_deferral(text) or _DECLINE_OPTIONAL.search(text):
        return SKIPPED
    email = normalize_email(text)
    if not email:
        raise AnswerError("email_invalid")
    return email


_PARSERS = {
    "need_description": _need_description,
    "need_title": _need_title,
    "tech_targets": _optional_text,
    "tech_domain": _tech_domain,
    "budget": _budget,
    "timeline": _timeline,
    "coop_mode": _coop_mode,
    "ip_preference": _ip_preference,
    "partner_preference": _partner_preference,
    "enterprise_name": _enterprise_name,
    "contact_name": _contact_name,
    "contact_phone": _contact_phone,
    "contact_email": _contact_email,
}
