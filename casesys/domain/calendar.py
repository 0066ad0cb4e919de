"""Working days and statutory periods (SPEC §9). Standard library only.

Working days are Monday–Friday, minus the State Council's public holidays,
plus its make-up working days (调休) on weekends. A year whose schedule has
not been entered counts Monday–Friday less the statutory holidays of
《全国年节及纪念日放假办法》 (lunar dates computed), and any deadline that depends on
such a year is *provisional*.

Periods (SPEC §9) start the day after the trigger:
- WORKING: the due date is the N-th working day after the trigger day.
- CALENDAR: trigger + N days; MONTHS: the same day-of-month N months after
  the trigger, or that month's last day where the day does not exist. Either
  one, ending on a non-working day, ends on the next working day.
- amount 0 (all units): the trigger day itself, carried to the next working
  day if it is not one.
- Days not counted (clock stops) and an extension month lengthen the period
  itself: they are added to the nominal end, and only the resulting last day
  moves to the next working day (SPEC §3, §9).
"""
from __future__ import annotations

import functools
from calendar import monthrange
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

from lunardate import LunarDate

from casesys.domain.enums import Labelled

Day = date  # the type, where a field named `date` hides it

__all__ = [
    "Due", "Schedule", "Unit", "WorkCalendar", "add_months",
    "WEEKEND", "WEEKEND_UNKNOWN_YEAR", "PROVISIONAL_NOTE", "statutory_holidays",
]

WEEKEND = "周末"
WEEKEND_UNKNOWN_YEAR = "周末（该年放假安排未录入）"
HOLIDAY = "节假日"  # an off day entered without a name
PROVISIONAL_NOTE = "（该年放假安排尚未公布，暂按周一至周五并扣除《全国年节及纪念日放假办法》规定的法定节假日计算，为临时日期）"
COMPUTED_HOLIDAY = "（法定节假日，推算）"
# 《全国年节及纪念日放假办法》 as amended in 2024 (in force 2025-01-01): the
# holidays it fixes apply to a year whose schedule is not entered from 2025 on.
STATUTORY_FROM_YEAR = 2025
LUNAR_LAST_YEAR = 2099  # lunardate covers 1900–2099


