"""Multi-party mediation (SPEC §5): consent, conflicts, sessions, agreements,
signatures, judicial confirmation, performance, and mediation inside an
adjudication."""
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from casesys.adjudication.services import approve, pending_approval, request_action
from casesys.core import clock
from casesys.domain.enums import AgentAuthority, CaseState, CaseType, Role
from casesys.domain.mediation import Consent, MediationStatus, Position, TermKind
from casesys.domain.workflow import ACCEPTANCE_CONDITIONS, Action
from casesys.mediation.models import MediationOrganisation, Mediator
from casesys.mediation.services import (
    MediationError,
    ProposalData,
    TermData,
    apply_for_confirmation,
    assign_mediator,
    conclude_agreement,
    expire_consents,
    extend_limit,
    fail_mediation,
    record_confirmation_result,
    record_consent,
    record_performance,
    record_request_service,
    record_session,
    schedule_session,
    sign_agreement,
    start_mediation,
)

TODAY = clock.today()


@pytest.fixture
def registry(db):
    committee = MediationOrganisation(name="湖北省知识产权纠纷人民调解委员会", kind="committee")
    association = MediationOrganisation(name="湖北省专利保护协会", kind="association")
    firm = MediationOrganisation(name="湖北珞珈律师事务所", kind="lawyer")
    db.session.add_all([committee, association, firm])
    people = {"zhou": Mediator(name="周文静", organisation=committee), "sun": Mediator(name="孙立新", organisation=association),
              "luo": Mediator(name="罗建平", organisation=firm),
              "he": Mediator(name="何晓梅", organisation=association, declared_relations="荆州古城电子有限公司")}
    db.session.add_all(people.values())
    db.session.commit()
    return people


@pytest.fixture
def three_party_case(db, factory):
    """A standalone mediation with a requester and two respondents."""
    mediator_user = factory.user(Role.MEDIATOR)
    case = factory.case(mediator_user, case_type=CaseType.MEDIATION, received_on=TODAY - timedelta(days=20),
                        respondents=("长沙湘江机械制造有限公司", "荆州古城电子有限公司"))
    return case, mediator_user


def _consented(case, user, on=None):
    on = on or TODAY - timedelta(days=15)
    mediation = start_mediation(case, actor=user, today=TODAY - timedelta(days=18),
                                request_served_on=TODAY - timedelta(days=18))
    for member in mediation.parties:
        if member.consent == Consent.PENDING:
            record_consent(mediation, member.party_id, Consent.AGREED, on=on, actor=user)
    return mediation


def test_every_party_must_consent_before_mediating(db, three_party_case):
    case, user = three_party_case
    mediation = start_mediation(case, actor=user, today=TODAY - timedelta(days=3),
                                request_served_on=TODAY - timedelta(days=3))
    assert case.state == CaseState.CONSENT_PENDING and len(mediation.parties) == 3
    assert mediation.consent_due_on >= TODAY - timedelta(days=3) + timedelta(days=15)
    pending = [m for m in mediation.parties if m.consent == Consent.PENDING]
    record_consent(mediation, pending[0].party_id, Consent.AGREED, on=TODAY, actor=user)
    assert mediation.status == MediationStatus.CONSENT_PENDING
    record_consent(mediation, pending[1].party_id, Consent.AGREED, on=TODAY, actor=user)
    assert mediation.status == MediationStatus.MEDIATING and case.state == CaseState.MEDIATING
    assert any(d.label == "调解期限" for d in case.deadlines)


def test_refusal_ends_a_standalone_mediation_as_failed(db, three_party_case):
    case, user = three_party_case
    mediation = start_mediation(case, actor=user)
    member = next(m for m in mediation.parties if m.consent == Consent.PENDING)
    record_consent(mediation, member.party_id, Consent.REFUSED, on=TODAY, actor=user)
    assert mediation.status == MediationStatus.FAILED and case.state == CaseState.FAILED
    assert "拒绝调解" in mediation.failure_reason and "向人民法院起诉" in case.events[-1].summary


