"""The referral lifecycle (SPEC §6) against a hand-written table: every
state × action × side, what the judge answers."""
from __future__ import annotations

from datetime import date

import pytest

from casesys.domain.calendar import Schedule, Unit, WorkCalendar
from casesys.domain.referrals import (
    REFERRAL_RULES,
    ReferralDates,
    ReferralFacts,
    ReferralRefused,
    Side,
    available_referral_actions,
    check_referral_action,
    median,
    referral_deadlines,
    rule_key,
)
from casesys.domain.referrals import (
    ReferralAction as A,
)
from casesys.domain.referrals import (
    ReferralKind as K,
)
from casesys.domain.referrals import (
    ReferralState as S,
)

SENDER, RECEIVER = Side.SENDER, Side.RECEIVER

# (state, action) → (side allowed, target); every pair not listed is refused.
EXPECTED = {
    ("draft", "send"): ("sender", "sent"),
    ("sent", "receive"): ("receiver", "received"),
    ("sent", "withdraw"): ("sender", "withdrawn"),
    ("received", "accept"): ("receiver", "accepted"),
    ("received", "decline"): ("receiver", "declined"),
    ("received", "withdraw"): ("sender", "withdrawn"),
    ("accepted", "start"): ("receiver", "in_progress"),
    ("in_progress", "reply"): ("receiver", "replied"),
    ("replied", "close"): ("sender", "closed"),
    ("declined", "close"): ("sender", "closed"),
}


@pytest.mark.parametrize("state", list(S))
@pytest.mark.parametrize("action", list(A))
@pytest.mark.parametrize("side", list(Side))
def test_the_table(state, action, side):
    facts = ReferralFacts(state=state, kind=K.INVESTIGATION_HELP, side=side, text="理由")
    expected = EXPECTED.get((state.value, action.value))
    if expected is None or expected[0] != side.value:
        with pytest.raises(ReferralRefused):
            check_referral_action(action, facts)
    else:
        assert check_referral_action(action, facts) == S(expected[1])


def test_no_withdrawal_after_acceptance():
    for state in (S.ACCEPTED, S.IN_PROGRESS, S.REPLIED, S.CLOSED):
        with pytest.raises(ReferralRefused, match="不能撤回"):
            check_referral_action(A.WITHDRAW, ReferralFacts(state, K.CLUE_TRANSFER, SENDER, text="x"))


def test_wrong_side_is_told_who_may():
    with pytest.raises(ReferralRefused, match="只有接收机关可以签收"):
        check_referral_action(A.RECEIVE, ReferralFacts(S.SENT, K.CLUE_TRANSFER, SENDER))


@pytest.mark.parametrize("action,state,message", [
    (A.DECLINE, S.RECEIVED, "请填写拒绝理由"), (A.WITHDRAW, S.SENT, "请填写撤回理由"), (A.REPLY, S.IN_PROGRESS, "请填写答复内容")])
def test_reasons_and_answers_are_required(action, state, message):
    side = SENDER if action == A.WITHDRAW else RECEIVER
    with pytest.raises(ReferralRefused, match=message):
        check_referral_action(action, ReferralFacts(state, K.SERVICE_HELP, side, text="  "))


def test_a_case_transfer_needs_the_senders_case():
    with pytest.raises(ReferralRefused, match="须关联本机关的案件"):
        check_referral_action(A.SEND, ReferralFacts(S.DRAFT, K.CASE_TRANSFER, SENDER))
    assert check_referral_action(A.SEND, ReferralFacts(S.DRAFT, K.CASE_TRANSFER, SENDER, has_sender_case=True)) == S.SENT


def test_available_actions_per_side():
    assert available_referral_actions(S.RECEIVED, RECEIVER) == [A.ACCEPT, A.DECLINE]
    assert available_referral_actions(S.RECEIVED, SENDER) == [A.WITHDRAW]
    assert available_referral_actions(S.CLOSED, SENDER) == []


CALENDAR = WorkCalendar(Schedule.from_rows([(date(2026, 10, d), False, "国庆节") for d in range(1, 9)]
                                           + [(date(2026, 10, 10), True, "国庆节调休")], [2026]))
RULES = {rule.key: rule for rule in REFERRAL_RULES}


def test_defaults_three_and_fifteen_working_days_urgent_kinds_shorter():
    assert (RULES[rule_key("ack", K.CLUE_TRANSFER)].amount, RULES[rule_key("reply", K.CLUE_TRANSFER)].amount) == (3, 15)
    assert RULES[rule_key("reply", K.SERVICE_HELP)].amount < 15
    assert RULES[rule_key("ack", K.JOINT_ENFORCEMENT)].amount < 3
    assert all(rule.unit == Unit.WORKING for rule in REFERRAL_RULES)
    assert len(RULES) == 2 * len(K)


def test_deadlines_count_working_days_over_the_national_day():
    # Sent Wed 2026-09-30 (in this calendar 10-01..08 off, Sat 10-10 a make-up day):
    # the working days after it are 10-09 (Fri), 10-10 (Sat, make-up), 10-12 (Mon).
    items = referral_deadlines(ReferralDates(K.CLUE_TRANSFER, date(2026, 9, 30)), RULES, CALENDAR)
    assert [(d.kind, d.due, d.met_on) for d in items] == [("referral_ack", date(2026, 10, 12), None)]
    items = referral_deadlines(ReferralDates(K.CLUE_TRANSFER, date(2026, 9, 30), date(2026, 10, 9),
                                             date(2026, 10, 20)), RULES, CALENDAR)
    assert [(d.kind, d.met_on) for d in items] == [("referral_ack", date(2026, 10, 9)),
                                                  ("referral_reply", date(2026, 10, 20))]
    # 15 working days from Fri 10-09: 10-10, 12–16, 19–23, 26–29 → 10-29
    assert items[1].due == date(2026, 10, 29)


def test_a_withdrawal_ends_what_was_owed():
    items = referral_deadlines(ReferralDates(K.CLUE_TRANSFER, date(2026, 11, 2), ended_on=date(2026, 11, 3)),
                               RULES, CALENDAR)
    assert items[0].met_on == date(2026, 11, 3)


def test_nothing_runs_before_sending():
    assert referral_deadlines(ReferralDates(K.CLUE_TRANSFER, None), RULES, CALENDAR) == []


def test_median():
    assert median([]) is None
    assert median([5, 1, 3]) == 3
    assert median([4, 1, 3, 2]) == 2.5
