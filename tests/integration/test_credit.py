"""Credit supervision (SPEC §7): repeat infringers across offices, credit
records from candidate to publication, objections, withdrawal."""
from datetime import date, timedelta

import pytest

from casesys.cases.models import Party
from casesys.core import clock
from casesys.core.settings import set_setting
from casesys.credit.models import CreditRecord
from casesys.credit.services import (
    apply_credit_action,
    record_forged_evidence,
    record_ruling_not_performed,
    repeat_infringements,
    scan_candidates,
)
from casesys.documents.services import approve_document, create_draft, submit
from casesys.domain.credit import CreditAction, CreditReason, CreditRefused, CreditState
from casesys.domain.enums import PartyKind, PartyRole, Role

DAY = date(2026, 3, 2)  # a Monday; no holiday in the next 15 working days


def _decide(case, on: date, outcome: str = "infringement") -> None:
    case.decision_outcome, case.decided_on = outcome, on


def _same_respondent(case, other) -> Party:
    """Make `case`'s first respondent the same organisation as `other`'s."""
    mine = case.parties_in(PartyRole.RESPONDENT)[0]
    mine.credit_code = other.parties_in(PartyRole.RESPONDENT)[0].credit_code
    return mine


@pytest.fixture
def two_offices(factory):
    first, second = factory.office(name="武汉市知识产权局", prefix="武知保"), factory.office(name="宜昌市知识产权局", prefix="宜知保")
    return ({"officer": factory.user(Role.OFFICER, office=first), "chief": factory.user(Role.SUPERVISOR, office=first)},
            {"officer": factory.user(Role.OFFICER, office=second), "chief": factory.user(Role.SUPERVISOR, office=second),
             "chief2": factory.user(Role.SUPERVISOR, office=second)})


def test_repeat_infringer_is_found_across_offices_and_shown_on_the_case_and_party_pages(
        db, factory, client, login_as, two_offices):
    wuhan, yichang = two_offices
    earlier = factory.case(wuhan["officer"])
    _decide(earlier, clock.today() - timedelta(days=400))
    current = factory.case(yichang["officer"])
    respondent = _same_respondent(current, earlier)
    db.session.commit()
    found = repeat_infringements(current)
    assert [f.case_id for f in found[respondent.id]] == [earlier.id]

    login_as(yichang["officer"])
    page = client.get(f"/cases/{current.id}").get_data(as_text=True)
    assert "重复侵权" in page and earlier.number in page and "武汉市知识产权局" in page
    assert f"/credit/parties/{respondent.credit_code}" in page
    party_page = client.get(f"/credit/parties/{respondent.credit_code}").get_data(as_text=True)
    assert earlier.number in party_page and current.number in party_page
    assert f"/cases/{earlier.id}\"" not in party_page  # another office's case: listed, not linked
    assert f"/cases/{current.id}\"" in party_page


def test_the_window_is_a_setting_and_a_dismissed_request_does_not_count(db, factory, two_offices):
    wuhan, yichang = two_offices
    old = factory.case(wuhan["officer"])
    _decide(old, clock.today() - timedelta(days=6 * 366))
    dismissed = factory.case(wuhan["officer"])
    _decide(dismissed, clock.today() - timedelta(days=30), outcome="dismissed")
    current = factory.case(yichang["officer"])
    respondent = _same_respondent(current, old)
    dismissed.parties_in(PartyRole.RESPONDENT)[0].credit_code = respondent.credit_code
    db.session.commit()
    assert repeat_infringements(current) == {}
    set_setting("repeat_infringement_years", 7, actor_id=None)
    assert [f.case_id for f in repeat_infringements(current)[respondent.id]] == [old.id]


def test_a_person_is_recognised_by_id_number(db, factory, two_offices):
    wuhan, yichang = two_offices
    earlier, current = factory.case(wuhan["officer"]), factory.case(yichang["officer"])
    number = factory.resident_id()
    for case in (earlier, current):
        case.parties.append(Party(role=PartyRole.RESPONDENT, position=5, kind=PartyKind.PERSON, name="王小二",
                                  id_number=number, address="湖北省宜昌市西陵区某路1号", phone="13800000000"))
    _decide(earlier, clock.today() - timedelta(days=10))
    db.session.commit()
    person = next(p for p in current.parties if p.id_number == number)
    assert list(repeat_infringements(current)) == [person.id]


def _candidate(db, factory, two_offices) -> CreditRecord:
    wuhan, yichang = two_offices
    earlier, current = factory.case(wuhan["officer"]), factory.case(yichang["officer"])
    _same_respondent(current, earlier)
    _decide(earlier, DAY - timedelta(days=200))
    _decide(current, DAY - timedelta(days=20))
    db.session.commit()
    with clock.frozen(DAY):
        created = scan_candidates()
        assert scan_candidates() == []  # each finding once
    db.session.commit()
    assert len(created) == 1 and created[0].reason == CreditReason.REPEAT_INFRINGEMENT
    assert created[0].case_id == current.id and earlier.number in created[0].finding
    return created[0]