def test_silence_past_the_consent_period_fails(db, three_party_case):
    case, user = three_party_case
    mediation = start_mediation(case, actor=user, today=date(2026, 3, 2), request_served_on=date(2026, 3, 2))
    assert mediation.consent_due_on == date(2026, 3, 17)  # 15 days, a Tuesday
    assert expire_consents(date(2026, 3, 17)) == 0  # the last day still counts
    assert expire_consents(date(2026, 3, 18)) == 1
    assert mediation.status == MediationStatus.FAILED and "逾期未答复" in mediation.failure_reason


def test_consent_period_ending_on_a_holiday_ends_on_the_next_working_day(db, three_party_case):
    case, user = three_party_case
    mediation = start_mediation(case, actor=user, today=date(2026, 9, 20), request_served_on=date(2026, 9, 20))
    assert mediation.consent_due_on == date(2026, 10, 8)  # 10-05 falls in 国庆节 (SPEC §9)
    assert expire_consents(date(2026, 10, 8)) == 0


# Issue 9.9 (SPEC §5): the consent period runs from the other side's receipt of
# the request copy, not from the day the office opened the mediation.
@pytest.mark.parametrize("opened, served, due", [
    (date(2026, 3, 2), date(2026, 3, 9), date(2026, 3, 24)),     # old: 03-17, from the opening
    (date(2026, 9, 10), date(2026, 9, 14), date(2026, 9, 29)),
    (date(2026, 9, 15), date(2026, 9, 18), date(2026, 10, 8)),   # 10-03 in 国庆节 → 10-08
])
def test_consent_period_runs_from_the_recorded_service(db, three_party_case, opened, served, due):
    case, user = three_party_case
    mediation = start_mediation(case, actor=user, today=opened)
    assert mediation.consent_due_on is None and expire_consents(opened + timedelta(days=60)) == 0
    with pytest.raises(MediationError, match="送达日期应在征询之日"):
        record_request_service(mediation, opened - timedelta(days=1), actor=user, today=served)
    record_request_service(mediation, served, actor=user, today=served)
    assert mediation.request_served_on == served and mediation.consent_due_on == due
    consent = next(d for d in case.deadlines if d.kind.endswith("_consent"))
    assert consent.due_on == due and "收到调解申请书副本" in consent.explanation and "SPEC" not in consent.explanation
    assert expire_consents(due) == 0 and expire_consents(due + timedelta(days=1)) == 1


def test_court_entrusted_mediation_carries_its_reference(db, three_party_case):
    case, user = three_party_case
    with pytest.raises(MediationError, match="委派文号"):
        start_mediation(case, actor=user, court_name="武汉市中级人民法院")
    mediation = start_mediation(case, actor=user, court_name="武汉市中级人民法院", court_reference="(2026)鄂01诉前调1号")
    assert mediation.court_entrusted and mediation.limit_days == 30


def test_mediator_with_a_conflict_cannot_be_assigned(db, three_party_case, registry):
    case, user = three_party_case
    mediation = start_mediation(case, actor=user)
    with pytest.raises(MediationError, match="申报与当事人“荆州古城电子有限公司”存在利害关系"):
        assign_mediator(mediation, registry["he"], actor=user)
    from casesys.cases.models import Agent

    case.parties[0].agents.append(Agent(case=case, name="罗律师", firm="湖北珞珈律师事务所"))
    with pytest.raises(MediationError, match="代理人属于同一单位"):
        assign_mediator(mediation, registry["luo"], actor=user)
    assign_mediator(mediation, registry["zhou"], actor=user)
    assign_mediator(mediation, registry["sun"], actor=user)
    assert {o.name for o in mediation.organisations} == {"湖北省知识产权纠纷人民调解委员会", "湖北省专利保护协会"}


