"""Tests for casesys.domain.calendar: working days and statutory periods (SPEC §9).

The HAND_* tables are written from the State Council notices (国办发明电
〔2024〕12号 for 2025, 〔2025〕7号 for 2026), independently of the generated
holiday_data module, so a wrong data file fails here.
"""
from __future__ import annotations

import ast
import sys
from calendar import monthrange
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from casesys.domain import calendar as calmod
from casesys.domain import holiday_data
from casesys.domain.calendar import (
    PROVISIONAL_NOTE,
    WEEKEND,
    WEEKEND_UNKNOWN_YEAR,
    Due,
    Schedule,
    Unit,
    WorkCalendar,
    add_months,
)
from tests.calendars import LAST_KNOWN, calendar_up_to

D = date.fromisoformat
W, C, M = Unit.WORKING, Unit.CALENDAR, Unit.MONTHS
# The tests count 2027 on as unpublished by construction: the calendar they use
# holds the built-in schedules up to LAST_KNOWN only, whatever years the data
# file gains later.
CAL = calendar_up_to(LAST_KNOWN)


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return CAL


def days(first: str, last: str) -> list[date]:
    a, b = D(first), D(last)
    return [a + timedelta(n) for n in range((b - a).days + 1)]


# --- the official schedules, by hand ----------------------------------------

HAND_OFF = [  # (first, last, name): every day in the range is off
    ("2025-01-01", "2025-01-01", "元旦"),
    ("2025-01-28", "2025-02-04", "春节"),
    ("2025-04-04", "2025-04-06", "清明节"),
    ("2025-05-01", "2025-05-05", "劳动节"),
    ("2025-05-31", "2025-06-02", "端午节"),
    ("2025-10-01", "2025-10-05", "国庆节"),  # 2025-10-06 is 中秋节 inside the same break
    ("2025-10-07", "2025-10-08", "国庆节"),
    ("2026-01-01", "2026-01-03", "元旦"),
    ("2026-02-15", "2026-02-23", "春节"),
    ("2026-04-04", "2026-04-06", "清明节"),
    ("2026-05-01", "2026-05-05", "劳动节"),
    ("2026-06-19", "2026-06-21", "端午节"),
    ("2026-09-25", "2026-09-27", "中秋节"),
    ("2026-10-01", "2026-10-07", "国庆节"),
]
HAND_MAKEUP = [  # weekend days that are working days (调休)
    "2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28", "2025-10-11",
    "2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10",
]
HAND_PLAIN_WORKING = [  # weekdays right next to a break
    "2025-01-27", "2025-02-05", "2025-04-30", "2025-05-06", "2025-09-30", "2025-10-09",
    "2025-12-31", "2026-01-05", "2026-02-24", "2026-04-30", "2026-05-06", "2026-09-30", "2026-10-08",
]


@pytest.mark.parametrize("first,last,name", HAND_OFF)
def test_official_days_off(cal, first, last, name):
    for day in days(first, last):
        assert not cal.is_working_day(day), day
        assert cal.schedule.names[day] == name


def test_2025_mid_autumn_inside_national_day(cal):
    assert not cal.is_working_day(D("2025-10-06"))
    assert cal.schedule.names[D("2025-10-06")] == "中秋节"


@pytest.mark.parametrize("day", HAND_MAKEUP)
def test_official_makeup_working_days(cal, day):
    assert D(day).weekday() >= 5
    assert cal.is_working_day(D(day))


@pytest.mark.parametrize("day", HAND_PLAIN_WORKING)
def test_weekdays_around_breaks_are_working(cal, day):
    assert cal.is_working_day(D(day))


def test_2026_makeup_days_are_exactly_the_notice(cal):
    assert sorted(d for d in cal.schedule.extra_working_days if d.year == 2026) == [
        D(x) for x in HAND_MAKEUP if x.startswith("2026")
    ]


def test_ordinary_weekend_and_unknown_year(cal):
    assert not cal.is_working_day(D("2026-03-07"))  # plain Saturday
    assert not cal.is_working_day(D("2027-01-01"))  # 2027 not entered: 元旦 still off
    assert cal.is_working_day(D("2027-01-04"))
    assert not cal.is_working_day(D("2027-01-02"))
    assert cal.is_known(D("2026-12-31")) and not cal.is_known(D("2027-01-01"))
    assert not cal.is_known(D("2003-12-31")) and cal.is_known(D("2004-01-01"))


# --- the generated data file -------------------------------------------------

