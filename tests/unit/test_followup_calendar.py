"""Working days and due times: first contact one working day after filing, check-ins after an agreement."""

from __future__ import annotations

import json
from datetime import date, datetime, timezone

from chanyan.clock import to_local
from chanyan.followup.calendar import (
    WorkCalendar,
    checkin_days,
    checkin_due_dates,
    describe_moment,
    first_contact_due,
    format_hours,
    load_calendar,
    next_staffed,
    working_hours,
)

# 2026-10-01..07 National Day off, Saturday 2026-10-10 a make-up working day.
CALENDAR = WorkCalendar(
    holidays=frozenset(date(2026, 10, d) for d in range(1, 8)),
    workdays=frozenset({date(2026, 10, 10)}),
)


def utc(text: str) -> datetime:
    """A Beijing local time as the naive UTC the database keeps."""
    return datetime.fromisoformat(text + "+08:00").astimezone(timezone.utc).replace(tzinfo=None)


def local(moment: datetime) -> str:
    return to_local(moment).strftime("%Y-%m-%d %H:%M")


def test_filed_on_a_friday_afternoon_is_due_monday_afternoon():
    assert local(first_contact_due(utc("2026-11-27T15:30:00"), CALENDAR)) == "2026-11-30 15:30"


def test_filed_on_a_saturday_is_due_at_the_end_of_monday():
    assert local(first_contact_due(utc("2026-11-28T10:00:00"), CALENDAR)) == "2026-12-01 00:00"


def test_filed_in_the_evening_counts_local_dates_not_utc_ones():
    # 23:30 on a Thursday in Beijing is 15:30 UTC: the local date decides which day it was filed.
    assert local(first_contact_due(utc("2026-11-26T23:30:00"), CALENDAR)) == "2026-11-27 23:30"


def test_the_holiday_week_is_skipped_and_the_make_up_saturday_counts():
    # Filed on Wednesday 30 September: 1-7 October are off, Thursday 8 October is the next working day.
    assert local(first_contact_due(utc("2026-09-30T09:00:00"), CALENDAR)) == "2026-10-08 09:00"
    # Filed on Friday 9 October: Saturday 10 October is a make-up working day.
    assert local(first_contact_due(utc("2026-10-09T11:00:00"), CALENDAR)) == "2026-10-10 11:00"
    # Filed during the holiday: the clock starts on 8 October, due at its end.
    assert local(first_contact_due(utc("2026-10-03T11:00:00"), CALENDAR)) == "2026-10-09 00:00"


def test_check_ins_fall_on_working_days():
    dates = dict(checkin_due_dates(date(2026, 9, 1), CALENDAR, (30, 90)))
    assert dates[30] == date(2026, 10, 8)  # 1 October is in the holiday week
    assert dates[90] == date(2026, 11, 30)  # a Monday: kept
    assert dict(checkin_due_dates(date(2026, 8, 31), CALENDAR, (90,)))[90] == date(
        2026, 11, 30
    )  # from Sunday


def test_the_shipped_holiday_file_knows_national_day_and_make_up_days(tmp_path, monkeypatch):
    shipped = load_calendar()
    assert not shipped.is_working_day(date(2026, 10, 5))
    assert shipped.is_working_day(date(2026, 10, 10))
    assert not shipped.is_working_day(date(2026, 2, 17))  # 春节
    path = tmp_path / "holidays.json"
    path.write_text(json.dumps({"holidays": ["2026-12-02"], "workdays": []}), encoding="utf-8")
    monkeypatch.setenv("CHANYAN_HOLIDAYS_FILE", str(path))
    configured = load_calendar()
    assert not configured.is_working_day(date(2026, 12, 2))
    assert configured.is_working_day(date(2026, 10, 5))


SHIPPED_2027 = {
    date(2027, 1, 1): "元旦",
    **{date(2027, 2, d): "春节" for d in (5, 6, 7, 8)},  # 除夕 to 初三
    date(2027, 4, 5): "清明节",
    date(2027, 5, 1): "劳动节",
    date(2027, 5, 2): "劳动节",
    date(2027, 6, 9): "端午节",
    date(2027, 9, 15): "中秋节",
    **{date(2027, 10, d): "国庆节" for d in (1, 2, 3)},
}