def test_no_session_before_consent(db, three_party_case):
    case, user = three_party_case
    mediation = start_mediation(case, actor=user)
    with pytest.raises(MediationError, match="各方同意调解之前"):
        schedule_session(mediation, scheduled_at=clock.now().replace(tzinfo=None), place="调解室", online_link="", actor=user)


def test_sessions_record_attendance_minutes_and_positions(db, three_party_case, registry):
    case, user = three_party_case
    mediation = _consented(case, user)
    session = schedule_session(mediation, scheduled_at=datetime.combine(TODAY - timedelta(days=10), datetime.min.time()),
                               place="", online_link="https://meeting.example/123", actor=user)
    ids = [m.party_id for m in mediation.parties]
    record_session(session, attended={ids[0], ids[1]}, minutes="双方陈述意见。",
                   proposals=[ProposalData("赔偿5万元", {ids[0]: Position.ACCEPT, ids[1]: Position.CONSIDER})], actor=user)
    assert [a.attended for a in session.attendance] == [True, True, False]
    assert session.proposals[0].positions[0].position == Position.ACCEPT
    later = schedule_session(mediation, scheduled_at=datetime.combine(TODAY - timedelta(days=5), datetime.min.time()),
                             place="调解室", online_link="", actor=user)
    with pytest.raises(MediationError, match="当事人"):
        record_session(later, attended=set(), minutes="", proposals=[ProposalData("x", {999999: Position.ACCEPT})],
                       actor=user)


def test_a_session_is_recorded_once(db, three_party_case):
    """Issue 11, finding 10: a second record of the same session broke the
    unique attendance row (a 500); it is refused with a message."""
    case, user = three_party_case
    mediation = _consented(case, user)
    session = schedule_session(mediation, scheduled_at=datetime.combine(TODAY - timedelta(days=10), datetime.min.time()),
                               place="调解室", online_link="", actor=user)
    record_session(session, attended=set(), minutes="第一次记录。", proposals=[], actor=user)
    db.session.commit()
    with pytest.raises(MediationError, match="已记录"):
        record_session(session, attended=set(), minutes="第二次记录。", proposals=[], actor=user)
    assert session.minutes == "第一次记录。"


def _terms(mediation, *, due_paid, due_open):
    ids = [m.party_id for m in mediation.parties]
    return [TermData(ids[1], ids[0], TermKind.MONEY, Decimal("50000.00"), "", due_paid),
            TermData(ids[2], ids[0], TermKind.MONEY, Decimal("12500.50"), "", due_open),
            TermData(ids[1], ids[0], TermKind.DESTROY, None, "销毁库存侵权产品及模具", due_paid)]


@pytest.mark.parametrize("change, message", [
    (lambda t: setattr(t[0], "due_on", None), "请填写履行期限"),
    (lambda t: setattr(t[0], "amount", Decimal("-5")), "大于零的金额"),
    (lambda t: setattr(t[2], "description", ""), "写明应当履行的行为"),
    (lambda t: setattr(t[0], "creditor_id", t[0].debtor_id), "不能是同一方"),
    (lambda t: setattr(t[0], "debtor_id", 999999), "须为本次调解的当事人"),
])
def test_bad_terms_are_refused(db, three_party_case, change, message):
    case, user = three_party_case
    mediation = _consented(case, user)
    terms = _terms(mediation, due_paid=TODAY, due_open=TODAY)
    change(terms)
    with pytest.raises(MediationError, match=message):
        conclude_agreement(mediation, text="协议", partial=False, terms=terms, concluded_on=TODAY, actor=user)