def test_holiday_data_shape():
    assert list(holiday_data.SCHEDULES) == list(range(2004, max(holiday_data.SCHEDULES) + 1))
    assert max(holiday_data.SCHEDULES) >= LAST_KNOWN
    names = {"元旦", "春节", "清明节", "劳动节", "端午节", "国庆节", "中秋节", "抗战胜利70周年纪念日"}
    for year, sched in holiday_data.SCHEDULES.items():
        off = {D(d) for d, _ in sched["holidays"]}
        work = {D(d) for d, _ in sched["workdays"]}
        assert off and not off & work
        assert all(d.year == year for d in off | work)
        assert all(d.weekday() >= 5 for d in work), year
        assert {n for _, n in sched["holidays"] + sched["workdays"]} <= names
    assert "抗战胜利70周年纪念日" in {n for _, n in holiday_data.SCHEDULES[2015]["holidays"]}


def test_holiday_data_is_generated():
    head = Path(holiday_data.__file__).read_text(encoding="utf-8").splitlines()[0]
    assert "scripts/extract_holidays.py" in head and "chinese-calendar" in head


# Pure domain code: the standard library, plus the pure-Python lunar calendar
# the statutory holidays of unpublished years need (issue 9.2); no framework.
PURE_LIBRARIES = {"lunardate"}


