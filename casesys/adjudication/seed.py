"""Reference data every installation starts with: the default deadline rules
(SPEC §3, §4) and the published calendars (SPEC §9). Used by migration 0003
and by the tests that start from empty tables."""
from __future__ import annotations

from datetime import date

from casesys.core import clock
from casesys.domain.deadlines import DEFAULT_RULES
from casesys.domain.holiday_data import SCHEDULES
from casesys.domain.referrals import REFERRAL_RULES

BUILTIN_SOURCE = "国务院办公厅公布的放假安排（内置数据）"


def reference_rows() -> dict[str, list[dict]]:
    now = clock.utcnow()
    return {
        "deadline_rules": [
            {"key": r.key, "label": r.label, "amount": r.amount, "unit": r.unit.value, "trigger": r.trigger,
             "basis": r.basis, "owner": r.owner.value, "updated_at": now} for r in DEFAULT_RULES + REFERRAL_RULES],
        "calendar_days": [
            {"day": date.fromisoformat(day), "is_working": kind == "workdays", "name": name}
            for schedule in SCHEDULES.values() for kind in ("holidays", "workdays") for day, name in schedule[kind]],
        "calendar_years": [{"year": year, "source": BUILTIN_SOURCE, "entered_at": now} for year in SCHEDULES],
    }