def test_agreement_takes_effect_when_all_have_signed_and_terms_are_followed(db, three_party_case, registry):
    case, user = three_party_case
    mediation = _consented(case, user)
    assign_mediator(mediation, registry["zhou"], actor=user)
    agreement = conclude_agreement(mediation, text="各方自愿达成如下协议。", partial=False,
                                   terms=_terms(mediation, due_paid=TODAY - timedelta(days=2), due_open=TODAY - timedelta(days=1)),
                                   concluded_on=TODAY - timedelta(days=5), actor=user)
    with pytest.raises(MediationError, match="不是本次调解的当事人"):
        sign_agreement(agreement, party_id=999999, actor=user)
    for member in mediation.parties:
        sign_agreement(agreement, party_id=member.party_id, actor=user)
    assert agreement.effective_on is None  # the mediator has not signed yet
    with pytest.raises(MediationError, match="已签署"):
        sign_agreement(agreement, party_id=mediation.parties[0].party_id, actor=user)
    sign_agreement(agreement, mediator_id=registry["zhou"].id, actor=user)
    assert agreement.effective_on == TODAY and mediation.status == MediationStatus.AGREED
    assert case.state == CaseState.AGREED and len(agreement.signatures) == 4
    labels = {d.label for d in case.deadlines}
    assert "申请司法确认期限" in labels and any(label.startswith("履行：") for label in labels)
    paid, unpaid, destroyed = agreement.terms
    record_performance(paid, done_on=TODAY - timedelta(days=2), proof="银行转账凭证", actor=user)
    with pytest.raises(MediationError, match="履行的证明"):
        record_performance(destroyed, done_on=TODAY, proof=" ", actor=user)
    from casesys.domain.mediation import term_status

    assert term_status(unpaid.due_on, unpaid.done_on, TODAY) == "overdue"
    assert term_status(paid.due_on, paid.done_on, TODAY) == "done"
    apply_for_confirmation(agreement, applied_on=TODAY, court="武汉知识产权法庭", actor=user)
    confirm = next(d for d in case.deadlines if d.label == "申请司法确认期限")
    assert confirm.met_on == TODAY


def test_confirmation_window_is_thirty_days(db, three_party_case, registry):
    case, user = three_party_case
    mediation = _consented(case, user, on=TODAY - timedelta(days=15))
    assign_mediator(mediation, registry["zhou"], actor=user)
    agreement = conclude_agreement(mediation, text="协议", partial=False,
                                   terms=_terms(mediation, due_paid=TODAY, due_open=TODAY),
                                   concluded_on=TODAY - timedelta(days=14), actor=user)
    for member in mediation.parties:
        sign_agreement(agreement, party_id=member.party_id, actor=user)
    sign_agreement(agreement, mediator_id=registry["zhou"].id, actor=user)
    agreement.effective_on = TODAY - timedelta(days=45)
    with pytest.raises(MediationError, match="已超过申请司法确认的期限"):
        apply_for_confirmation(agreement, applied_on=TODAY, court="武汉知识产权法庭", actor=user)


def test_extension_needs_every_partys_consent(db, three_party_case):
    case, user = three_party_case
    mediation = _consented(case, user)
    ids = [m.party_id for m in mediation.parties]
    with pytest.raises(MediationError, match="未同意"):
        extend_limit(mediation, days=15, consenting=set(ids[:2]), actor=user)
    extend_limit(mediation, days=15, consenting=set(ids), actor=user)
    assert mediation.extension_days == 15


