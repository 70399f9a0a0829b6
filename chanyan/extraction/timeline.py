"""需求时限: find a deadline or duration span, then resolve it with JioNLP against the message time.

A deadline is the last day the expression covers (2028年底前 → 2028-12-31, Q3 → 09-30, 下下个月底 → the end of the
month after next, 开春前 → the last day of February, 春节前 → the festival's day); a start ("2028年起") and a
date already past are not deadlines; a duration (三年内, 周期18个月) is months, at most MAX_MONTHS.
"""

from __future__ import annotations

import calendar
import re
import threading
from datetime import date, datetime, timedelta

from chanyan.domain.numerals import SINGLE_DIGITS, read_number, read_range

from .jio import jionlp
from .textnorm import Normalized, as_normalized

_JIO_LOCK = threading.Lock()

_CN_NUM = "".join(SINGLE_DIGITS) + "十"
_YEAR = rf"(?:今年|明年|后年|本年|\d{{4}}年|[{_CN_NUM}]{{4}}年|\d{{2}}年)"
_MONTH = rf"(?:\d{{1,2}}|[{_CN_NUM}]{{1,3}})月(?:份)?(?:底|末|初|中旬|上旬|下旬|中)?(?:\d{{1,2}}|[{_CN_NUM}]{{1,3}})?(?:日|号)?"
_QUARTER = r"(?:第?[一二三四1-4]季度|第[一二三四]季(?!度)|[Qq][1-4])(?:末|底)?"
_RESTART = r"(?:年后|节后|春节后|过完年)(?:开工|复工|上班)"
_SEASON = r"(?:春天|春季|夏天|夏季|秋天|秋季|冬天|冬季|入冬|入秋|入夏)"
# The sales festivals launches are timed by: 618 (June 18), 双十一 (November 11), 双十二 (December 12).
_SALES_DAYS = {
    "618": (6, 18),
    "六一八": (6, 18),
    "双十一": (11, 11),
    "双11": (11, 11),
    "双十二": (12, 12),
    "双12": (12, 12),
}
_SALES_DAY = r"(?:(?<![\d.])(?:618|6\.18)(?![\d.])|六一八|双十一|双11|双十二|双12)"
_PART = rf"(?:{_RESTART}|{_SEASON}|{_SALES_DAY}|上半年|下半年|年底|年末|年初|年中|年内|{_QUARTER}|春节|国庆|元旦|五一|中秋|暑假|寒假|开春|春耕)"
_REL = rf"(?:下下个?月(?:底|末)?|下个?月(?:底|末)?|本月底|这个月底|(?:这个|本)月(?=内|之内|以内)|月底|(?<![\d{_CN_NUM}几两多去今明后])年前(?!后)|下周|下个?季度|下半年|上半年|年内|年底|年末|今年内|明年内|春节|国庆|元旦|五一|中秋|开春)"
_DEADLINE_SUFFIX = r"(?:前后|之前|以前|前|内|之内|以内|为止|截止|完成|交付|上线|投产|落地|左右|结束|见效果)"
# "明年这个时候", "明年这时候": the same day a year on.
_SAME_TIME = r"(?:明年|后年)(?:的)?(?:这个时候|这时候|这会儿|今天|同期)"
_POINT = re.compile(
    rf"(?P<point>{_SAME_TIME}|{_YEAR}?(?:{_MONTH}|{_PART})|{_YEAR}(?:底|末)|{_YEAR}|{_REL})(?P<suffix>{_DEADLINE_SUFFIX}|要(?:做|完成|上线|交付)?)?"
)
# "2027年1月至2028年6月", "2026年12月—2027年12月": a period; its end is the deadline.
_PERIOD = re.compile(
    rf"(?P<first>{_YEAR}?{_MONTH})\s?(?:至|到|-|—|–|~|～)\s?(?P<last>{_YEAR}?{_MONTH}|{_YEAR}(?:底|末))"
)
# A start, not a deadline: 2028年起, 自2027年开始, 从明年起.
_START_AFTER = re.compile(r"^(?:起|开始|以后|之后|后)")
# "春节以后吧", "年后再说", "2028年起": a start and no deadline; a short timeline answer saying only this is open.
_START_ONLY = re.compile(
    rf"(?:{_YEAR}?(?:春节|国庆|元旦|五一|中秋|{_MONTH})|{_YEAR})(?:以后|之后|后|起|开始)|^(?:年后|节后|过完年|开春后)"
)
_SEASON_START = {"春": 3, "夏": 6, "秋": 9, "冬": 12}
_FESTIVAL_RESTART_DAYS = 14  # work resumes about two weeks after the Spring Festival's day
_DURATION = re.compile(
    rf"(?P<num>\d+(?:\.\d+)?|[{_CN_NUM}半几]+|(?<![{_CN_NUM}\d])个把)\s?(?P<half>个半)?(?P<ge>个)?来?(?P<unit>月|年|周|星期|礼拜|天|日|季度)"
    rf"(?P<and_half>半(?![年月天]))?(?P<suffix>之内|以内|内|左右|时间|完成|搞定|交付|上线|出成果|出结果)?"
)
_DURATION_CUE = re.compile(
    r"周期|工期|时间|时限|期限|期程|时程|执行期|实施期|合作期|建设期|研究期|项目期|期间|研发期|用|花|需要|希望|争取|计划|预计|控制在|要求|最好|尽量|在|[:：】]$"
)
# A labelled time limit in a form or an announcement wins over dates mentioned in the background.
_TIME_LABEL = re.compile(
    r"(?:时限|期限|完成时间|时间|期程|时程|周期|工期|执行期|实施期|期间|截止|交付)\s?[:：】\]]?\s?(?:为|是)?\s?$"
)
MAX_MONTHS = 240  # a longer "duration" is a misread year (2028年 is not 24336 months)
_RELAXED = re.compile(
    r"不急|不着急|不赶|时间不限|没有时间要求|无时间要求|时间上没要求|时间灵活|时间宽松|慢慢来|时间无所谓"
)
_URGENT = re.compile(
    r"越快越好|尽快|尽早|急需|很急|比较急|挺急|特别急|着急|紧急|加急|马上|立刻|ASAP|asap|(?:^|[，,。；;\s])急(?=[!！。，,]|$)"
)
_NOT_TIME_AFTER = re.compile(r"^(?:前(?!后)|的经验|的历史|多的|以上的经验|保质期|寿命|质保|就|后|了|多了|来)")
_BARE_CLAUSE = re.compile(r"(?:^|[，,。；;\s])$")
_NOT_TIME_BEFORE = re.compile(
    r"(?:成立|创办|做了|干了|寿命|保质期|质保|已经|工作|经验|运行了|用了|有|长达|高达|多达|长约|需时)$"
    # 寿命要求10年以上, 质保不低于5年: how long the product must last is a target, not the need's limit.
    r"|(?:寿命|保质期|质保|续航|连续运行|稳定运行|保修)(?:要求|需要|要|得|达到|不低于|不少于|超过|大于|≥|在)*$"
    # 已用十年, 已运行八年: how long something has been in use, not the need's limit.
    r"|已(?:经)?(?:使用|运行|服役|投用|投运|用)$"
    # 发酵周期45天, 换模时间约3小时: how long a step of the enterprise's process takes now, not the need's limit.
    r"|(?:发酵|生长|养殖|生产|加工|交货|交期|烘干|干燥|固化|培养|充电|换模|调机|成熟|育苗|堆肥|腐熟|停机|检修|出栏)"
    r"(?:周期|时间|时长)[为约要需]{0,2}$"
    # 缩短到30天以内: a target for that step
    r"|(?:缩短|降低|降|减少|压缩)(?:到|至)$"
)
_PREFIX_FIX = (
    (re.compile(r"[Qq]([1-4])"), lambda m: "第" + "一二三四"[int(m[1]) - 1] + "季度"),
    (re.compile(r"^(今年|明年)?内$"), lambda m: m[1] or "今年"),
    (re.compile(r"^(今年|明年)内$"), lambda m: m[1]),
)
_UNIT_MONTHS = {"月": 1.0, "年": 12.0, "季度": 3.0}
_UNIT_DAYS = {"周": 7, "星期": 7, "礼拜": 7, "天": 1, "日": 1}


