"""Deadlines of a case (SPEC §3, §4, §9): each rule with real 2026 dates."""
from datetime import date, timedelta

import pytest

from casesys.domain.deadlines import ClockStop, DeadlineFacts, Party, compute_deadlines, rules_by_key, urgency
from casesys.domain.enums import Procedure
from tests.calendars import calendar_up_to

CAL = calendar_up_to(2026)  # 2027 on unpublished by construction
RULES = rules_by_key()
TODAY = date(2026, 11, 27)


def due(facts, kind, today=TODAY):
    return next(d for d in compute_deadlines(facts, RULES, CAL, today) if d.kind == kind)


def test_received_only_has_the_acceptance_limit():
    items = compute_deadlines(DeadlineFacts(Procedure.ORDINARY, date(2026, 2, 12)), RULES, CAL, TODAY)
    assert [d.kind for d in items] == ["acceptance"]
    # 2-13 (Fri), 2-14 (Sat, 调休上班), then 春节 2-15..2-23, 2-24, 2-25, 2-26
    assert items[0].due == date(2026, 2, 26)


@pytest.mark.parametrize("procedure, accepted, closing", [
    (Procedure.ORDINARY, date(2026, 1, 30), date(2026, 4, 30)),    # 3 months
    (Procedure.ORDINARY, date(2025, 11, 30), date(2026, 2, 28)),   # 3 months → 2-28, a make-up Saturday: no roll
    (Procedure.ORDINARY, date(2026, 3, 7), date(2026, 6, 8)),      # 3 months → 6-07 Sun → 6-08
    (Procedure.SIMPLIFIED, date(2026, 1, 20), date(2026, 2, 24)),  # 30 days → 2-19 in 春节 → 2-24
    (Procedure.SIMPLIFIED, date(2026, 9, 5), date(2026, 10, 8)),   # 30 days → 10-05 国庆 → 10-08
])
def test_closing_limit_per_procedure(procedure, accepted, closing):
    assert due(DeadlineFacts(procedure, accepted, accepted_on=accepted), "closing").due == closing


def test_answer_period_is_shorter_in_the_simplified_procedure_only_if_agreed():
    base = dict(received_on=date(2026, 4, 1), accepted_on=date(2026, 4, 2), served_on=date(2026, 4, 7))
    assert due(DeadlineFacts(Procedure.ORDINARY, **base), "answer").due == date(2026, 4, 22)
    assert due(DeadlineFacts(Procedure.SIMPLIFIED, **base), "answer").due == date(2026, 4, 22)
    assert due(DeadlineFacts(Procedure.SIMPLIFIED, short_answer_agreed=True, **base), "answer").due == date(2026, 4, 17)


def test_clock_stops_move_the_closing_limit_and_an_open_stop_pauses_it():
    base = dict(received_on=date(2026, 3, 1), accepted_on=date(2026, 3, 2))
    plain = due(DeadlineFacts(Procedure.ORDINARY, **base), "closing")
    stopped = due(DeadlineFacts(Procedure.ORDINARY, stops=(ClockStop("appraisal", date(2026, 3, 10), date(2026, 3, 20)),),
                                **base), "closing")
    assert (plain.due, stopped.due) == (date(2026, 6, 2), date(2026, 6, 12))
    running = due(DeadlineFacts(Procedure.ORDINARY, stops=(ClockStop("suspension", date(2026, 3, 10), None),), **base),
                  "closing", today=date(2026, 3, 15))
    assert running.paused and running.due == date(2026, 6, 8)  # 5 days so far → 6-07 Sun → 6-08


