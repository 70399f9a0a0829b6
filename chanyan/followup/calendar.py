"""Working days (工作日) in the platform's time zone, and the due times of follow-up tasks.

Weekends are days off, except make-up working days (调休上班); the holiday file lists both. Its path is
CHANYAN_HOLIDAYS_FILE (default: the list shipped in chanyan/followup/data/holidays.json). A year the file marks
"provisional" holds only the statutory holidays until the State Council's schedule for it is entered.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from chanyan import clock
from chanyan.followup.vocabulary import DEFAULT_CHECKIN_DAYS

log = logging.getLogger(__name__)

DEFAULT_HOLIDAYS_FILE = Path(__file__).resolve().parent / "data" / "holidays.json"


@dataclass(frozen=True)
class WorkCalendar:
    """Which dates are working days: Monday to Friday, minus `holidays`, plus `workdays`. `provisional_years`:
    the years whose official schedule is not entered yet (their dates are the statutory holidays only)."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    workdays: frozenset[date] = field(default_factory=frozenset)
    provisional_years: frozenset[int] = field(default_factory=frozenset)

    def is_working_day(self, day: date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def next_working_day(self, day: date) -> date:
        """The first working day after `day`."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def on_or_after(self, day: date) -> date:
        """`day` when it is a working day, else the next one."""
        return day if self.is_working_day(day) else self.next_working_day(day)


def load_calendar(path: str | Path | None = None) -> WorkCalendar:
    """The calendar of a holiday file: {"holidays": {"2026-10-01": "国庆节", ...}, "workdays": {...}}.

    A missing or broken file leaves weekends only (logged): due dates must never stop a request being filed.
    """
    path = Path(path or os.environ.get("CHANYAN_HOLIDAYS_FILE", "").strip() or DEFAULT_HOLIDAYS_FILE)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        calendar = WorkCalendar(
            holidays=frozenset(date.fromisoformat(d) for d in data.get("holidays") or ()),
            workdays=frozenset(date.fromisoformat(d) for d in data.get("workdays") or ()),
            provisional_years=frozenset(int(year) for year in data.get("provisional") or ()),
        )
    except (OSError, ValueError, TypeError, AttributeError) as err:
        log.error("holiday file %s unusable (%s); counting weekends only", path, err)
        return WorkCalendar()
    if calendar.provisional_years:
        log.warning(
            "holiday file %s: the schedule of %s is provisional (statutory holidays only, no make-up days)",
            path,
            ", ".join(str(year) for year in sorted(calendar.provisional_years)),
        )
    return calendar


def checkin_days() -> tuple[int, ...]:
    """Days after an agreement when staff check in (CHANYAN_CHECKIN_DAYS, e.g. "30,90,180"; empty: none)."""
    raw = os.environ.get("CHANYAN_CHECKIN_DAYS")
    if raw is None:
        return DEFAULT_CHECKIN_DAYS
    try:
        return tuple(sorted({int(part) for part in raw.split(",") if part.strip()}))
    except ValueError:
        log.error("CHANYAN_CHECKIN_DAYS=%r is not a list of whole days; using %s", raw, DEFAULT_CHECKIN_DAYS)
        return DEFAULT_CHECKIN_DAYS


def _utc_naive(moment: datetime) -> datetime:
    return moment.astimezone(timezone.utc).replace(tzinfo=None)


def first_contact_due(filed_at: datetime, calendar: WorkCalendar, tz: ZoneInfo | None = None) -> datetime:
    """One working day after filing (naive UTC in, naive UTC out).

    Filed on a working day: the same time of day on the next working day (Friday 15:00 → Monday 15:00).
    Filed on a day off: the clock starts when the next working day begins, so it is due at that day's end.
    """
    tz = tz or clock.local_tz()
    local = clock.to_local(filed_at, tz)
    if not calendar.is_working_day(local.date()):
        start_day = calendar.next_working_day(local.date())
        local = datetime.combine(start_day, time(0, 0), tzinfo=tz)
    due_day = calendar.next_working_day(local.date())
    return _utc_naive(datetime.combine(due_day, local.timetz().replace(tzinfo=None), tzinfo=tz))


def end_of_day(day: date, tz: ZoneInfo | None = None) -> datetime:
    """The end of a local date (the next midnight), as naive UTC: a task due on a date is overdue after it."""
    tz = tz or clock.local_tz()
    return _utc_naive(datetime.combine(day + timedelta(days=1), time(0, 0), tzinfo=tz))


def checkin_due_dates(
    signed_on: date, calendar: WorkCalendar, days: tuple[int, ...]
) -> list[tuple[int, date]]:
    """(days, due date) of each check-in after an agreement; a due date on a day off moves to the next working day."""
    return [(n, calendar.on_or_after(signed_on + timedelta(days=n))) for n in days]


# --- staff working hours (转人工) ------------------------------------------------------------------------------

DEFAULT_WORKING_HOURS = (time(9, 0), time(18, 0))
WEEKDAY_NAMES = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def working_hours(raw: str | None = None) -> tuple[time, time]:
    """Staff working hours on working days (CHANYAN_WORKING_HOURS, e.g. "09:00-18:00"; a bad value logs and
    falls back to 09:00-18:00)."""
    raw = os.environ.get("CHANYAN_WORKING_HOURS", "") if raw is None else raw
    if not raw.strip():
        return DEFAULT_WORKING_HOURS
    try:
        start_text, end_text = raw.replace("–", "-").split("-")
        start, end = time.fromisoformat(start_text.strip()), time.fromisoformat(end_text.strip())
    except ValueError:
        log.error("CHANYAN_WORKING_HOURS=%r is not like 09:00-18:00; using 09:00-18:00", raw)
        return DEFAULT_WORKING_HOURS
    if start >= end:
        log.error("CHANYAN_WORKING_HOURS=%r ends before it starts; using 09:00-18:00", raw)
        return DEFAULT_WORKING_HOURS
    return start, end


def next_staffed(
    now: datetime, calendar: WorkCalendar, hours: tuple[time, time], tz: ZoneInfo | None = None
) -> datetime | None:
    """None while staff are at work; otherwise when they next are (local, aware).

    Args:
        now: aware, or naive UTC.
    """
    tz = tz or clock.local_tz()
    local = clock.to_local(now, tz)
    start, end = hours
    today = local.date()
    if calendar.is_working_day(today):
        if start <= local.time() < end:
            return None
        if local.time() < start:
            return datetime.combine(today, start, tzinfo=tz)
    return datetime.combine(calendar.next_working_day(today), start, tzinfo=tz)


def describe_moment(moment: datetime, now: datetime) -> str:
    """ "今天 09:00", "明天（周二）09:00", "12月7日（周一）09:00": a local moment as the user reads it."""
    now = now.astimezone(moment.tzinfo) if moment.tzinfo else now
    day = moment.date()
    clock_text = moment.strftime("%H:%M")
    weekday = WEEKDAY_NAMES[day.weekday()]
    if day == now.date():
        return f"今天 {clock_text}"
    if day == now.date() + timedelta(days=1):
        return f"明天（{weekday}）{clock_text}"
    return f"{day.month}月{day.day}日（{weekday}）{clock_text}"


def format_hours(hours: tuple[time, time]) -> str:
    """ "9:00–18:00" """
    start, end = hours
    return f"{start.hour}:{start.minute:02d}–{end.hour}:{end.minute:02d}"
