"""Mediation rules (SPEC §5): consent, conflicts of interest, amounts, terms."""
from datetime import date
from decimal import Decimal

import pytest

from casesys.domain.mediation import (
    Consent,
    MediationStatus,
    MediatorFacts,
    PartyFacts,
    conflict_reason,
    consent_outcome,
    parse_amount,
    term_status,
)

DUE = date(2026, 12, 1)


@pytest.mark.parametrize("consents, today, expected", [
    ([Consent.AGREED, Consent.AGREED, Consent.AGREED], date(2026, 11, 20), MediationStatus.MEDIATING),
    ([Consent.AGREED, Consent.PENDING, Consent.AGREED], date(2026, 11, 20), None),
    ([Consent.AGREED, Consent.PENDING], DUE, None),                      # the last day still counts
    ([Consent.AGREED, Consent.PENDING], date(2026, 12, 2), MediationStatus.FAILED),  # silence
    ([Consent.AGREED, Consent.REFUSED, Consent.AGREED], date(2026, 11, 20), MediationStatus.FAILED),
])
def test_consent(consents, today, expected):
    assert consent_outcome(consents, due=DUE, today=today) == expected


PARTIES = [PartyFacts("武汉光谷激光科技有限公司", "91420100AY4CL12T2H", ("湖北珞珈律师事务所",)),
           PartyFacts("长沙湘江机械制造有限公司", "91430100MA4L0XXX0X")]


@pytest.mark.parametrize("mediator, fragment", [
    (MediatorFacts("甲", "武汉光谷激光科技有限公司"), "同一单位"),
    (MediatorFacts("乙", "湖北珞珈律师事务所"), "代理人属于同一单位"),
    (MediatorFacts("丙", "湖北省专利保护协会", "长沙湘江机械制造有限公司"), "申报"),
    (MediatorFacts("丁", "湖北省专利保护协会", "91420100AY4CL12T2H"), "申报"),
    (MediatorFacts("戊", "湖北省专利保护协会", ""), None),
])
def test_conflicts(mediator, fragment):
    reason = conflict_reason(mediator, PARTIES)
    assert (reason is None) if fragment is None else (fragment in reason)


@pytest.mark.parametrize("text, value", [("50000", Decimal("50000")), ("12,500.50", Decimal("12500.50")),
                                         (" 1 ", Decimal("1"))])
def test_amounts(text, value):
    assert parse_amount(text) == value


@pytest.mark.parametrize("text, message", [("abc", "金额应为数字"), ("-5", "大于零"), ("0", "大于零"),
                                           ("1.234", "两位小数"), ("NaN", "大于零"), ("1e13", "金额过大")])
def test_bad_amounts(text, message):
    with pytest.raises(ValueError, match=message):
        parse_amount(text)


def test_term_status():
    assert term_status(date(2026, 11, 1), None, date(2026, 11, 2)) == "overdue"
    assert term_status(date(2026, 11, 1), None, date(2026, 11, 1)) == "due"
    assert term_status(date(2026, 11, 1), date(2026, 11, 3), date(2026, 11, 9)) == "done"
