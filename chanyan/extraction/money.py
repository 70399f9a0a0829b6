"""拟投入资金: find a budget span, then parse it with JioNLP (fixing the colloquial ranges it gets wrong)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

from chanyan.taxonomy import CURRENCY_PATH

from .jio import jionlp
from .textnorm import normalize

logger = logging.getLogger(__name__)

_CN_DIGITS = "零〇一二两三四五六七八九十百千万亿几"
_NUM = rf"(?:\d+(?:\.\d+)?|大?[{_CN_DIGITS}]+)(?:多|来|余)?"
_MAG = r"(?:万|千|百万|千万|亿|[wWkK](?![wWhH]))"
_CNY = r"(?:元|块钱|块|人民币|RMB|rmb|CNY|cny)"
_PREFIX = (
    r"(?:不超过|不高于|不多于|不到|最多|至多|上限|封顶|控制在|大概|大约|约|差不多|预计|至少|不低于|起码)"
)
_SUFFIX = r"(?:以内|以下|之内|内|左右|上下|出头|以上|起|多)"
_RANGE_SEP = r"(?:-|~|～|—|–|到|至)"
_BUDGET_CUE = re.compile(r"预算|经费|资金|费用|投入|价格|报价|出资|花|钱|成本|金额|资助|拨款|给到|能出")

NEGOTIABLE = re.compile(
    r"面议|面谈|可以谈|可谈|好商量|可商量|可以商量|可商议|再议|再商量|商量着来|看方案(?:定|报价)?|看报价|按项目定|价格好说"
)
UNKNOWN = re.compile(
    r"暂不确定|暂时不确定|不确定|还没定|没定|待定|还没想好|没想好|不清楚|不好说|说不准|还没有预算|没预算|没有预算|未定"
)
# "时间还没定" answers another question, even when short.
_OTHER_SLOT_CUE = re.compile(
    r"时间|时限|日期|周期|工期|什么时候|合作方式|方式|知识产权|专利|归属|合作方|单位|联系人|电话"
)
NEGOTIABLE_SHORT = (
    16  # a bare "面议" / "还没定" is a budget answer only in a short reply or next to a budget cue
)


@dataclass(frozen=True)
class Currency:
    """A foreign currency with a fixed rate to CNY."""

    code: str
    rate: float
    names: tuple[str, ...]


@lru_cache(maxsize=4)
def load_currencies(path: Path | str = CURRENCY_PATH) -> tuple[Currency, ...]:
    """Currencies from the rates data file."""
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh) or {}
    return tuple(
        Currency(code, float(spec["rate"]), tuple(str(n) for n in spec.get("names") or ()))
        for code, spec in raw.items()
    )


def _currency_pattern(currencies: tuple[Currency, ...]) -> str:
    names = sorted({n for c in currencies for n in c.names}, key=len, reverse=True)
    return "(?:" + "|".join(re.escape(n) for n in names) + ")"


@lru_cache(maxsize=4)
def _span_regex(currency_pattern: str) -> re.Pattern:
    amount = rf"{_NUM}\s?{_MAG}?"
    unit = rf"(?:{_MAG}\s?(?:{_CNY}|{currency_pattern})?|{_CNY}|{currency_pattern})"
    core = rf"(?:{amount}\s?{_RANGE_SEP}\s?)?{_NUM}\s?{unit}"
    dollar = rf"(?:\$|US\$|USD\s?)\s?{_NUM}\s?{_MAG}?"
    # A number followed by a unit of count or measure (1万次, 3000小时, 5万吨) is not money.
    not_money = r"(?![\u4e00-\u9fa5]?(?:次|小时|个|件|台|套|吨|亩|平|米|人|片|颗|只|条|公里|转|伏|瓦|包|方|度|级|倍|年|天|张|份))"
    return re.compile(rf"(?P<prefix>{_PREFIX})?\s?(?P<core>{dollar}|{core}){not_money}(?P<suffix>{_SUFFIX})?")


_COLLOQUIAL_RANGE = re.compile(
    r"^(?P<a>[一二两三四五六七八九])(?P<b>[二两三四五六七八九])(?P<unit>十|百|千)?(?P<mag>万|亿)?$"
)
_CN_VALUE = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNIT_VALUE = {"十": 10, "百": 100, "千": 1000, None: 1}
_MAG_VALUE = {"万": 10_000, "亿": 100_000_000, None: 1}


def _colloquial_range(core: str) -> tuple[int, int] | None:
    """三五十万 → 30–50万, 两三百万 → 200–300万, 七八千 → 7–8千 (JioNLP reads these wrongly)."""
    match = _COLLOQUIAL_RANGE.match(core)
    if not match:
        return None
    if match["unit"] is None and match["mag"] is None:
        return None
    scale = _UNIT_VALUE[match["unit"]] * _MAG_VALUE[match["mag"]]
    low, high = _CN_VALUE[match["a"]] * scale, _CN_VALUE[match["b"]] * scale
    return (low, high) if low < high else None


_SPECIAL = {
    re.compile(r"^大?几十万$"): (100_000, 900_000),
    re.compile(r"^大几十万$"): (500_000, 1_000_000),
    re.compile(r"^十来万$"): (100_000, 150_000),
    re.compile(r"^几万$"): (10_000, 90_000),
    re.compile(r"^几百万$"): (1_000_000, 9_000_000),
}


def _jio_money(core: str) -> tuple[float, float] | None:
    try:
        parsed = jionlp().parse_money(core)
    except Exception:  # JioNLP raises ValueError and others on strings it cannot read
        return None
    num = parsed.get("num")
    if isinstance(num, list):
        return float(num[0]), float(num[1])
    return float(num), float(num)


def _to_jio_form(core: str, currency: Currency | None) -> str:
    core = re.sub(r"\s", "", core)
    if core[:1] in ("百", "千", "万", "亿"):  # 百万以内 → 一百万
        core = "一" + core
    core = re.sub(r"^(?:US\$|USD|\$)", "", core)
    if currency is not None:
        for name in sorted(currency.names, key=len, reverse=True):
            core = core.replace(name, "")
    core = re.sub(r"(?<=[\d几十百千])[wW]", "万", core)
    core = re.sub(r"(?<=[\d])[kK]", "千", core)
    core = re.sub(r"(?:块钱|块|人民币|RMB|rmb|CNY|cny)$", "元", core)
    core = core.replace("~", "-").replace("～", "-").replace("—", "-").replace("–", "-").replace("至", "到")
    if not core.endswith(("元", "万", "千", "亿", "百")):
        core += "元"
    return core


def _find_currency(core: str, currencies: tuple[Currency, ...]) -> Currency | None:
    if core.lstrip().startswith(("$", "US$", "USD")):
        return next((c for c in currencies if c.code == "USD"), None)
    for currency in currencies:
        if any(name in core for name in currency.names):
            return currency
    return None


def _amounts(core: str, currency: Currency | None) -> tuple[float, float] | None:
    jio_form = _to_jio_form(core, currency)
    bare = jio_form[:-1] if jio_form.endswith("元") else jio_form
    colloquial = _colloquial_range(bare)
    if colloquial:
        return float(colloquial[0]), float(colloquial[1])
    for pattern, bounds in _SPECIAL.items():
        if pattern.match(bare):
            return float(bounds[0]), float(bounds[1])
    amounts = _jio_money(jio_form)
    if amounts is None:
        return None
    low, high = amounts
    # "50-80万": JioNLP applies the unit to both ends; "5000-8万" stays as read.
    return (low, high) if low <= high else (high, low)


def _kind(
    prefix: str, suffix: str, low: float, high: float, core: str
) -> tuple[str, float | None, float | None]:
    if prefix in ("至少", "不低于", "起码") or suffix in ("以上", "起"):
        return "range", low, None
    if prefix in ("不超过", "不高于", "不多于", "不到", "最多", "至多", "上限", "封顶") or suffix in (
        "以内",
        "以下",
        "之内",
        "内",
    ):
        return "upper_bound", None, high
    if prefix == "控制在":
        return "upper_bound", None, high
    if low != high:
        return "range", low, high
    if prefix in ("大概", "大约", "约", "差不多", "预计") or suffix in ("左右", "上下", "出头", "多"):
        return "approx", low, high
    return "exact", low, high


def _budget_context(text: str, start: int) -> bool:
    return bool(_BUDGET_CUE.search(text[max(0, start - 12) : start + 20]))


def parse_budget(
    text: str, strict: bool = False, currencies: tuple[Currency, ...] | None = None
) -> dict | None:
    """The first budget in `text` as {"min_cny","max_cny","kind","text"}, or None.

    Args:
        text: a user message.
        strict: when True (rich messages), "面议"/"还没定" and "30w"-style shorthand count only next to a budget
            cue (预算, 经费 …), so "时间还没定" or "30W激光器" is not read as a budget.
        currencies: exchange rates (default: the packaged currency.yml).
    """
    text = normalize(text)
    if not text:
        return None
    currencies = currencies if currencies is not None else load_currencies()
    regex = _span_regex(_currency_pattern(currencies))
    for match in regex.finditer(text):
        core = match["core"]
        if not re.search(r"\d|[一二两三四五六七八九十几]", core):
            continue
        currency = _find_currency(core, currencies)
        shorthand = (
            re.search(r"\d\s?[wWkK]", core) and not re.search(r"[万千亿元块]", core) and currency is None
        )
        if (
            shorthand
            and (strict or len(text) > NEGOTIABLE_SHORT)
            and not _budget_context(text, match.start())
        ):
            continue
        amounts = _amounts(core, currency)
        if amounts is None:
            continue
        low, high = amounts
        rate = currency.rate if currency else 1.0
        kind, lo, hi = _kind(match["prefix"] or "", match["suffix"] or "", low * rate, high * rate, core)
        # A sum under 1000 元 with no budget cue nearby is a price or a quantity, not a budget.
        if (hi or lo or 0) < 1000 and not _budget_context(text, match.start()):
            continue
        return {
            "min_cny": None if lo is None else int(round(lo)),
            "max_cny": None if hi is None else int(round(hi)),
            "kind": kind,
            "text": match.group().strip(),
        }
    for pattern, kind in ((NEGOTIABLE, "negotiable"), (UNKNOWN, "unknown")):
        found = pattern.search(text)
        short_answer = len(text) <= NEGOTIABLE_SHORT and not _OTHER_SLOT_CUE.search(text)
        if found and (short_answer or _budget_context(text, found.start())):
            return {"min_cny": None, "max_cny": None, "kind": kind, "text": found.group()}
    return None
