"""需求时限: find a deadline or duration span, then resolve it with JioNLP against the message time."""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta

from .jio import jionlp
from .textnorm import normalize

_CN_NUM = "零〇一二两三四五六七八九十"
_YEAR = rf"(?:今年|明年|后年|本年|\d{{4}}年|[{_CN_NUM}]{{4}}年|\d{{2}}年)"
_MONTH = rf"(?:\d{{1,2}}|[{_CN_NUM}]{{1,3}})月(?:份)?(?:底|末|初|中旬|上旬|下旬|中)?(?:\d{{1,2}}|[{_CN_NUM}]{{1,3}})?(?:日|号)?"
_PART = r"(?:上半年|下半年|年底|年末|年初|年中|年内|[一二三四1-4]季度|第[一二三四]季度|Q[1-4]|q[1-4]|春节|国庆|元旦|五一|中秋|暑假|寒假)"
_REL = r"(?:下个?月|本月底|这个月底|月底|下周|下个?季度|下半年|上半年|年内|年底|年末|今年内|明年内|春节|国庆|元旦|五一|中秋)"
_DEADLINE_SUFFIX = r"(?:之前|以前|前|内|之内|以内|为止|截止|完成|交付|上线|投产|落地|左右|结束)"
_POINT = re.compile(
    rf"(?P<point>{_YEAR}?(?:{_MONTH}|{_PART})|{_YEAR}(?:底|末)|{_YEAR}|{_REL})(?P<suffix>{_DEADLINE_SUFFIX}|要(?:做|完成|上线|交付)?)?"
)
_DURATION = re.compile(
    rf"(?P<num>\d+(?:\.\d+)?|[{_CN_NUM}半几]+)\s?(?P<half>个半)?(?:个)?(?P<unit>月|年|周|星期|礼拜|天|日|季度)(?P<suffix>之内|以内|内|左右|时间|完成|搞定|交付|上线|出成果|出结果)?"
)
_DURATION_CUE = re.compile(r"周期|工期|时间|期限|用|花|需要|希望|争取|计划|预计|控制在|要求|最好|尽量|在")
_RELAXED = re.compile(
    r"不急|不着急|不赶|时间不限|没有时间要求|无时间要求|时间上没要求|时间灵活|时间宽松|慢慢来|时间无所谓"
)
_URGENT = re.compile(
    r"越快越好|尽快|尽早|急需|很急|比较急|挺急|特别急|着急|紧急|加急|马上|立刻|ASAP|asap|(?:^|[，,。；;\s])急(?=[!！。，,]|$)"
)
_NOT_TIME_AFTER = re.compile(r"^(?:的经验|的历史|多的|以上的经验|保质期|寿命|质保|就|后|了|多了|来)")
_BARE_CLAUSE = re.compile(r"(?:^|[，,。；;\s])$")
_NOT_TIME_BEFORE = re.compile(r"(?:成立|创办|做了|干了|寿命|保质期|质保|已经|工作|经验|运行了|用了|有)$")
_PREFIX_FIX = (
    (re.compile(r"[Qq]([1-4])"), lambda m: "第" + "一二三四"[int(m[1]) - 1] + "季度"),
    (re.compile(r"^(今年|明年)?内$"), lambda m: m[1] or "今年"),
    (re.compile(r"^(今年|明年)内$"), lambda m: m[1]),
)
_UNIT_MONTHS = {"月": 1.0, "年": 12.0, "季度": 3.0}
_UNIT_DAYS = {"周": 7, "星期": 7, "礼拜": 7, "天": 1, "日": 1}