# Issue 9.1 (SPEC §3, §9): closing day = nominal end (+ extension month) + days not
# counted; only that day moves to the next working day.
@pytest.mark.parametrize("procedure, accepted, extended, stopped, closing", [
    (Procedure.ORDINARY, date(2025, 7, 1), False, 10, date(2025, 10, 11)),   # a make-up Saturday (old: 10-20)
    (Procedure.ORDINARY, date(2025, 7, 1), True, 10, date(2025, 11, 11)),    # old: 11-13
    (Procedure.ORDINARY, date(2025, 10, 31), False, 10, date(2026, 2, 10)),  # old: 02-12
    (Procedure.ORDINARY, date(2026, 7, 4), False, 3, date(2026, 10, 8)),     # 10-07 in 国庆 → 10-08 (old: 10-12)
    (Procedure.SIMPLIFIED, date(2026, 9, 1), False, 4, date(2026, 10, 8)),   # 10-01 + 4 = 10-05 → 10-08 (old: 10-12)
    (Procedure.ORDINARY, date(2026, 3, 2), False, 0, date(2026, 6, 2)),
])
def test_days_not_counted_lengthen_the_period_before_the_move_to_a_working_day(
        procedure, accepted, extended, stopped, closing):
    stops = (ClockStop("suspension", accepted + timedelta(5), accepted + timedelta(5 + stopped)),) if stopped else ()
    facts = DeadlineFacts(procedure, accepted, accepted_on=accepted, extended=extended, stops=stops)
    item = due(facts, "closing", today=accepted + timedelta(60))
    assert item.due == closing
    if stopped:
        assert f"不计入的 {stopped} 日" in item.explanation


def test_extension_adds_one_month_after_the_original_limit():
    base = dict(received_on=date(2026, 3, 1), accepted_on=date(2026, 3, 2))
    assert due(DeadlineFacts(Procedure.ORDINARY, extended=True, **base), "closing").due == date(2026, 7, 2)


def test_extension_counts_from_the_limit_not_from_the_day_it_was_moved_to():
    # 2026-11-28 + 3 months = 2027-02-28 (Sun, provisional year) → rolled to 03-01;
    # the extension month runs from 02-28: 03-28 (Sun) → 03-29, not 04-01.
    base = dict(received_on=date(2026, 11, 27), accepted_on=date(2026, 11, 28))
    assert due(DeadlineFacts(Procedure.ORDINARY, **base), "closing").due == date(2027, 3, 1)
    assert due(DeadlineFacts(Procedure.ORDINARY, extended=True, **base), "closing").due == date(2027, 3, 29)


def test_met_deadlines_carry_the_date_they_were_met():
    facts = DeadlineFacts(Procedure.ORDINARY, date(2026, 3, 2), accepted_on=date(2026, 3, 4),
                          served_on=date(2026, 3, 6), decided_on=date(2026, 5, 1))
    assert due(facts, "acceptance").met_on == date(2026, 3, 4)
    assert due(facts, "service").met_on == date(2026, 3, 6)
    assert due(facts, "closing").met_on == date(2026, 5, 1)


def test_deadline_in_a_year_without_a_schedule_is_provisional():
    # 12-29, 12-30, 12-31, (2027-01-01 元旦, statutory even unpublished), 01-04, 01-05
    item = due(DeadlineFacts(Procedure.ORDINARY, date(2026, 12, 28)), "acceptance")
    assert item.provisional and item.due == date(2027, 1, 5)
    assert "临时" in item.explanation


def test_explanation_names_trigger_rule_and_skipped_days():
    item = due(DeadlineFacts(Procedure.ORDINARY, date(2026, 9, 30)), "acceptance")
    assert item.due == date(2026, 10, 13)
    for part in ("决定是否受理", "2026-09-30", "国庆节", "2026-10-13", "依据：《专利纠纷行政裁决和调解办法》"):
        assert part in item.explanation
    assert "SPEC" not in item.explanation


def test_every_rule_cites_the_law_not_the_specification():
    # Issue 9.4: users see the legal source; the right to sue is 专利法第六十五条.
    assert all(rule.basis.startswith("《") and "SPEC" not in rule.basis for rule in RULES.values())
    assert RULES["right_to_sue"].basis == "《中华人民共和国专利法》第六十五条"


@pytest.mark.parametrize("due_on, today, owner, expected", [
    (date(2026, 5, 6), date(2026, 5, 5), Party.OFFICE, "open"),
    (date(2026, 5, 6), date(2026, 5, 6), Party.OFFICE, "due_today"),
    (date(2026, 5, 6), date(2026, 5, 7), Party.OFFICE, "overdue"),
    (date(2026, 5, 6), date(2026, 5, 7), Party.PARTY, "expired"),
])
def test_urgency_flags_from_the_due_day(due_on, today, owner, expected):
    class Row:
        pass

    row = Row()
    row.due_on, row.met_on, row.owner = due_on, None, owner
    assert urgency(row, today) == expected