def _qingming(year: int) -> date:
    """清明 (solar term): the 21st-century formula [Y·D + C] − [Y/4], Y = year mod 100,
    D = 0.2422, C = 4.81; checked against the published schedules in the tests."""
    y = year % 100
    return date(year, 4, int(y * 0.2422 + 4.81) - y // 4)


@functools.cache
def statutory_holidays(year: int) -> tuple[tuple[date, str], ...]:
    """The days off 《全国年节及纪念日放假办法》 (2024) fixes for every year (SPEC §9):
    元旦 Jan 1; 春节 除夕 and 正月初一至初三; 清明; 劳动节 May 1–2; 端午 (五月初五);
    中秋 (八月十五); 国庆 Oct 1–3. Without the State Council's yearly 调休 and 补假,
    which only the published schedule fixes."""
    from datetime import timedelta

    new_year = LunarDate(year, 1, 1).to_solar_date()
    days = [(date(year, 1, 1), "元旦")]
    days += [(new_year + timedelta(n), "春节") for n in range(-1, 3)]
    days += [(_qingming(year), "清明节"), (date(year, 5, 1), "劳动节"), (date(year, 5, 2), "劳动节"),
             (LunarDate(year, 5, 5).to_solar_date(), "端午节"), (LunarDate(year, 8, 15).to_solar_date(), "中秋节")]
    days += [(date(year, 10, d), "国庆节") for d in (1, 2, 3)]
    # 除夕 of the next lunar year may fall on Dec 31 of this one? No: 正月初一 is
    # never before Jan 21, so every day here lies in `year`.
    return tuple(sorted(days))


class Unit(Labelled):
    WORKING = "working", "工作日"
    CALENDAR = "calendar", "日"
    MONTHS = "months", "个月"

    def quantity(self, amount: int) -> str:
        """'5 个工作日', '30 日', '2 个月'."""
        return f"{amount} 个{self.label}" if self is Unit.WORKING else f"{amount} {self.label}"


@dataclass(frozen=True)
class Schedule:
    """The exceptions to Monday–Friday for the years in `known_years`."""

    off_days: frozenset[date] = frozenset()
    extra_working_days: frozenset[date] = frozenset()  # 调休: weekend days worked
    known_years: frozenset[int] = frozenset()
    names: Mapping[date, str] = field(default_factory=lambda: MappingProxyType({}), compare=False)

    @classmethod
    def from_rows(
        cls,
        rows: Iterable[tuple[date, bool] | tuple[date, bool, str]],
        known_years: Iterable[int],
    ) -> Schedule:
        """Rows are `(day, is_working)` or `(day, is_working, name)`; a later
        row for the same day wins. Rows of years outside `known_years` are
        ignored: such a year counts Monday–Friday (SPEC §9)."""
        known = frozenset(known_years)
        working: dict[date, bool] = {}
        names: dict[date, str] = {}
        for day, is_working, *rest in rows:
            if day.year in known:
                working[day] = bool(is_working)
                if rest and rest[0]:
                    names[day] = rest[0]
        return cls(
            off_days=frozenset(d for d, w in working.items() if not w),
            extra_working_days=frozenset(d for d, w in working.items() if w),
            known_years=known,
            names=MappingProxyType(names),
        )

    @classmethod
    def builtin(cls) -> Schedule:
        """The official schedules shipped in holiday_data (cached)."""
        return _builtin_schedule()


@functools.cache
def _builtin_schedule() -> Schedule:
    from casesys.domain.holiday_data import SCHEDULES

    rows = [
        (date.fromisoformat(day), kind == "workdays", name)
        for year in SCHEDULES.values()
        for kind in ("holidays", "workdays")
        for day, name in year[kind]
    ]
    return Schedule.from_rows(rows, SCHEDULES)


def add_months(day: date, months: int) -> date:
    """Same day-of-month `months` later, clamped to that month's last day."""
    year, month0 = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month0 + 1, min(day.day, monthrange(year, month0 + 1)[1]))


@dataclass(frozen=True)
class Due:
    start: date  # the triggering event's day
    amount: int
    unit: Unit
    date: Day  # the due date
    provisional: bool
    skipped: tuple[tuple[Day, str], ...] = ()  # non-working days passed over, with reason
    rolled_from: Day | None = None  # the nominal end, when it was carried forward
    extra_months: int = 0  # an approved extension, added to the nominal end
    stopped_days: int = 0  # days not counted (clock stops), added to the nominal end

    def explain(self) -> str:
        """One Chinese sentence telling how the due date was reached."""
        text = f"自 {self.start} {'次日' if self.amount else ''}起算 {Unit(self.unit).quantity(self.amount)}"
        if self.extra_months:
            text += f"，经批准延长 {self.extra_months} 个月"
        if self.stopped_days:
            text += f"，加上期限中止等不计入的 {self.stopped_days} 日"
        if self.rolled_from:
            text += f"至 {self.rolled_from}，该日为非工作日，顺延"
        elif self.skipped:
            text += "，"
        if self.skipped:
            text += "跳过 " + "、".join(_ranges(self.skipped))
        note = PROVISIONAL_NOTE if self.provisional else ""
        return f"{text}，届满日为 {self.date}{note}。"


def _ranges(skipped: tuple[tuple[date, str], ...]) -> list[str]:
    """Consecutive days with the same reason as 'A 至 B reason'."""
    groups: list[list] = []  # [first, last, reason]
    for day, reason in skipped:
        if groups and groups[-1][2] == reason and (day - groups[-1][1]).days == 1:
            groups[-1][1] = day
        else:
            groups.append([day, day, reason])
    return [f"{a} {r}" if a == b else f"{a} 至 {b} {r}" for a, b, r in groups]