def test_mediation_inside_an_adjudication(db, factory, registry):
    office = factory.office()
    officer, chief = factory.user(Role.OFFICER, office=office), factory.user(Role.SUPERVISOR, office=office)
    case = factory.case(officer, received_on=TODAY - timedelta(days=20))
    approve(request_action(case, Action.ACCEPT, {"procedure": "ordinary",
                                                 "conditions": dict.fromkeys(ACCEPTANCE_CONDITIONS, True)},
                           actor=officer), actor=chief)
    closing_before = next(d for d in case.deadlines if d.kind == "closing").due_on
    mediation = _consented(case, officer)
    assert case.state == CaseState.ACCEPTED  # the adjudication goes on, its clock too
    fail_mediation(mediation, reason="赔偿数额分歧较大", actor=officer)
    assert case.state == CaseState.ACCEPTED and "继续行政裁决程序" in case.events[-1].summary
    assert next(d for d in case.deadlines if d.kind == "closing").due_on == closing_before
    # A second attempt succeeds and closes the adjudication as mediated, with approval.
    second = start_mediation(case, actor=officer, today=TODAY)
    for member in second.parties:
        if member.consent == Consent.PENDING:
            record_consent(second, member.party_id, Consent.AGREED, on=TODAY, actor=officer)
    assign_mediator(second, registry["zhou"], actor=officer)
    ids = [m.party_id for m in second.parties]
    agreement = conclude_agreement(second, text="协议", partial=False, concluded_on=TODAY, actor=officer,
                                   terms=[TermData(ids[1], ids[0], TermKind.STOP, None, "停止销售", TODAY + timedelta(days=5))])
    for member in second.parties:
        sign_agreement(agreement, party_id=member.party_id, actor=officer)
    sign_agreement(agreement, mediator_id=registry["zhou"].id, actor=officer)
    approval = pending_approval(case)
    assert approval.action == "close_mediated"
    approve(approval, actor=chief)
    assert case.state == CaseState.CLOSED and case.closing_type == "mediated"


def _adjudication_with_agreement_signed_but_one(db, factory, registry):
    office = factory.office()
    officer, chief = factory.user(Role.OFFICER, office=office), factory.user(Role.SUPERVISOR, office=office)
    case = factory.case(officer, received_on=TODAY - timedelta(days=20))
    approve(request_action(case, Action.ACCEPT, {"procedure": "ordinary",
                                                 "conditions": dict.fromkeys(ACCEPTANCE_CONDITIONS, True)},
                           actor=officer), actor=chief)
    mediation = start_mediation(case, actor=officer, today=TODAY, request_served_on=TODAY)
    for member in mediation.parties:
        if member.consent == Consent.PENDING:
            record_consent(mediation, member.party_id, Consent.AGREED, on=TODAY, actor=officer)
    assign_mediator(mediation, registry["zhou"], actor=officer)
    ids = [m.party_id for m in mediation.parties]
    agreement = conclude_agreement(mediation, text="协议", partial=False, concluded_on=TODAY, actor=officer,
                                   terms=[TermData(ids[1], ids[0], TermKind.STOP, None, "停止销售",
                                                   TODAY + timedelta(days=5))])
    for member in mediation.parties:
        sign_agreement(agreement, party_id=member.party_id, actor=officer)
    return case, mediation, agreement, officer, chief


def test_an_agreement_in_effect_stays_so_and_its_closing_waits_for_a_pending_approval(db, factory, registry):
    # Issue 9.11: another approval pending: the agreement takes effect anyway, the closing is queued.
    case, mediation, agreement, officer, chief = _adjudication_with_agreement_signed_but_one(db, factory, registry)
    extension = request_action(case, Action.EXTEND, {"reason": "案情复杂"}, actor=officer)
    sign_agreement(agreement, mediator_id=registry["zhou"].id, actor=officer)  # not refused, nothing rolled back
    db.session.commit()
    assert agreement.effective_on == TODAY and mediation.status == MediationStatus.AGREED
    assert pending_approval(case).id == extension.id and "待其处理后自动提请" in case.events[-1].summary
    approve(extension, actor=chief)  # the case is free again: the closing is asked for
    queued = pending_approval(case)
    assert queued is not None and queued.action == "close_mediated"
    approve(queued, actor=chief)
    assert case.state == CaseState.CLOSED and case.closing_type == "mediated"