def test_the_shipped_file_has_the_2027_statutory_holidays_and_says_the_year_is_provisional():
    shipped = load_calendar()
    assert all(not shipped.is_working_day(day) for day in SHIPPED_2027)
    assert shipped.provisional_years == frozenset({2027})
    assert shipped.is_working_day(date(2027, 2, 4)) and shipped.is_working_day(date(2027, 9, 16))


def test_2027_due_dates_skip_a_weekend_and_a_holiday():
    shipped = load_calendar()
    # Filed on Friday 2 April 2027: the weekend, then Monday 5 April (清明节), so due on Tuesday.
    assert local(first_contact_due(utc("2027-04-02T10:00:00"), shipped)) == "2027-04-06 10:00"
    # Filed on Thursday 31 December 2026: 1 January 2027 (元旦) and the weekend, so due on Monday 4 January.
    assert local(first_contact_due(utc("2026-12-31T16:20:00"), shipped)) == "2027-01-04 16:20"
    # Filed on Saturday 3 April: the clock starts on Tuesday 6 April, due at its end.
    assert local(first_contact_due(utc("2027-04-03T09:00:00"), shipped)) == "2027-04-07 00:00"
    # A check-in 30 days after Monday 16 August 2027 lands on 中秋节 (Wednesday 15 September): the next day.
    assert dict(checkin_due_dates(date(2027, 8, 16), shipped, (30,)))[30] == date(2027, 9, 16)


def test_a_broken_holiday_file_leaves_weekends_only(tmp_path, monkeypatch):
    path = tmp_path / "broken.json"
    path.write_text("{not json", encoding="utf-8")
    monkeypatch.setenv("CHANYAN_HOLIDAYS_FILE", str(path))
    calendar = load_calendar()
    assert calendar.is_working_day(date(2026, 10, 5))
    assert not calendar.is_working_day(date(2026, 10, 4))


def test_check_in_days_are_configurable(monkeypatch):
    assert checkin_days() == (30, 90, 180)
    monkeypatch.setenv("CHANYAN_CHECKIN_DAYS", "60, 14")
    assert checkin_days() == (14, 60)
    monkeypatch.setenv("CHANYAN_CHECKIN_DAYS", "")
    assert checkin_days() == ()


# --- staff working hours (转人工) ---


def test_working_hours_are_configurable_and_a_bad_value_falls_back():
    from datetime import time as t

    assert working_hours("") == (t(9, 0), t(18, 0))
    assert working_hours("08:30-17:30") == (t(8, 30), t(17, 30))
    assert working_hours("18:00-09:00") == (t(9, 0), t(18, 0))
    assert working_hours("nine to five") == (t(9, 0), t(18, 0))
    assert format_hours(working_hours("08:30-17:30")) == "8:30–17:30"


def test_when_staff_answer_a_handoff():
    from datetime import datetime as dt
    from datetime import time as t
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Asia/Shanghai")
    calendar = WorkCalendar(holidays=frozenset({date(2026, 12, 7)}))  # a Monday off
    hours = (t(9, 0), t(18, 0))
    wednesday_noon = dt(2026, 12, 2, 12, 0, tzinfo=tz)
    assert next_staffed(wednesday_noon, calendar, hours, tz) is None
    early = dt(2026, 12, 2, 7, 30, tzinfo=tz)
    assert describe_moment(next_staffed(early, calendar, hours, tz), early) == "今天 09:00"
    evening = dt(2026, 12, 2, 20, 0, tzinfo=tz)
    assert describe_moment(next_staffed(evening, calendar, hours, tz), evening) == "明天（周四）09:00"
    friday_night = dt(2026, 12, 4, 18, 0, tzinfo=tz)
    assert (
        describe_moment(next_staffed(friday_night, calendar, hours, tz), friday_night)
        == "12月8日（周二）09:00"
    )