def test_calendar_module_uses_standard_library_only():
    tree = ast.parse(Path(calmod.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            mods = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            mods = [node.module or ""]
        else:
            continue
        for mod in mods:
            top = mod.split(".")[0]
            assert (top in sys.stdlib_module_names or top == "__future__" or top in PURE_LIBRARIES
                    or mod.startswith("casesys.domain")), mod


# --- periods: table of real dates ---------------------------------------------

PERIODS = [  # (trigger, amount, unit, due)
    # SPEC §9 example: Oct 1–7 off, Sat Oct 10 worked, Sun Oct 11 off
    ("2026-09-30", 5, W, "2026-10-13"),
    ("2026-09-30", 1, W, "2026-10-08"),
    ("2026-09-18", 1, W, "2026-09-20"),  # Sun Sep 20 is a make-up day
    ("2026-02-13", 1, W, "2026-02-14"),  # Sat Feb 14 is a make-up day
    ("2026-02-13", 2, W, "2026-02-24"),  # Spring Festival Feb 15–23
    ("2026-02-27", 1, W, "2026-02-28"),
    ("2026-04-30", 1, W, "2026-05-06"),
    ("2026-05-08", 1, W, "2026-05-09"),
    ("2025-01-24", 1, W, "2025-01-26"),  # Sat off, Sun Jan 26 worked
    ("2025-01-27", 1, W, "2025-02-05"),  # Spring Festival Jan 28–Feb 4
    ("2025-01-27", 4, W, "2025-02-08"),  # Sat Feb 8 worked
    ("2025-04-25", 1, W, "2025-04-27"),
    ("2025-04-30", 2, W, "2025-05-07"),
    ("2025-09-26", 1, W, "2025-09-28"),
    ("2025-09-30", 1, W, "2025-10-09"),  # Oct 1–8 off
    ("2025-09-30", 3, W, "2025-10-11"),
    ("2026-12-20", 5, W, "2026-12-25"),
    # calendar days: roll over non-working ends only
    ("2026-09-01", 30, C, "2026-10-08"),  # ends on 国庆节
    ("2025-01-01", 30, C, "2025-02-05"),  # ends on 春节 (Fri Jan 31)
    ("2025-09-11", 30, C, "2025-10-11"),  # ends on a make-up Saturday: no roll
    ("2026-02-13", 15, C, "2026-02-28"),  # ditto
    ("2026-02-25", 10, C, "2026-03-09"),  # ends on a plain Saturday
    ("2026-03-01", 15, C, "2026-03-16"),
    # months: same day-of-month, clamped, then rolled
    ("2026-01-31", 1, M, "2026-02-28"),  # clamped; a make-up Saturday
    ("2024-01-31", 1, M, "2024-02-29"),  # leap year
    ("2025-01-31", 1, M, "2025-02-28"),
    ("2023-01-31", 1, M, "2023-02-28"),
    ("2026-08-31", 1, M, "2026-09-30"),
    ("2026-03-31", 1, M, "2026-04-30"),
    ("2025-11-30", 3, M, "2026-02-28"),
    ("2026-09-01", 1, M, "2026-10-08"),  # ends on 国庆节
    ("2025-09-03", 1, M, "2025-10-09"),
    ("2025-12-15", 2, M, "2026-02-24"),  # ends on 春节
    ("2026-06-07", 1, M, "2026-07-07"),
    ("2025-05-31", 12, M, "2026-06-01"),  # 2026-05-31 is a Sunday
]


@pytest.mark.parametrize("start,amount,unit,due", PERIODS)
def test_periods(cal, start, amount, unit, due):
    result = cal.add(D(start), amount, unit)
    assert result.date == D(due)
    assert not result.provisional
    assert cal.is_working_day(result.date)


def test_spec_example_in_detail(cal):
    due = cal.add(D("2026-09-30"), 5, Unit.WORKING)
    assert due == Due(
        start=D("2026-09-30"), amount=5, unit=W, date=D("2026-10-13"), provisional=False,
        skipped=tuple((d, "国庆节") for d in days("2026-10-01", "2026-10-07")) + ((D("2026-10-11"), WEEKEND),),
        rolled_from=None,
    )
    assert due.explain() == (
        "自 2026-09-30 次日起算 5 个工作日，跳过 2026-10-01 至 2026-10-07 国庆节、"
        "2026-10-11 周末，届满日为 2026-10-13。"
    )


def test_calendar_period_rolled_over_holiday(cal):
    due = cal.add(D("2026-09-01"), 30, C)
    assert due.rolled_from == D("2026-10-01")
    assert [d for d, _ in due.skipped] == days("2026-10-01", "2026-10-07")
    text = due.explain()
    assert "国庆节" in text and "2026-10-08" in text and "2026-10-01" in text
    assert text.startswith("自 2026-09-01 次日起算 30 日")


def test_makeup_saturday_does_not_roll(cal):
    due = cal.add(D("2025-09-11"), 30, C)
    assert (due.date, due.rolled_from, due.skipped) == (D("2025-10-11"), None, ())
    assert due.explain() == "自 2025-09-11 次日起算 30 日，届满日为 2025-10-11。"


def test_month_period_rolled_over_holiday(cal):
    due = cal.add(D("2025-12-15"), 2, M)
    assert due.rolled_from == D("2026-02-15")
    assert {r for _, r in due.skipped} == {"春节"}
    assert "春节" in due.explain() and "个月" in due.explain()


def test_mixed_reasons_grouped(cal):
    text = cal.add(D("2025-09-30"), 3, W).explain()
    assert "2025-10-01 至 2025-10-05 国庆节、2025-10-06 中秋节、2025-10-07 至 2025-10-08 国庆节" in text


# --- provisional years -------------------------------------------------------

def test_due_in_unknown_year_is_provisional_and_skips_statutory_holidays(cal):
    due = cal.add(D("2026-12-28"), 5, W)  # Dec 29, 30, 31, (Fri Jan 1 元旦), Mon Jan 4, Tue Jan 5
    assert due.date == D("2027-01-05")
    assert due.provisional
    assert due.skipped == ((D("2027-01-01"), "元旦" + calmod.COMPUTED_HOLIDAY),
                           (D("2027-01-02"), WEEKEND_UNKNOWN_YEAR), (D("2027-01-03"), WEEKEND_UNKNOWN_YEAR))
    assert due.explain().endswith("届满日为 2027-01-05" + PROVISIONAL_NOTE + "。")


# Issue 9.2: the statutory holidays of 《全国年节及纪念日放假办法》 (2024) in a year
# not entered, by hand from the lunar calendar (2027: 春节 Feb 6, 端午 Jun 9,
# 中秋 Sep 15, 清明 Apr 5; 2028: 春节 Jan 26, 端午 May 28, 中秋 Oct 3 inside 国庆).
HAND_STATUTORY = {
    2027: ["2027-01-01", "2027-02-05", "2027-02-06", "2027-02-07", "2027-02-08", "2027-04-05",
           "2027-05-01", "2027-05-02", "2027-06-09", "2027-09-15", "2027-10-01", "2027-10-02", "2027-10-03"],
    2028: ["2028-01-01", "2028-01-25", "2028-01-26", "2028-01-27", "2028-01-28", "2028-04-04",
           "2028-05-01", "2028-05-02", "2028-05-28", "2028-10-01", "2028-10-02", "2028-10-03"],
}


@pytest.mark.parametrize("year", sorted(HAND_STATUTORY))
def test_statutory_holidays_of_an_unpublished_year(cal, year):
    assert sorted({d for d, _ in calmod.statutory_holidays(year)}) == [D(x) for x in HAND_STATUTORY[year]]
    for x in HAND_STATUTORY[year]:
        assert not cal.is_working_day(D(x)), x
        assert cal.add(D(x) - timedelta(1), 1, C).provisional
    # the weekdays around them still count
    assert cal.is_working_day(D(f"{year}-10-09") if year == 2028 else D("2027-02-09"))


@pytest.mark.parametrize("year", range(2025, LAST_KNOWN + 1))
def test_statutory_holidays_are_off_in_every_published_year(year):
    # The computed days (lunar dates, 清明 by formula) against the official schedules.
    official = WorkCalendar.builtin()
    for day, name in calmod.statutory_holidays(year):
        assert not official.is_working_day(day), (day, name)


@pytest.mark.parametrize("year", range(2008, 2025))
def test_computed_lunar_and_qingming_days_match_older_schedules(year):
    # Before 2025 除夕 and May 2 were not always off; 正月初一至初三, 清明, 端午, 中秋 were.
    official = WorkCalendar.builtin()
    spring = [d for d, n in calmod.statutory_holidays(year) if n == "春节"]
    lunar = spring[1:] + [d for d, n in calmod.statutory_holidays(year) if n in ("清明节", "端午节", "中秋节")]
    assert len(lunar) == 6
    for day in lunar:
        assert not official.is_working_day(day), day


@pytest.mark.parametrize("start,amount,unit,due", [
    ("2027-06-01", 1, W, "2027-06-02"),
    ("2026-12-02", 30, C, "2027-01-04"),  # Fri 2027-01-01 is 元旦 even before the schedule is published
    ("2026-12-31", 1, M, "2027-02-01"),  # Sun Jan 31 rolls to Monday
    ("2027-02-04", 1, W, "2027-02-09"),  # 除夕 Fri Feb 5; 初一–初三 Sat–Mon
    ("2027-09-14", 1, W, "2027-09-16"),  # 中秋 Wed Sep 15
    ("2003-09-30", 1, W, "2003-10-01"),  # before the data and before the 2024 rules: Mon–Fri
])
def test_provisional_periods(cal, start, amount, unit, due):
    result = cal.add(D(start), amount, unit)
    assert result.date == D(due) and result.provisional
    assert PROVISIONAL_NOTE in result.explain()


def test_known_due_is_not_provisional(cal):
    assert not cal.add(D("2026-12-01"), 30, C).provisional  # 2026-12-31
    assert not cal.add(D("2026-12-30"), 1, W).provisional


def test_provisional_only_for_classified_days():
    # Only 2025 and 2027 entered: a calendar period from 2025 into 2027 never
    # classifies a 2026 day, a working period across 2026 does.
    cal = WorkCalendar(Schedule.from_rows([], [2025, 2027]))
    assert not cal.add(D("2025-12-01"), 400, C).provisional
    assert cal.add(D("2025-12-30"), 300, W).provisional


# --- amount 0, units, errors, custom schedules ----------------------------------

@pytest.mark.parametrize("unit", list(Unit))
def test_amount_zero_is_trigger_day_rolled(cal, unit):
    assert cal.add(D("2026-09-30"), 0, unit).date == D("2026-09-30")
    assert cal.add(D("2026-10-03"), 0, unit).date == D("2026-10-08")


def test_units_and_errors(cal):
    assert [u.label for u in Unit] == ["工作日", "日", "个月"]
    assert cal.add(D("2026-09-30"), 5, "working").date == D("2026-10-13")
    with pytest.raises(ValueError):
        cal.add(D("2026-09-30"), -1, W)
    with pytest.raises(ValueError):
        cal.add(D("2026-09-30"), 1, "weeks")


def test_from_rows():
    rows = [
        (D("2030-10-01"), False, "国庆节"),
        (D("2030-10-02"), False),
        (D("2030-10-12"), True, "国庆节"),  # a Saturday worked
        (D("2030-10-03"), False),
        (D("2030-10-03"), True),  # a later row wins
        (D("2031-01-06"), False, "x"),  # year not entered: ignored
    ]
    cal = WorkCalendar(Schedule.from_rows(rows, [2030]))
    assert not cal.is_working_day(D("2030-10-01")) and not cal.is_working_day(D("2030-10-02"))
    assert cal.is_working_day(D("2030-10-03")) and cal.is_working_day(D("2030-10-12"))
    assert cal.is_working_day(D("2031-01-06"))
    due = cal.add(D("2030-09-30"), 1, W)
    assert due.date == D("2030-10-03") and not due.provisional
    assert due.skipped == ((D("2030-10-01"), "国庆节"), (D("2030-10-02"), "节假日"))


def test_builtin_is_cached():
    assert Schedule.builtin() is Schedule.builtin()
    assert WorkCalendar.builtin() is WorkCalendar.builtin()


def test_next_working_day_and_between(cal):
    assert cal.next_working_day(D("2026-10-01")) == D("2026-10-08")
    assert cal.next_working_day(D("2026-10-10")) == D("2026-10-10")
    assert cal.working_days_between(D("2026-09-30"), D("2026-10-13")) == 5
    assert cal.working_days_between(D("2025-01-27"), D("2025-02-08")) == 4
    assert cal.working_days_between(D("2026-09-30"), D("2026-09-30")) == 0
    assert cal.working_days_between(D("2026-10-13"), D("2026-09-30")) == 0


# --- properties --------------------------------------------------------------

def reference_is_working(day: date) -> bool:
    """Straight from the data file, without the calendar's shortcuts."""
    sched = holiday_data.SCHEDULES.get(day.year) if day.year <= LAST_KNOWN else None
    if sched is None:
        statutory = calmod.statutory_holidays(day.year) if day.year >= 2025 else ()
        return day.weekday() < 5 and day not in {d for d, _ in statutory}
    iso = day.isoformat()
    if any(d == iso for d, _ in sched["holidays"]):
        return False
    return day.weekday() < 5 or any(d == iso for d, _ in sched["workdays"])


known_dates = st.dates(date(2004, 1, 1), date(LAST_KNOWN, 12, 31))
PROPS = settings(deadline=None, max_examples=200)


@PROPS
@given(st.dates(date(1990, 1, 1), date(2035, 12, 31)))
def test_is_working_day_matches_data(day):
    assert CAL.is_working_day(day) == reference_is_working(day)


@PROPS
@given(known_dates, st.integers(1, 60))
def test_working_period_properties(start, n):
    cal = CAL
    due = cal.add(start, n, W)
    assert cal.is_working_day(due.date)
    assert cal.working_days_between(start, due.date) == n
    assert cal.working_days_between(start, due.date - timedelta(1)) == n - 1
    # Lower bound: the N-th day that is a weekday or a make-up day.
    bound, left = start, n
    while left:
        bound += timedelta(1)
        if bound.weekday() < 5 or bound in cal.schedule.extra_working_days:
            left -= 1
    assert due.date >= bound
    between = [start + timedelta(k) for k in range(1, (due.date - start).days)]
    assert [d for d, _ in due.skipped] == [d for d in between if not cal.is_working_day(d)]
    assert due.rolled_from is None
    assert due.provisional == (due.date.year > LAST_KNOWN)


@PROPS
@given(known_dates, st.integers(0, 400))
def test_calendar_period_properties(start, n):
    cal = CAL
    due = cal.add(start, n, C)
    nominal = start + timedelta(n)
    assert due.date >= nominal and cal.is_working_day(due.date)
    rolled = [nominal + timedelta(k) for k in range((due.date - nominal).days)]
    assert not any(cal.is_working_day(d) for d in rolled)
    assert [d for d, _ in due.skipped] == rolled
    assert due.rolled_from == (nominal if rolled else None)
    assert due.provisional == (due.date.year > LAST_KNOWN)


@PROPS
@given(known_dates, st.integers(0, 36))
def test_month_period_properties(start, n):
    cal = CAL
    due = cal.add(start, n, M)
    nominal = add_months(start, n)
    assert (nominal.year * 12 + nominal.month) - (start.year * 12 + start.month) == n
    assert nominal.day == min(start.day, monthrange(nominal.year, nominal.month)[1])
    assert cal.is_working_day(due.date)
    if due.rolled_from is None:
        assert due.date == nominal
    else:
        assert due.rolled_from == nominal and cal.is_working_day(due.date)
        assert not any(cal.is_working_day(nominal + timedelta(k)) for k in range((due.date - nominal).days))


@PROPS
@given(st.dates(date(2000, 1, 1), date(2030, 12, 31)), st.sampled_from(list(Unit)))
def test_zero_amount_is_next_working_day(day, unit):
    cal = CAL
    nxt = cal.next_working_day(day)
    assert cal.add(day, 0, unit).date == nxt
    assert nxt >= day and cal.is_working_day(nxt)
    assert cal.working_days_between(day, nxt) == (0 if nxt == day else 1)