def _end_of_month(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _months_ahead(today: date, months: int) -> date:
    """The last day of the month `months` after today's."""
    index = today.year * 12 + today.month - 1 + months
    return _end_of_month(index // 12, index % 12 + 1)


def _year_of(expr: str, today: date) -> int | None:
    """The year an expression names (今年, 明年, 后年, 2027年), or None."""
    for word, offset in (("今年", 0), ("本年", 0), ("明年", 1), ("后年", 2)):
        if expr.startswith(word):
            return today.year + offset
    match = re.match(r"(\d{4})年", expr)
    return int(match[1]) if match else None


def _quarter(expr: str) -> int | None:
    match = re.search(r"(?:第?([一二三四1-4])季|[Qq]([1-4]))", expr)
    if not match:
        return None
    digit = match[1] or match[2]
    return "一二三四".index(digit) + 1 if digit in "一二三四" else int(digit)


def _next_not_past(year: int | None, month: int, day: int | None, today: date) -> date | None:
    """This year's (or the named year's) month end, or next year's when it is past and no year was named."""
    if year is not None:
        end = date(year, month, day) if day else _end_of_month(year, month)
        return end if end >= today else None
    end = date(today.year, month, day) if day else _end_of_month(today.year, month)
    if end < today:
        end = date(today.year + 1, month, day) if day else _end_of_month(today.year + 1, month)
    return end


def _resolve_own(expr: str, today: date) -> date | None | bool:
    """Expressions JioNLP does not read (or reads otherwise): their deadline, None when past, False when not ours."""
    year = _year_of(expr, today)
    if re.fullmatch(r"下下个?月(?:底|末)?", expr):
        return _months_ahead(today, 2)
    if re.fullmatch(r"下个?月(?:底|末)?", expr):
        return _months_ahead(today, 1)
    quarter = _quarter(expr)
    if quarter is not None and not re.search(r"\d{1,2}月", expr):
        return _next_not_past(year, quarter * 3, None, today)
    sales = re.fullmatch(rf"(?:{_YEAR})?({_SALES_DAY})", expr)
    if sales:
        month, day = _SALES_DAYS[sales[1].replace("6.18", "618")]
        return _next_not_past(year, month, day, today)
    season = re.fullmatch(rf"(?:{_YEAR})?(?:入)?([春夏秋冬])(?:天|季)?", expr)
    if season and not expr.endswith("春"):
        # "明年冬天之前", "夏天": by the season's start, the last day of the month before it
        return _next_not_past(year, _SEASON_START[season[1]] - 1, None, today)
    if expr.endswith(("开春", "春耕")):
        if year is not None:
            return _next_not_past(year, 2, None, today)
        end = _end_of_month(today.year, 2)
        return end if end >= today else _end_of_month(today.year + 1, 2)
    return False


def _cn_number(token: str) -> float | None:
    """The number of a duration: 3, 三, 十二, 半; 两三 (个月) is its upper end; 几 is no number."""
    if token == "半":
        return 0.5
    if token == "个把":  # 个把月: about one
        return 1.0
    if "几" in token:
        return None
    span = read_range(token)
    if span is not None:
        return span[1]
    return read_number(token)


def _jio_end(expr: str, now: datetime) -> date | None:
    try:
        with _JIO_LOCK:  # the parser keeps each call's settings on one shared instance
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
    restart = re.fullmatch(rf"(?P<year>{_YEAR})?{_RESTART}", expr)
    if restart:
        festival = _resolve_point((restart["year"] or "") + "春节", now)
        return festival + timedelta(days=_FESTIVAL_RESTART_DAYS) if festival else None
    if expr in ("下半年", "上半年") and today.month >= (10 if expr == "下半年" else 7):
        # said late in the year, a bare half means next year's
        return date(today.year + 1, 12 if expr == "下半年" else 6, 31 if expr == "下半年" else 30)
    own = _resolve_own(expr, today)
    if own is not False:
        return own
    two_months = re.fullmatch(
        rf"(?P<year>{_YEAR})?(?P<months>[一二三四五六七八九]{{2}})月份?(?:底|末)?", expr
    )
    if two_months and read_range(two_months["months"]):  # 明年三四月份: by the end of the later month
        last = int(read_range(two_months["months"])[1])
        if last <= 12:
            return _next_not_past(_year_of(expr, today), last, None, today)
    if expr == "年前":  # before the (coming) Spring Festival
        return _resolve_point("春节", now)
    same = re.fullmatch(_SAME_TIME, expr)
    if same:
        years = 1 if expr.startswith("明年") else 2
        return today.replace(year=today.year + years) if (today.month, today.day) != (2, 29) else None
    if expr in ("月底", "这个月底", "这个月", "本月"):
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
    if match["half"] or match["and_half"]:
        num += 0.5
    unit = match["unit"]
    if unit in _UNIT_MONTHS:
        months = num * _UNIT_MONTHS[unit]
        if months > MAX_MONTHS:
            return None
        return {"deadline": None, "months": max(1, int(round(months))), "text": match.group()}
    if num * _UNIT_DAYS[unit] > MAX_MONTHS * 31:
        return None
    return {"deadline": None, "days": int(num * _UNIT_DAYS[unit]), "months": None, "text": match.group()}


def _is_dateline(text: str, match: re.Match, now: datetime) -> bool:
    """True for a date that is a clause of its own and names this month or a day already past ("11月18日，在…对接会上",
    "2026年11月，…大赛举行"): the date of a report, not a time limit."""
    before, after = text[: match.start()], text[match.end() : match.end() + 1]
    if not _BARE_CLAUSE.search(before) or after not in ("，", ","):
        return False
    point = match["point"]
    if not re.search(r"\d{1,2}月|[一二三四五六七八九十]月", point):
        return False
    named = point if _year_of(point, now.date()) is not None else "今年" + point
    end = _jio_end(named, now)
    return end is not None and end <= _end_of_month(now.year, now.month)


def parse_timeline(text: str | Normalized, now: datetime | None = None, strict: bool = False) -> dict | None:
    """The need's time limit as {"deadline": "YYYY-MM-DD"|None, "months": int|None, "text": span}, or None.

    Args:
        text: a user message (raw or already normalized); "text" in the result is the user's own wording.
        now: the message time (relative dates resolve against it); defaults to the current time.
        strict: when True (rich messages), a bare duration ("3年") counts only with a suffix or a cue word
            (周期, 希望 …) so "成立3年" is not a time limit.
    """
    norm = as_normalized(text)
    text = norm.text
    if not text:
        return None
    now = now or datetime.now()
    # (labelled, bounded, start, end, timeline): a labelled limit wins, then one that says it bounds the work
    # (2028年底前, 三个月内) over a bare date of the background (冬天识别率下降), then the first.
    candidates: list[tuple[int, int, int, int, dict]] = []

    def add(start: int, end: int, found: dict, bounded: bool = True) -> None:
        labelled = int(bool(_TIME_LABEL.search(text[max(0, start - 8) : start])))
        found["text"] = norm.original_text(start, end)
        candidates.append((labelled, int(bounded), start, end, found))

    for match in _PERIOD.finditer(text):
        end = _resolve_point(match["last"], now)
        if end is not None:
            add(match.start(), match.end(), {"deadline": end.isoformat(), "months": None})
    for match in _POINT.finditer(text):
        point = match["point"]
        if any(s <= match.start() < e for _, _, s, e, _ in candidates):
            continue
        if re.fullmatch(r"\d{2}年", point) or (re.fullmatch(_YEAR, point) and not match["suffix"]):
            continue
        if re.fullmatch(_SALES_DAY, point) and not match["suffix"]:
            continue  # a bare 618 may be a count; "618前", "明年618" name the day
        if _NOT_TIME_BEFORE.search(text[: match.start()]):
            continue
        if not match["suffix"] and _START_AFTER.match(text[match.end() : match.end() + 2]):
            continue
        if not match["suffix"] and _is_dateline(text, match, now):
            continue
        end = _resolve_point(point, now)
        if end is not None:
            add(
                match.start(),
                match.end(),
                {"deadline": end.isoformat(), "months": None},
                bool(match["suffix"]),
            )
    for match in _DURATION.finditer(text):
        if match["unit"] == "月" and not match["ge"] and not match["half"] and match["num"] != "个把":
            continue  # 9月 is a month's name (9个月 is the duration)
        before, after = text[max(0, match.start() - 6) : match.start()], text[match.end() : match.end() + 6]
        if _NOT_TIME_BEFORE.search(before) or _NOT_TIME_AFTER.match(after) or _START_AFTER.match(after):
            continue
        if re.match(rf"\s?(?:到|至|-|~|～)\s?[\d{_CN_NUM}半]", after):
            continue  # "半年到一年": the upper end is the limit
        if re.fullmatch(r"\d{4}", match["num"]) and match["unit"] == "年":
            continue  # 2028年 is a year
        standalone = _BARE_CLAUSE.search(before) and re.match(r"^(?:[，,。；;！!\s]|$)", after)
        if (
            not match["suffix"]
            and (strict or len(text) > 12)
            and not _DURATION_CUE.search(before)
            and not standalone
        ):
            continue
        if any(s <= match.start() < e for _, _, s, e, _ in candidates):
            continue
        found = _duration(match, text)
        if found is None:
            continue
        days = found.pop("days", None)
        if days is not None:
            found["deadline"] = (now.date() + timedelta(days=days)).isoformat()
        add(match.start(), match.end(), found)
    if candidates:
        return max(candidates, key=lambda c: (c[0], c[1], -c[2]))[4]
    for pattern in (_RELAXED, _URGENT):
        found = pattern.search(text)
        if found:
            return {"deadline": None, "months": None, "text": norm.original_text(found.start(), found.end())}
    found = None if strict else _START_ONLY.search(text)
    if found and len(text) <= 30:
        return {"deadline": None, "months": None, "text": norm.original_text(found.start(), found.end())}
    return None