class WorkCalendar:
    def __init__(self, schedule: Schedule):
        self.schedule = schedule
        known = schedule.known_years
        # Day ordinals for speed; exceptions outside known years never apply (SPEC §9).
        self._off = frozenset(d.toordinal() for d in schedule.off_days if d.year in known)
        self._extra = frozenset(d.toordinal() for d in schedule.extra_working_days if d.year in known)
        self._known = known
        # SPEC §9: a year not entered still has its statutory holidays (computed).
        self._computed = {
            day.toordinal(): name + COMPUTED_HOLIDAY
            for year in range(STATUTORY_FROM_YEAR, LUNAR_LAST_YEAR + 1) if year not in known
            for day, name in statutory_holidays(year)
        }
        self._off = self._off | frozenset(self._computed)

    @classmethod
    def builtin(cls) -> WorkCalendar:
        return _builtin_calendar()

    def _working(self, ordinal: int) -> bool:
        # date.fromordinal(1) is a Monday, so (ordinal - 1) % 7 is the weekday.
        return ordinal not in self._off and (ordinal in self._extra or (ordinal - 1) % 7 < 5)

    def _reason(self, ordinal: int) -> str:
        day = date.fromordinal(ordinal)
        if day.year not in self._known:
            return self._computed.get(ordinal, WEEKEND_UNKNOWN_YEAR)
        return self.schedule.names.get(day) or (WEEKEND if day.weekday() >= 5 else HOLIDAY)

    def is_working_day(self, day: date) -> bool:
        return self._working(day.toordinal())

    def is_known(self, day: date) -> bool:
        return day.year in self._known

    def next_working_day(self, day: date) -> date:
        """`day` itself if it is a working day, else the next one."""
        o = day.toordinal()
        while not self._working(o):
            o += 1
        return date.fromordinal(o)

    def working_days_between(self, a: date, b: date) -> int:
        """Working days in (a, b]; 0 when b <= a."""
        return sum(1 for o in range(a.toordinal() + 1, b.toordinal() + 1) if self._working(o))

    def add(self, start: date, amount: int, unit: Unit | str, *, extra_months: int = 0,
            stopped_days: int = 0) -> Due:
        """The due date of a period of `amount` units triggered on `start` (SPEC §9),
        lengthened by `extra_months` (an extension) and `stopped_days` (days not
        counted): SPEC §3 — closing day = nominal end + extension + days not
        counted, and only that day moves to the next working day."""
        unit = Unit(unit)
        if amount < 0 or extra_months < 0 or stopped_days < 0:
            raise ValueError("期间不能为负数")
        s = start.toordinal()
        skipped: list[int] = []
        if unit is Unit.WORKING:
            o, left = s, amount
            while left:
                o += 1
                if self._working(o):
                    left -= 1
                else:
                    skipped.append(o)
            first_classified = s + 1 if amount else s
        elif unit is Unit.CALENDAR:
            o = s + amount
        else:
            o = add_months(start, amount).toordinal()
        if extra_months:  # the extension runs on from the nominal end (民法典 第二百零一条)
            o = add_months(date.fromordinal(o), extra_months).toordinal()
        o += stopped_days
        if unit is not Unit.WORKING:
            first_classified = o  # only the end of a calendar or month period is classified
        nominal = o
        while not self._working(o):  # a period ending on a non-working day rolls over
            skipped.append(o)
            o += 1
        due = date.fromordinal(o)
        first_year = date.fromordinal(first_classified).year
        return Due(
            start=start,
            amount=amount,
            unit=unit,
            date=due,
            provisional=any(y not in self._known for y in range(first_year, due.year + 1)),
            skipped=tuple((date.fromordinal(d), self._reason(d)) for d in skipped),
            rolled_from=date.fromordinal(nominal) if o != nominal else None,
            extra_months=extra_months,
            stopped_days=stopped_days,
        )


@functools.cache
def _builtin_calendar() -> WorkCalendar:
    return WorkCalendar(Schedule.builtin())