def _notified(db, factory, two_offices) -> CreditRecord:
    _, yichang = two_offices
    record = _candidate(db, factory, two_offices)
    with clock.frozen(DAY):
        apply_credit_action(record, CreditAction.CONFIRM, {"basis": "《湖北省知识产权保护条例》有关信用监管的规定",
                                                            "publish_months": 12}, actor=yichang["chief"])
        notice = create_draft(record.case, "credit_notice", actor=yichang["officer"])
        assert record.subject_name in notice.texts["body"] and "15个工作日" in notice.texts["body"]
        submit(notice, actor=yichang["officer"])
        approve_document(notice, actor=yichang["chief"], today=DAY)
        apply_credit_action(record, CreditAction.NOTIFY, {"notice": notice, "notified_on": DAY}, actor=yichang["officer"])
    db.session.commit()
    return record


def test_confirming_needs_a_basis_and_a_period(db, factory, two_offices):
    record = _candidate(db, factory, two_offices)
    chief = two_offices[1]["chief"]
    with pytest.raises(CreditRefused, match="认定依据"):
        apply_credit_action(record, CreditAction.CONFIRM, {"basis": "", "publish_months": 12}, actor=chief)
    with pytest.raises(CreditRefused, match="公示期限"):
        apply_credit_action(record, CreditAction.CONFIRM, {"basis": "依据", "publish_months": 0}, actor=chief)
    with pytest.raises(CreditRefused, match="不能告知当事人"):
        apply_credit_action(record, CreditAction.NOTIFY, {"notice": None, "notified_on": DAY}, actor=chief)
    with pytest.raises(CreditRefused, match="理由"):
        apply_credit_action(record, CreditAction.REJECT, {"reason": ""}, actor=chief)
    apply_credit_action(record, CreditAction.REJECT, {"reason": "前案裁决已被法院撤销"}, actor=chief)
    assert record.state == CreditState.REJECTED


def test_published_after_the_objection_period_in_working_days_until_the_period_ends(db, factory, client, two_offices):
    record = _notified(db, factory, two_offices)
    # SPEC §7, §9: 15 working days from the day after service, 2026-03-02 → 2026-03-23.
    assert record.objection_due_on == date(2026, 3, 23) and record.publish_until == date(2027, 3, 23)
    with clock.frozen(date(2026, 3, 23)):
        assert client.get(f"/public/dishonesty/{record.slug}").status_code == 404
        assert record.slug not in client.get("/public/?kind=dishonesty").get_data(as_text=True)
    with clock.frozen(date(2026, 3, 24)):
        page = client.get(f"/public/dishonesty/{record.slug}")
        assert page.status_code == 200 and record.subject_name in page.get_data(as_text=True)
        assert record.slug in client.get("/public/?kind=dishonesty").get_data(as_text=True)
        with pytest.raises(CreditRefused, match="逾期异议"):
            apply_credit_action(record, CreditAction.OBJECT, {"objection": "不服", "received_on": date(2026, 3, 24)},
                                actor=two_offices[1]["officer"])
    with clock.frozen(date(2027, 3, 24)):
        assert client.get(f"/public/dishonesty/{record.slug}").status_code == 410


def test_an_objection_in_time_holds_publication_until_decided(db, factory, client, two_offices):
    _, yichang = two_offices
    record = _notified(db, factory, two_offices)
    with clock.frozen(date(2026, 3, 10)):
        apply_credit_action(record, CreditAction.OBJECT, {"objection": "前案已履行完毕", "received_on": date(2026, 3, 9)},
                            actor=yichang["officer"])
        db.session.commit()
    with clock.frozen(date(2026, 4, 1)):
        assert client.get(f"/public/dishonesty/{record.slug}").status_code == 404
        apply_credit_action(record, CreditAction.DISMISS_OBJECTION, {"reason": "异议理由不成立"}, actor=yichang["chief"])
        db.session.commit()
        assert client.get(f"/public/dishonesty/{record.slug}").status_code == 200
        apply_credit_action(record, CreditAction.WITHDRAW, {"reason": "当事人已主动纠正"}, actor=yichang["chief"])
        db.session.commit()
    with clock.frozen(date(2026, 4, 2)):
        assert client.get(f"/public/dishonesty/{record.slug}").status_code == 410
    assert record.state == CreditState.WITHDRAWN