def _end_of_month(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _cn_number(token: str) -> float | None:
    if re.fullmatch(r"\d+(?:\.\d+)?", token):
        return float(token)
    if token == "半":
        return 0.5
    if len(token) == 2 and token[0] in "一两二三四五六七八" and token[1] in "两二三四五六七八九":
        token = token[1]  # 两三个月: the upper end
        if token == "两":
            return 2.0
    if "几" in token:
        return None
    digits = {
        "零": 0,
        "〇": 0,
        "一": 1,
        "二": 2,
        "两": 2,
        "三": 3,
        "四": 4,
        "五": 5,
        "六": 6,
        "七": 7,
        "八": 8,
        "九": 9,
    }
    if token == "十":
        return 10.0
    if token.startswith("十"):
        return 10.0 + digits.get(token[1:], 0)
    if token.endswith("十") and len(token) == 2:
        return digits.get(token[0], 0) * 10.0
    if len(token) == 3 and token[1] == "十":
        return digits.get(token[0], 0) * 10.0 + digits.get(token[2], 0)
    if len(token) == 1 and token in digits:
        return float(digits[token])
    return None


def _jio_end(expr: str, now: datetime) -> date | None:
    try:
        parsed = jionlp().parse_time(expr, time_base=now)
    except Exception:  # JioNLP raises on strings it cannot read
        return None
    if parsed.get("type") not in ("time_point", "time_span"):
        return None
    end = parsed["time"][1]
    if not isinstance(end, str) or end.startswith("inf"):
        return None
    return datetime.strptime(end[:10], "%Y-%m-%d").date()


def _resolve_point(expr: str, now: datetime) -> date | None:
    """The last day the expression covers: 明年6月 → 2027-06-30, 年底 → 12-31, 下个月 → end of next month."""
    today = now.date()
    explicit_year = bool(re.search(_YEAR, expr))
    if re.fullmatch(r"下个?月", expr):
        year, month = (today.year + 1, 1) if today.month == 12 else (today.year, today.month + 1)
        return _end_of_month(year, month)
    if expr in ("月底", "这个月底"):
        return _end_of_month(today.year, today.month)
    if expr in ("年底", "年末", "今年年底", "今年年末", "今年底", "今年内", "年内", "本年"):
        return date(today.year, 12, 31)
    if expr in ("明年底", "明年年底", "明年末", "明年内"):
        return date(today.year + 1, 12, 31)
    if expr.endswith("年中"):
        year = today.year + (1 if expr.startswith("明年") else 2 if expr.startswith("后年") else 0)
        return date(year, 6, 30)
    for pattern, repl in _PREFIX_FIX:
        expr = pattern.sub(repl, expr)
    expr = (
        re.sub(r"(\d{1,2}|[一二三四五六七八九十]{1,3})月底$", r"\1月", expr)
        if re.search(r"\d|[一二三四五六七八九十]月底$", expr)
        else expr
    )
    end = _jio_end(expr, now)
    if end is None and not explicit_year:
        expr = "今年" + expr
        end = _jio_end(expr, now)
    if end is None:
        return None
    if end < today and not explicit_year:
        # "2月底前" said in March means next February.
        end = _jio_end(expr, now.replace(month=1, day=1, year=now.year + 1)) or end
    return end if end >= today else None


def _duration(match: re.Match, text: str) -> dict | None:
    num = _cn_number(match["num"])
    if num is None:
        return None
    if match["half"]:
        num += 0.5
    unit = match["unit"]
    if unit in _UNIT_MONTHS:
        months = num * _UNIT_MONTHS[unit]
        return {"deadline": None, "months": max(1, int(round(months))), "text": match.group()}
    return {"deadline": None, "days": int(num * _UNIT_DAYS[unit]), "months": None, "text": match.group()}


def parse_timeline(text: str, now: datetime | None = None, strict: bool = False) -> dict | None:
    """The need's time limit as {"deadline": "YYYY-MM-DD"|None, "months": int|None, "text": span}, or None.

    Args:
        text: a user message.
        now: the message time (relative dates resolve against it); defaults to the current time.
        strict: when True (rich messages), a bare duration ("3年") counts only with a suffix or a cue word
            (周期, 希望 …) so "成立3年" is not a time limit.
    """
    text = normalize(text)
    if not text:
        return None
    now = now or datetime.now()
    candidates: list[tuple[int, dict]] = []
    for match in _POINT.finditer(text):
        point = match["point"]
        if re.fullmatch(r"\d{2}年", point) or (re.fullmatch(_YEAR, point) and not match["suffix"]):
            continue
        if _NOT_TIME_BEFORE.search(text[: match.start()]):
            continue
        end = _resolve_point(point, now)
        if end is not None:
            candidates.append(
                (match.start(), {"deadline": end.isoformat(), "months": None, "text": match.group()})
            )
    for match in _DURATION.finditer(text):
        before, after = text[max(0, match.start() - 6) : match.start()], text[match.end() : match.end() + 6]
        if _NOT_TIME_BEFORE.search(before) or _NOT_TIME_AFTER.match(after):
            continue
        standalone = _BARE_CLAUSE.search(before) and re.match(r"^(?:[，,。；;！!\s]|$)", after)
        if (
            not match["suffix"]
            and (strict or len(text) > 12)
            and not _DURATION_CUE.search(before)
            and not standalone
        ):
            continue
        if any(start <= match.start() < start + len(c["text"]) for start, c in candidates):
            continue
        found = _duration(match, text)
        if found is None:
            continue
        days = found.pop("days", None)
        if days is not None:
            found["deadline"] = (now.date() + timedelta(days=days)).isoformat()
        candidates.append((match.start(), found))
    if candidates:
        return min(candidates, key=lambda c: c[0])[1]
    relaxed = _RELAXED.search(text)
    if relaxed:
        return {"deadline": None, "months": None, "text": relaxed.group()}
    urgent = _URGENT.search(text)
    if urgent:
        return {"deadline": None, "months": None, "text": urgent.group()}
    return None