def test_judicial_confirmation_only_for_a_qualifying_organisations_agreement(db, factory, three_party_case, registry):
    # Issue 9.10: not for an agreement reached inside the office's own adjudication ...
    case, mediation, agreement, officer, chief = _adjudication_with_agreement_signed_but_one(db, factory, registry)
    sign_agreement(agreement, mediator_id=registry["zhou"].id, actor=officer)
    assert not any(d.label == "申请司法确认期限" for d in case.deadlines)
    with pytest.raises(MediationError, match="依法设立的调解组织"):
        apply_for_confirmation(agreement, applied_on=TODAY, court="武汉知识产权法庭", actor=officer)
    # ... nor for one reached by a lawyer mediator (no qualifying organisation) ...
    standalone, user = three_party_case
    lawyer_led = _consented(standalone, user)
    assign_mediator(lawyer_led, registry["luo"], actor=user)
    ids = [m.party_id for m in lawyer_led.parties]
    second = conclude_agreement(lawyer_led, text="协议", partial=False, concluded_on=TODAY, actor=user,
                                terms=[TermData(ids[1], ids[0], TermKind.STOP, None, "停止销售", TODAY)])
    for member in lawyer_led.parties:
        sign_agreement(second, party_id=member.party_id, actor=user)
    sign_agreement(second, mediator_id=registry["luo"].id, actor=user)
    with pytest.raises(MediationError, match="依法设立的调解组织"):
        apply_for_confirmation(second, applied_on=TODAY, court="武汉知识产权法庭", actor=user)
    registry["luo"].organisation.may_seek_confirmation = True  # an administrator marks the organisation
    apply_for_confirmation(second, applied_on=TODAY, court="武汉知识产权法庭", actor=user)
    assert second.confirmation_applied_on == TODAY


@pytest.mark.parametrize("accepted_after, extended, decide_within", [(2, False, 15), (3, True, 25)])
def test_the_courts_steps_are_tracked_with_their_own_dates(db, three_party_case, registry, accepted_after, extended,
                                                           decide_within):
    # SPEC §5 corrected: the court decides whether to accept in 3 days, decides within 15 (+10).
    case, user = three_party_case
    mediation = _consented(case, user)
    assign_mediator(mediation, registry["zhou"], actor=user)  # 人民调解委员会: qualifies
    ids = [m.party_id for m in mediation.parties]
    concluded, applied = TODAY - timedelta(days=14), TODAY - timedelta(days=13)
    agreement = conclude_agreement(mediation, text="协议", partial=False, concluded_on=concluded, actor=user,
                                   terms=[TermData(ids[1], ids[0], TermKind.STOP, None, "停止销售", TODAY)])
    for member in mediation.parties:
        sign_agreement(agreement, party_id=member.party_id, actor=user, today=concluded)
    sign_agreement(agreement, mediator_id=registry["zhou"].id, actor=user, today=concluded)
    apply_for_confirmation(agreement, applied_on=applied, court="武汉知识产权法庭", actor=user, today=applied)
    accept = next(d for d in case.deadlines if d.label == "法院决定是否受理司法确认申请")
    assert accept.due_on == calendar_due(applied, 3) and accept.met_on is None
    accepted = applied + timedelta(days=accepted_after)
    record_confirmation_result(agreement, result="accepted", on=accepted, actor=user, extended=extended)
    assert agreement.confirmation_accepted_on == accepted and agreement.confirmation_result == ""
    decide = next(d for d in case.deadlines if d.label == "法院作出司法确认裁定")
    assert decide.due_on == calendar_due(accepted, decide_within) and accept.met_on == accepted
    record_confirmation_result(agreement, result="confirmed", on=accepted + timedelta(days=9), actor=user)
    assert agreement.confirmation_result == "confirmed" and decide.met_on == accepted + timedelta(days=9)


def test_mediation_documents_take_the_confirmation_window_from_the_setting(db, three_party_case, registry):
    # Issue 9.3: the 调解 texts state the period the setting holds, not a constant.
    from casesys.core.settings import set_setting
    from casesys.documents.types import DOC_TYPES

    case, user = three_party_case
    assert "三十日内" in DOC_TYPES["confirmation_application"].defaults(case)["body"]
    set_setting("judicial_confirmation_days", 20, actor_id=None)
    assert "二十日内" in DOC_TYPES["confirmation_application"].defaults(case)["body"]
    assert "自本协议生效之日起二十日内" in DOC_TYPES["mediation_agreement"].defaults(case)["performance"]