def test_a_notice_of_another_case_or_unsigned_is_refused(db, factory, two_offices):
    _, yichang = two_offices
    record = _candidate(db, factory, two_offices)
    with clock.frozen(DAY):
        apply_credit_action(record, CreditAction.CONFIRM, {"basis": "依据", "publish_months": 6}, actor=yichang["chief"])
        draft = create_draft(record.case, "credit_notice", actor=yichang["officer"])
        with pytest.raises(CreditRefused, match="已签发的信用记录告知书"):
            apply_credit_action(record, CreditAction.NOTIFY, {"notice": draft, "notified_on": DAY}, actor=yichang["officer"])


def test_ruling_not_performed_only_after_the_right_to_sue_period(db, factory, team):
    case = factory.case(team["officer"])
    _decide(case, DAY - timedelta(days=30))
    case.decision_served_on = DAY - timedelta(days=10)
    respondent = case.parties_in(PartyRole.RESPONDENT)[0]
    db.session.commit()
    with clock.frozen(DAY), pytest.raises(CreditRefused, match="起诉期限届满"):
        record_ruling_not_performed(case, respondent, note="仍在销售", actor=team["officer"])
    with clock.frozen(DAY + timedelta(days=10)):
        record = record_ruling_not_performed(case, respondent, note="2026年3月12日现场检查仍在销售", actor=team["officer"])
        assert record.state == CreditState.CANDIDATE and record.reason == CreditReason.RULING_NOT_PERFORMED
        with pytest.raises(CreditRefused, match="已登记过"):
            record_ruling_not_performed(case, respondent, note="again", actor=team["officer"])


def test_forged_evidence_is_recorded_against_its_submitter(db, factory, team):
    import io

    from casesys.cases.services import EvidenceData, add_evidence
    from casesys.cases.storage import save_upload

    case = factory.case(team["officer"])
    respondent = case.parties_in(PartyRole.RESPONDENT)[0]
    stored = save_upload(io.BytesIO(b"%PDF-1.4\n%x\n"), "a.pdf", "application/pdf")
    evidence = add_evidence(case, EvidenceData(stored, {"kind": "document", "description": "购货发票",
                                                        "party_id": respondent.id}), actor=team["officer"])
    db.session.commit()
    record = record_forged_evidence(evidence, note="开票单位证明从未开具该发票", actor=team["officer"])
    assert record.party_id == respondent.id and record.reason == CreditReason.FORGED_EVIDENCE


def test_a_mediation_term_past_due_and_not_done_becomes_a_candidate_once(db, three_party_case, registry):
    from decimal import Decimal

    from casesys.domain.mediation import TermKind
    from casesys.mediation.services import (
        TermData,
        assign_mediator,
        conclude_agreement,
        record_performance,
        sign_agreement,
    )
    from tests.integration.test_mediation import _consented

    case, user = three_party_case
    today = clock.today()
    mediation = _consented(case, user)
    assign_mediator(mediation, registry["zhou"], actor=user)
    ids = [m.party_id for m in mediation.parties]
    agreement = conclude_agreement(mediation, text="各方自愿达成如下协议。", partial=False, terms=[
        TermData(ids[1], ids[0], TermKind.MONEY, Decimal("50000.00"), "", today - timedelta(days=2)),
        TermData(ids[2], ids[0], TermKind.MONEY, Decimal("12500.50"), "", today - timedelta(days=1)),
        TermData(ids[1], ids[0], TermKind.DESTROY, None, "销毁库存侵权产品及模具", today)],
        concluded_on=today - timedelta(days=5), actor=user)
    for member in mediation.parties:
        sign_agreement(agreement, party_id=member.party_id, actor=user)
    sign_agreement(agreement, mediator_id=registry["zhou"].id, actor=user)
    record_performance(agreement.terms[0], done_on=today - timedelta(days=2), proof="银行转账凭证", actor=user)
    db.session.commit()
    created = scan_candidates(today=today)  # the paid term and the one due today are not overdue
    assert [(r.party_id, r.reason) for r in created] == [(ids[2], CreditReason.TERM_NOT_PERFORMED)]
    assert scan_candidates(today=today) == []
    assert len(scan_candidates(today=today + timedelta(days=1))) == 1  # now the destruction term too


from tests.integration.test_mediation import registry, three_party_case  # noqa: E402,F401  (fixtures)


def test_the_scan_command_creates_each_candidate_once(db, factory, runner, two_offices):
    wuhan, yichang = two_offices
    earlier, current = factory.case(wuhan["officer"]), factory.case(yichang["officer"])
    _same_respondent(current, earlier)
    _decide(earlier, clock.today() - timedelta(days=90))
    _decide(current, clock.today() - timedelta(days=3))
    db.session.commit()
    assert "新增信用记录候选 1 条" in runner.invoke(args=["credit", "scan"]).output
    assert "新增信用记录候选 0 条" in runner.invoke(args=["credit", "scan"]).output
