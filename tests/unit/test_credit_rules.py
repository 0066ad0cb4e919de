"""The credit record lifecycle as data (SPEC §7): every allowed step, what
each needs, and that nothing else is allowed."""
from datetime import date

import pytest

from casesys.domain.calendar import Unit, WorkCalendar
from casesys.domain.credit import (
    TRANSITIONS,
    CreditRefused,
    actions_from,
    check_transition,
    display_state,
    is_public,
    repeat_window_start,
)
from casesys.domain.credit import (
    CreditAction as A,
)
from casesys.domain.credit import (
    CreditState as S,
)

TODAY = date(2026, 5, 20)
FULL = {"basis": "依据", "publish_months": 12, "reason": "理由", "notice": object(), "notified_on": TODAY,
        "objection": "异议", "received_on": TODAY}


@pytest.mark.parametrize("state, action, target", [
    (S.CANDIDATE, A.CONFIRM, S.CONFIRMED), (S.CANDIDATE, A.REJECT, S.REJECTED), (S.CONFIRMED, A.NOTIFY, S.NOTIFIED),
    (S.NOTIFIED, A.OBJECT, S.OBJECTED), (S.OBJECTED, A.DISMISS_OBJECTION, S.NOTIFIED),
    (S.OBJECTED, A.SUSTAIN_OBJECTION, S.WITHDRAWN), (S.CONFIRMED, A.WITHDRAW, S.WITHDRAWN),
    (S.NOTIFIED, A.WITHDRAW, S.WITHDRAWN),
])
def test_allowed_steps(state, action, target):
    assert check_transition(state, action, FULL, today=TODAY) == target


def test_nothing_else_is_allowed():
    allowed = set(TRANSITIONS)
    for state in S:
        for action in A:
            if (state, action) not in allowed:
                with pytest.raises(CreditRefused, match="不能"):
                    check_transition(state, action, FULL, today=TODAY)
    assert actions_from(S.REJECTED) == [] and actions_from(S.WITHDRAWN) == []


@pytest.mark.parametrize("state, action, missing, message", [
    (S.CANDIDATE, A.CONFIRM, "basis", "认定依据"), (S.CANDIDATE, A.CONFIRM, "publish_months", "公示期限"),
    (S.CANDIDATE, A.REJECT, "reason", "理由"), (S.CONFIRMED, A.NOTIFY, "notice", "告知书"),
    (S.NOTIFIED, A.OBJECT, "objection", "异议内容"), (S.OBJECTED, A.SUSTAIN_OBJECTION, "reason", "理由"),
])
def test_each_step_needs_its_facts(state, action, missing, message):
    with pytest.raises(CreditRefused, match=message):
        check_transition(state, action, {**FULL, missing: ""}, today=TODAY)


def test_dates_in_the_future_and_late_objections_are_refused():
    with pytest.raises(CreditRefused, match="不能晚于今天"):
        check_transition(S.CONFIRMED, A.NOTIFY, {**FULL, "notified_on": date(2026, 5, 21)}, today=TODAY)
    with pytest.raises(CreditRefused, match="逾期异议"):
        check_transition(S.NOTIFIED, A.OBJECT, FULL, today=TODAY, objection_due_on=date(2026, 5, 19))
    with pytest.raises(CreditRefused, match="1 至 60"):
        check_transition(S.CANDIDATE, A.CONFIRM, {**FULL, "publish_months": 61}, today=TODAY)


def test_public_only_after_the_objection_period_and_within_the_publication_period():
    due, until = date(2026, 10, 23), date(2027, 10, 23)
    assert not is_public(S.NOTIFIED, today=due, objection_due_on=due, publish_until=until)
    assert is_public(S.NOTIFIED, today=date(2026, 10, 24), objection_due_on=due, publish_until=until)
    assert is_public(S.NOTIFIED, today=until, objection_due_on=due, publish_until=until)
    assert not is_public(S.NOTIFIED, today=date(2027, 10, 24), objection_due_on=due, publish_until=until)
    assert not is_public(S.OBJECTED, today=date(2026, 11, 1), objection_due_on=due, publish_until=until)
    assert display_state(S.NOTIFIED, today=date(2027, 10, 24), objection_due_on=due, publish_until=until) == "公示期满"


def test_objection_period_of_15_working_days_skips_the_national_day_holiday():
    # Served on Monday 2026-09-28: the 国庆 days off (10-01…10-07) do not count,
    # the make-up Saturday 10-10 does.
    due = WorkCalendar.builtin().add(date(2026, 9, 28), 15, Unit.WORKING)
    assert due.date == date(2026, 10, 23) and not due.provisional


def test_the_window_counts_back_whole_years_also_from_29_february():
    assert repeat_window_start(date(2026, 3, 1), 5) == date(2021, 3, 1)
    assert repeat_window_start(date(2028, 2, 29), 5) == date(2023, 2, 28)