def calendar_due(start, days):
    from casesys.adjudication.calendars import current_calendar
    from casesys.domain.calendar import Unit

    return current_calendar().add(start, days, Unit.CALENDAR).date


def test_agreement_document_lists_the_terms(app, db, three_party_case, registry):
    import io

    import pdfplumber

    from casesys.documents.services import create_draft, document_pdf

    case, user = three_party_case
    mediation = _consented(case, user)
    assign_mediator(mediation, registry["zhou"], actor=user)
    agreement = conclude_agreement(mediation, text="各方自愿达成如下协议：", partial=False,
                                   terms=_terms(mediation, due_paid=TODAY, due_open=TODAY), concluded_on=TODAY,
                                   actor=user)
    for member in mediation.parties:
        sign_agreement(agreement, party_id=member.party_id, actor=user)
    sign_agreement(agreement, mediator_id=registry["zhou"].id, actor=user)
    with app.test_request_context():
        document = create_draft(case, "mediation_agreement", actor=user)
        with pdfplumber.open(io.BytesIO(document_pdf(document))) as pdf:
            text = "".join((p.extract_text() or "").replace("\n", "") for p in pdf.pages)
    assert "调解协议书" in text and "人民币50,000.00元" in text and "荆州古城电子有限公司" in text


def test_agreement_document_is_an_agreement_with_particulars_signatures_and_seal(app, db, three_party_case, registry):
    """Issue 16.4: title, number, every party's particulars with agent, the
    dispute, the terms once, performance and 司法确认 clauses, a signature
    line for every party and mediator, the organisation's seal area."""
    import io

    import pdfplumber

    from casesys.cases.models import Agent
    from casesys.documents.services import approve_document, create_draft, submit

    case, user = three_party_case
    case.parties[1].agents.append(Agent(case=case, name="王律师", firm="湖南潇湘律师事务所",
                                              authority=AgentAuthority.SPECIAL))
    mediation = _consented(case, user)
    assign_mediator(mediation, registry["zhou"], actor=user)
    agreement = conclude_agreement(mediation, text="经调解，各方自愿达成如下协议：", partial=False,
                                   terms=_terms(mediation, due_paid=TODAY, due_open=TODAY), concluded_on=TODAY,
                                   actor=user)
    for member in mediation.parties:
        sign_agreement(agreement, party_id=member.party_id, actor=user)
    sign_agreement(agreement, mediator_id=registry["zhou"].id, actor=user)
    with app.test_request_context():
        document = create_draft(case, "mediation_agreement", actor=user)
        submit(document, actor=user)
        approve_document(document, actor=_other_supervisor(db, case))
        with pdfplumber.open(io.BytesIO(document.pdf)) as pdf:
            pages = [(p.extract_text() or "").replace("\n", "") for p in pdf.pages]
    text = "".join(pages)
    assert "调解协议书" in text and document.number in text
    for party in case.parties:
        assert party.name in text and party.credit_code in text and party.address in text
    assert "委托代理人：王律师，湖南潇湘律师事务所（特别授权）" in text and "法定代表人：李明" in text
    assert "纠纷事项" in text and "申请调解" in text
    assert text.count("人民币50,000.00元") == 1  # the terms once
    assert "司法确认" in text and "全面履行" in text
    assert f"调解员：{registry['zhou'].name}" in text
    assert f"{TODAY.year}年{TODAY.month}月{TODAY.day}日" in text
    assert "湖北省知识产权纠纷人民调解委员会" in pages[-1] and "调解组织印章" in pages[-1]
    assert len(pages[-1]) > 120  # the seal never stands alone on a page


def _other_supervisor(db, case):
    from casesys.auth.services import create_user

    user = create_user(username="chief-agreement", full_name="签发人", password="x" * 12, office=case.office,
                       roles=[Role.SUPERVISOR])
    db.session.flush()
    return user
