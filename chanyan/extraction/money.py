"""拟投入资金: the amount meant as the project's funds, told apart from the other amounts of a message.

Every amount is a candidate; what the words before it say decides what it is:
  - a label of the project's funds (预算, 拟投入经费, 研发投入, 榜单金额, 合同金额, 项目资金 …) makes it a budget,
    and labelled budgets win over the rest;
  - a unit cost or price (吨处理成本≤60元, 每件0.5元, 电价0.6元/度, 售价), a count or output (存栏三千来头, 年产40万吨),
    a loan or financing (贷款300万, 融资5000万), revenue or company size (年产值2亿, 注册资本), a salary, a subsidy
    applied for or money already spent (去年研发投入) is never the budget;
  - a plain amount with a money unit counts when nothing better is said.
JioNLP reads the amount itself (with fixes for the colloquial ranges it gets wrong); foreign currencies are
converted with the dated rate table in currency.yml.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from chanyan.domain.money import TEN_THOUSAND
from chanyan.domain.numerals import CHINESE_DIGIT_CHARS, ELIDED_DIGIT_END, expand_elided, read_range
from chanyan.taxonomy import CURRENCY_PATH

from .jio import jionlp
from .textnorm import Normalized, as_normalized

_JIO_LOCK = threading.Lock()

logger = logging.getLogger(__name__)

_CN_DIGITS = CHINESE_DIGIT_CHARS + "几"
_NUM = rf"(?:\d+(?:\.\d+)?|大?[{_CN_DIGITS}]+)(?:多|来|余|(?<=[十百千万])把)?"
# M: "1M RMB", a million (never metres: m); 个 before 万/w is the spoken measure word ("二三十个w").
_MAG = r"(?:个?万|千|百万|千万|个?亿|个?[wW](?![wWhH])|[kK](?![wWhH])|M(?![a-zA-Z]))"
_CNY = r"(?:元人民币|元|块钱|块|人民币|RMB|rmb|CNY|cny)"
# 三万五, 5万5: a digit after 万 or 千 whose own unit is left unsaid (three and a half 万).
_ELIDED_DIGIT = rf"(?:(?<=[万千])[1-9一二两三四五六七八九]{ELIDED_DIGIT_END})"
# "最多出八十万", "顶多能给五十万": a bound with the verb of paying after it.
_PAY_VERB = r"(?:能|可以)?(?:出|给|拿出|拿|投入|投|花)"
_PREFIX = (
    rf"(?:(?:最多|至多|最高|顶多|至少|起码){_PAY_VERB}|不超过|不高于|不多于|不少于|不低于|不到|最多|至多|最高|顶多|上限|封顶|控制在|"
    r"大概|大约|约|差不多|预计|至少|起码|超过|多于|逾|近|小(?=[一二两三四五六七八九十百千\d])|≤|<=|<|≥|>=|>)"
)
_SUFFIX = r"(?:以内|以下|之内|内|封顶|为限|左右|上下|出头|以上|起|多)"
_RANGE_SEP = r"(?:-|~|～|—|–|到|至)"
# A number followed by a unit of count or measure (1万次, 3000小时, 5万吨, 1.2万头, 3万平方米) is not money.
_NOT_MONEY_AFTER = (
    # a count unit after the number (3万台, 500吨), not a word that starts with one (300万项目经费, 3万欧元支持)
    # and never a duration said next ("五十万两年内做完" is 50万 in two years)
    r"(?!(?!出头)(?![一二两三四五六七八九十半][年天周]|[一二两三四五六七八九十半]个月)[\u4e00-\u9fa5]?(?:次|小时|个|件|台|套|吨|亩|平(?!台|均)|米|人|片|颗|只|条|公里|公顷|公斤|千克|克|转|伏|瓦|包|"
    r"方(?!案|面|式|法|向)|度|级|倍|年|天|张|份|头|枚|户|家(?!电|居|具)|辆|单(?!独|价)|例|批|支(?!持|付|援|撑|出)|瓶|株|尾|羽|箱|"
    r"立方|升|坪|盒|袋|罐|粒|名(?!义)|座|所|项(?!目)|篇|字|字节|像素|帧|步|行(?!业|动|政)|册))"
)
_BUDGET_CUE = re.compile(
    r"[Bb]udget|预算|经费|资金|费用|投入|价格|报价|出资|花|钱|成本|金额|资助|拨款|给到|能出"
)

# Cues in the clause before an amount, nearest one deciding. Longer phrases come first so that 奖励资金 is read
# as a subsidy, not as 资金.
_NOT_BUDGET = (
    r"(?P<past>去年|前年|上年|累计|历年|年均|近[一二三四五六七八九十\d]+年|已经?投入|已经花|花了|投了|砸了|曾|"
    # 科研经费 alone is a lab's yearly income; 其中科研经费, 项目科研经费 are this project's funds.
    r"(?<!其中)(?<!项目)(?<!本次)(?<!合作)科研经费|横向经费|纵向经费|研发支出|支出)"
    r"|(?P<subsidy>(?<!项目)专项资金|引导基金|产业基金|奖励资金|补贴资金|补助资金|奖补资金|奖励|补贴|补助|补偿|奖补|抵减|返点)"
    r"|(?P<loan>贷款|贷|借款|借|授信|抵押|额度|融资|募资|融资租赁|投资人|估值|市值)"
    r"|(?P<revenue>(?:一年|每年|年度|全年|年均|公司|集团|全公司)的?(?:研发|科研)?(?:投入|经费|费用|支出|预算)|产值|营收|营业收入|营业额|销售额|销售收入|收入|收益|利润|创收|注册资本|资产|总值|年产|年销售|出货)"
    # 粉丝二十多万, 用户十万: how many people follow or use something
    r"|(?P<count>粉丝|用户|会员|订阅|关注|播放量|下载量|访问量|日活|月活|人口)"
    r"|(?P<salary>月薪|年薪|日薪|时薪|薪资|薪水|工资|待遇|底薪|薪酬)"
    r"|(?P<unit>单价|单台|单套|单次|单艘|单片|单只|单个|单位成本|售价|出厂价|批发价|零售价|收购价|市场价|进口价|均价|"
    r"造价|电价|气价|水价|油价|报价|价格|价|成本|每\S{0,4}|一(?:吨|件|只|个|片|支|斤|公斤|平米|平方|方)(?:要|得|就)?|月费|年费|电费|燃气费|费用(?=约?每)|处置费|处理费|用水费|水费|用电费|能耗费|运维费|维护费|运营费|人工费|"
    r"清运费|运费|节省|节约|省下|损失|罚款|赔偿)"
)
_BUDGET_STRONG = (
    r"研发(?:这块|这一块|部分|方面)|预算|拟投入|计划投入|预计投入|投入经费|投入资金|研发投入|研发资金|研发经费|研发费用|开发费用|研制经费|项目经费|"
    r"项目资金|项目预算|课题经费|计划经费|计画经费|总经费|合作经费|合同金额|合同额|合同价|榜单金额|揭榜金额|揭榜资金|"
    r"攻关经费|资助|出资|最高限价|限价|咨询费用|服务费用|采购预算|经费|能出|给到|愿意出|拿出"
)
_BUDGET_WEAK = r"投入|资金|费用|金额|总投资|投资|总价|总额|花|钱"
_CUES = re.compile(rf"{_NOT_BUDGET}|(?P<strong>{_BUDGET_STRONG})|(?P<weak>{_BUDGET_WEAK})")
# A label right before the amount that makes a 面议 / 待定 the budget's answer.
_BUDGET_LABEL = re.compile(rf"(?:{_BUDGET_STRONG}|投入|资金|费用|金额)\s?[:：】\]]?\s?$")
_CLAUSE_END = "，,。；;！!？?\n|"

NEGOTIABLE = re.compile(
    r"面议|面谈|可以谈|可谈|好商量|可商量|可以商量|可商议|再议|再商量|商量着来|看方案(?:定|报价)?|看报价|按项目定|价格好说"
    # "看效果再说", "小试完了再定": the money is settled once a first result is seen
    r"|(?:钱|预算|经费|费用|资金|价钱)(?:方面|上|的事)?(?:不是问题|不成问题|都不是事|好说|不设限)"
    r"|看(?:效果|结果|情况|进展|进度)(?:再说|再定|再谈|而定|定)|视(?:效果|情况|进展)而定|(?:小试|试验|试点|试用|先试)[^，,。；;]{0,6}再(?:说|定|谈)"
)
UNKNOWN = re.compile(
    r"暂不确定|暂时不确定|不确定|还没定|没定|待定|还没想好|没想好|不清楚|不好说|说不准|还没有预算|没预算|没有预算|未定"
)
# "时间还没定" answers another question, even when short.
_OTHER_SLOT_CUE = re.compile(
    r"时间|时限|日期|周期|工期|什么时候|合作方式|方式|知识产权|专利|归属|合作方|单位|联系人|电话|待遇|薪"
)
NEGOTIABLE_SHORT = (
    16  # a bare "面议" / "还没定" is a budget answer only in a short reply or next to a budget cue
)
LEFT_WINDOW = 16  # characters of the clause before an amount that say what it is

STRONG, WEAK, PLAIN = (
    3,
    2,
    1,
)  # how a candidate is labelled: a label of the project's funds, a weak cue, nothing


@dataclass(frozen=True)
class Currency:
    """A foreign currency with a fixed rate to CNY, valid as of a date."""

    code: str
    rate: float
    names: tuple[str, ...]
    as_of: str | None = None


@lru_cache(maxsize=4)
def load_currencies(path: Path | str = CURRENCY_PATH) -> tuple[Currency, ...]:
    """Currencies from the rates data file (`as_of` date and `rates`; format documented at its top)."""
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh) or {}
    as_of = raw.get("as_of")
    rates = raw.get("rates", raw if "as_of" not in raw else {})
    return tuple(
        Currency(
            str(code),
            float(spec["rate"]),
            tuple(str(n) for n in spec.get("names") or ()),
            str(as_of) if as_of is not None else None,
        )
        for code, spec in rates.items()
    )


def _currency_pattern(currencies: tuple[Currency, ...]) -> str:
    names = sorted({n for c in currencies for n in c.names}, key=len, reverse=True)
    return "(?:" + "|".join(re.escape(n) for n in names) + ")" if names else "(?!x)x"


@lru_cache(maxsize=4)
def _span_regex(currency_pattern: str) -> re.Pattern:
    amount = rf"{_NUM}\s?{_MAG}?"
    unit = rf"(?:{_MAG}{_ELIDED_DIGIT}?\s?(?:{_CNY}|{currency_pattern})?|{_CNY}|{currency_pattern})"
    core = rf"(?:{amount}\s?{_RANGE_SEP}\s?)?{_NUM}\s?{unit}"
    dollar = rf"(?:\$|US\$|USD\s?)\s?{_NUM}\s?{_MAG}?"
    # 港币350万元, 新台币800万, 人民币50万: the currency before the number.
    before = rf"(?P<before>{currency_pattern}|人民币|RMB)\s?(?:{amount}\s?{_RANGE_SEP}\s?)?{_NUM}\s?(?:{_MAG}\s?元?|元)?"
    return re.compile(
        rf"(?P<prefix>{_PREFIX})?\s?(?P<core>{dollar}|{before}|{core}){_NOT_MONEY_AFTER}(?P<suffix>{_SUFFIX})?"
    )


def _colloquial_range(core: str) -> tuple[float, float] | None:
    """三五十万 → 30–50万, 两三百万 → 200–300万, 七八千 → 7–8千 (JioNLP reads these wrongly); a bare 两三 is no
    amount."""
    if not re.search(r"[十百千万亿]$", core):
        return None
    return read_range(core)


_SPECIAL = {
    re.compile(r"^大?几十万$"): (100_000, 900_000),
    re.compile(r"^大几十万$"): (500_000, 1_000_000),
    re.compile(r"^十来万$"): (100_000, 150_000),
    re.compile(r"^几万$"): (10_000, 90_000),
    re.compile(r"^几百万$"): (1_000_000, 9_000_000),
}


def _jio_money(core: str) -> tuple[float, float] | None:
    try:
        with _JIO_LOCK:  # the parser keeps each call's settings on one shared instance
            parsed = jionlp().parse_money(core)
    except Exception:  # JioNLP raises ValueError and others on strings it cannot read
        return None
    num = parsed.get("num")
    if isinstance(num, list):
        return float(num[0]), float(num[1])
    return float(num), float(num)


def _to_jio_form(core: str, currency: Currency | None) -> str:
    core = re.sub(r"\s", "", core)
    core = re.sub(r"^(?:US\$|USD|\$|人民币|RMB)", "", core)
    if currency is not None:
        for name in sorted(currency.names, key=len, reverse=True):
            core = core.replace(name, "")
    if core[:1] in ("百", "千", "万", "亿"):  # 百万以内 → 一百万
        core = "一" + core
    core = re.sub(r"个(?=[万亿wW])", "", core)
    core = expand_elided(re.sub(r"(\d+)([万千])(\d)(?=(?:元|块钱|块)?$)", r"\1.\3\2", core))  # 5万5 → 5.5万
    core = re.sub(r"(?<=[\d几十百千来把])[wW]", "万", core)
    core = re.sub(r"(?<=[\d])[kK]", "千", core)
    core = re.sub(r"(?<=[\d])M", "百万", core)
    core = re.sub(r"(?:元人民币|块钱|块|人民币|RMB|rmb|CNY|cny)$", "元", core)
    core = core.replace("~", "-").replace("～", "-").replace("—", "-").replace("–", "-").replace("至", "到")
    if not core.endswith(("元", "万", "千", "亿", "百")):
        core += "元"
    return core


def _find_currency(core: str, currencies: tuple[Currency, ...]) -> Currency | None:
    if core.lstrip().startswith(("$", "US$", "USD")):
        return next((c for c in currencies if c.code == "USD"), None)
    best = None
    for currency in currencies:
        for name in currency.names:
            if name in core and (best is None or len(name) > best[0]):
                best = (len(name), currency)
    return best[1] if best else None


def _amounts(core: str, currency: Currency | None) -> tuple[float, float] | None:
    jio_form = _to_jio_form(core, currency)
    bare = jio_form[:-1] if jio_form.endswith("元") else jio_form
    colloquial = _colloquial_range(bare)
    if colloquial:
        return colloquial
    for pattern, bounds in _SPECIAL.items():
        if pattern.match(bare):
            return float(bounds[0]), float(bounds[1])
    # "几十万到一百万": a loose lower end read on its own, the upper end by JioNLP.
    ends = re.split(r"-|到", bare, maxsplit=1)
    if len(ends) == 2:
        low = next((b[0] for p, b in _SPECIAL.items() if p.match(ends[0])), None)
        high = _jio_money(ends[1] + ("元" if jio_form.endswith("元") else "")) if low is not None else None
        if low is not None and high is not None and high[1] > low:
            return float(low), high[1]
    amounts = _jio_money(jio_form)
    if amounts is None:
        return None
    low, high = amounts
    # "50-80万": JioNLP applies the unit to both ends; "5000-8万" stays as read.
    return (low, high) if low <= high else (high, low)


_LOWER = ("至少", "不低于", "不少于", "起码", "超过", "多于", "逾", "≥", ">=", ">")
_UPPER = (
    "不超过",
    "不高于",
    "不多于",
    "不到",
    "最多",
    "至多",
    "最高",
    "顶多",
    "上限",
    "封顶",
    "控制在",
    "≤",
    "<=",
    "<",
)
_APPROX = ("大概", "大约", "约", "差不多", "预计", "近", "小")
# English bounds before an amount ("up to 500k RMB", "at least $20k", "around 1M").
_ENGLISH_PREFIX = (
    (
        re.compile(
            r"(?:up to|at most|no more than|not more than|max(?:imum)?|under|below|within|less than|capped at)\s*$",
            re.I,
        ),
        "最多",
    ),
    (re.compile(r"(?:at least|no less than|minimum|min|over|more than|from)\s*$", re.I), "至少"),
    (re.compile(r"(?:around|about|approx(?:imately)?|roughly|circa|~)\s*$", re.I), "约"),
)
# "这个项目能拿出…", "这次拨得出…": the amount meant for this project, ahead of other labelled sums.
_THIS_PROJECT = re.compile(r"这个项目|本项目|该项目|此项目|这次|这回|今次|这块|这一块|这个需求|本次|单独")


def _kind(
    prefix: str, suffix: str, low: float, high: float, left: str
) -> tuple[str, float | None, float | None]:
    prefix = re.sub(rf"{_PAY_VERB}$", "", prefix) or prefix  # 最多出 → 最多
    if prefix in _LOWER or suffix in ("以上", "起"):
        return "range", low, None
    if (
        prefix in _UPPER
        or suffix in ("以内", "以下", "之内", "内", "封顶", "为限")
        or re.search(r"(?:最高限价|限价)$", left)
    ):
        return "upper_bound", None, high
    if low != high:
        return "range", low, high
    if prefix in _APPROX or suffix in ("左右", "上下", "出头", "多"):
        return "approx", low, high
    return "exact", low, high


def _left(text: str, start: int) -> str:
    """The clause before `start` (labels such as "预算：" stay; a comma or a full stop ends it)."""
    begin = start
    while begin > 0 and start - begin < LEFT_WINDOW and text[begin - 1] not in _CLAUSE_END:
        begin -= 1
    return text[begin:start]


def amount_role(text: str, start: int, end: int | None = None) -> tuple[int, str | None]:
    """What the words before the amount at text[start:] make of it: (STRONG | WEAK | PLAIN, None) for a
    possible budget, or (0, reason) for an amount that is not one (unit, revenue, loan, salary, subsidy, past)."""
    left = _left(text, start)
    if re.search(r"(?:融|贷|借|募)$", left):
        return 0, "loan"
    if end is not None and re.match(
        r"\s?(?:/(?![\u4e00-\u9fa5]{2,8}[:：]|【|\s|$)|[1-9二两三四五六七八九]?(?:每|一(?:套|台|件|只|个|吨|片|支|次)(?![\u4e00-\u9fa5])))",
        text[end : end + 12],
    ):
        return 0, "unit"
    last = None
    for cue in _CUES.finditer(left):
        if cue["past"]:  # 去年研发投入, 累计经费: money already spent, whatever cue follows
            return 0, "past"
        if cue["weak"] and last is not None and last["strong"]:
            continue  # "拟投入资金", "项目预算总额": a weak word after the label does not weaken it
        last = cue
    if last is None:
        return PLAIN, None
    if last["strong"]:
        return STRONG, None
    if last["weak"]:
        return WEAK, None
    return 0, next(name for name, value in last.groupdict().items() if value)


def _budget_context(text: str, start: int) -> bool:
    return bool(_BUDGET_CUE.search(text[max(0, start - 12) : start + 20]))


def _right_label(text: str, end: int) -> bool:
    """ "50万的预算", "30万经费": the label comes after the amount."""
    return bool(re.match(r"(?:元|块)?(?:的)?(?:预算|经费|研发费用|研发资金)", text[end : end + 6]))


def budget_candidates(
    norm: Normalized, strict: bool = False, currencies: tuple[Currency, ...] | None = None
) -> list[tuple[int, int, dict]]:
    """Every amount of the message that may be the budget: [(rank, start, budget dict)], in text order."""
    text = norm.text
    currencies = currencies if currencies is not None else load_currencies()
    regex = _span_regex(_currency_pattern(currencies))
    found = []
    for match in regex.finditer(text):
        core = match["core"]
        if not re.search(r"\d|[一二两三四五六七八九十几]|^[百千]万|^[百千万]把", core):
            continue
        start = match.start()
        rank, _ = amount_role(text, start, match.end())
        if _right_label(text, match.end()):
            rank = STRONG
        if rank == 0:
            continue
        currency = _find_currency(core, currencies)
        money_unit = currency is not None or re.search(r"[万亿元块]|RMB|CNY|\$", core, re.I)
        shorthand = (
            re.search(r"\d\s?[wWkK]", core)
            and not re.search(r"[万千亿元块]|RMB|CNY", core, re.I)
            and currency is None
        )
        short_answer = len(text) <= NEGOTIABLE_SHORT
        # "50w以内", "30w左右": a bound or an approximation says 万-shorthand is a sum of money ("5k以内" may be rpm).
        bounded = re.search(r"\d\s?[wW]", core) and (match["suffix"] or "") in (
            "以内",
            "以下",
            "之内",
            "封顶",
            "为限",
            "左右",
            "上下",
        )
        if (
            shorthand
            and not bounded
            and (strict or not short_answer)
            and rank < STRONG
            and not _budget_context(text, start)
        ):
            continue
        # 三千, 五百: a bare number with no money unit is a budget only when labelled or as a short answer.
        if not money_unit and not shorthand and rank < STRONG and (strict or not short_answer):
            continue
        # 三十来万: about thirty (十来万 stays the range its special form gives).
        # 百把万, 千把块: about one of that unit.
        about = re.search(
            r"(?<=[十百千\d])来(?=\s?个?[万千百亿元块wW])|(?<=[十百千万])把", core
        ) is not None and not core.startswith("十来")
        amounts = _amounts(re.sub(r"[来把]", "", core) if about else core, currency)
        if amounts is None:
            continue
        low, high = amounts
        rate = currency.rate if currency else 1.0
        left = _left(text, start)
        prefix = match["prefix"] or ("约" if about else "")
        if not prefix:
            prefix = next((word for pattern, word in _ENGLISH_PREFIX if pattern.search(left)), "")
        kind, lo, hi = _kind(prefix, match["suffix"] or "", low * rate, high * rate, left)
        # A sum under 1000 元 with no budget cue nearby is a price or a quantity, not a budget.
        if (hi or lo or 0) < 1000 and rank < STRONG and not _budget_context(text, start):
            continue
        budget = {
            "min_cny": None if lo is None else int(round(lo)),
            "max_cny": None if hi is None else int(round(hi)),
            "kind": kind,
            "text": norm.original_text(match.start(), match.end()).strip(),
        }
        if currency is not None:
            budget["currency"] = {"code": currency.code, "rate": currency.rate, "as_of": currency.as_of}
        if rank == STRONG and _THIS_PROJECT.search(left):
            rank = STRONG + 1
        found.append((rank, match.start(), budget))
    found.extend(_spoken_wan(norm, strict, [start for _, start, _ in found]))
    return found


# "不超过两百个", "五十个左右吧": in money talk 个 stands for 万 (the measure word of 万元 left out). Read so only where
# the sum is plainly money: the short answer to the budget question, or after a word of funds ("钱的话五十个").
_WAN_COUNT = rf"(?:\d+|[{_CN_DIGITS}]*[十百千][{_CN_DIGITS}]*|[一二两三四五六七八九]{{1,2}})"
_SPOKEN_WAN = re.compile(
    rf"(?P<prefix>{_PREFIX})?(?P<num>(?:{_WAN_COUNT}个?\s?{_RANGE_SEP}\s?)?{_WAN_COUNT})(?P<about>来|多)?个"
    rf"(?P<suffix>{_SUFFIX})?(?=吧|啊|的样子|$|[，,。；;！!\s])"
)


def _spoken_wan(norm: Normalized, strict: bool, taken: list[int]) -> list[tuple[int, int, dict]]:
    text = norm.text
    found = []
    for match in _SPOKEN_WAN.finditer(text):
        if any(match.start() <= start < match.end() for start in taken):
            continue
        rank, _ = amount_role(text, match.start(), match.end())
        short_answer = not strict and len(text) <= NEGOTIABLE_SHORT
        if rank < WEAK and not short_answer:
            continue
        amounts = _amounts(match["num"].replace("个", "") + "万", None)  # 八十个到一百个 → 八十到一百万
        # "两个", "一共三个" alone are counts; tens of 万 are what this slang names
        if amounts is None or (rank < WEAK and amounts[1] < 10 * TEN_THOUSAND):
            continue
        low, high = amounts
        prefix = match["prefix"] or ("约" if match["about"] else "")  # 一百来个: about a hundred
        kind, lo, hi = _kind(prefix, match["suffix"] or "", low, high, _left(text, match.start()))
        budget = {
            "min_cny": None if lo is None else int(round(lo)),
            "max_cny": None if hi is None else int(round(hi)),
            "kind": kind,
            "text": norm.original_text(match.start(), match.end()).strip(),
        }
        found.append((max(rank, PLAIN), match.start(), budget))
    return found


def _no_amount(norm: Normalized) -> tuple[int, int, dict] | None:
    """面议 / 暂不确定 as the budget's answer: after a budget label, next to a budget cue, or as a short reply."""
    text = norm.text
    for pattern, kind in ((NEGOTIABLE, "negotiable"), (UNKNOWN, "unknown")):
        for found in pattern.finditer(text):
            labelled = _BUDGET_LABEL.search(_left(text, found.start()))
            short_answer = len(text) <= NEGOTIABLE_SHORT and not _OTHER_SLOT_CUE.search(text)
            if (
                labelled
                or short_answer
                or (
                    _budget_context(text, found.start())
                    and not _OTHER_SLOT_CUE.search(_left(text, found.start()))
                )
            ):
                span = norm.original_text(found.start(), found.end())
                entry = {"min_cny": None, "max_cny": None, "kind": kind, "text": span}
                return (STRONG if labelled else PLAIN), found.start(), entry
    return None


def parse_budget(
    text: str | Normalized, strict: bool = False, currencies: tuple[Currency, ...] | None = None
) -> dict | None:
    """The budget of `text` as {"min_cny","max_cny","kind","text"} (+ "currency" for a foreign amount), or None.

    Args:
        text: a user message (raw or already normalized); "text" in the result is the user's own wording.
        strict: when True (rich messages), "面议"/"还没定", "30w"-style shorthand and bare numbers count only next
            to a budget cue, so "时间还没定", "30W激光器" or "存栏三千来头" are not read as a budget.
        currencies: exchange rates (default: the packaged currency.yml).
    """
    norm = as_normalized(text)
    if not norm.text:
        return None
    candidates = budget_candidates(norm, strict=strict, currencies=currencies)
    answer = _no_amount(norm)
    if answer is not None and (answer[0] == STRONG or not candidates):
        candidates.append(answer)
    if not candidates:
        return None
    best = max(candidates, key=lambda c: (c[0], -c[1]))
    return best[2]
