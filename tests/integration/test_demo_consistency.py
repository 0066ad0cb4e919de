"""Issue 16.2: demo cases are built consistently with their state (SPEC §3–§5):
mediations with consent, mediators, sessions, agreements, terms and
signatures; adjudications with panel and hearings; no simplified case in
合议; the mediation dashboard agrees with the case list."""

import sqlalchemy as sa

from casesys.adjudication.models import PanelMember
from casesys.auth.models import User
from casesys.cases.models import Case
from casesys.core import clock
from casesys.demo.data import generate_cases
from casesys.domain.enums import CaseState, CaseType, Procedure
from casesys.domain.mediation import Consent, MediationStatus, MediatorFacts, PartyFacts, conflict_reason
from casesys.mediation.figures import mediation_figures
from casesys.mediation.models import Mediation
from tests.conftest import shared_rows


@shared_rows
def demo(db):
    generate_cases(400, seed=11, today=clock.today())
    db.session.commit()
    return db


def _cases(db, case_type, *states):
    return db.session.scalars(sa.select(Case).where(Case.case_type == case_type, Case.state.in_(states))).all()


def test_every_open_or_finished_mediation_case_has_its_record(demo):
    db = demo
    for case in _cases(db, CaseType.MEDIATION, CaseState.CONSENT_PENDING, CaseState.MEDIATING, CaseState.AGREED,
                       CaseState.FAILED, CaseState.CLOSED):
        mediation = db.session.scalar(sa.select(Mediation).where(Mediation.case_id == case.id))
        assert mediation is not None, case.number
        assert {m.party_id for m in mediation.parties} == {p.id for p in case.parties}
        if case.state == CaseState.CONSENT_PENDING:
            assert mediation.status == MediationStatus.CONSENT_PENDING and mediation.consent_due_on >= clock.today()
        if case.state in (CaseState.MEDIATING, CaseState.AGREED, CaseState.CLOSED):
            assert all(m.consent == Consent.AGREED for m in mediation.parties)
            assert mediation.mediators and any(s.held for s in mediation.sessions)
            parties = [PartyFacts(p.name, p.credit_code, tuple(a.firm for a in p.agents)) for p in case.parties]
            for mediator in mediation.mediators:  # 回避 respected
                assert conflict_reason(MediatorFacts(mediator.name, mediator.organisation.name,
                                                     mediator.declared_relations), parties) is None
        if case.state == CaseState.MEDIATING:
            assert mediation.status == MediationStatus.MEDIATING and mediation.started_on
        if case.state in (CaseState.AGREED, CaseState.CLOSED):
            agreement = mediation.agreements[0]
            assert mediation.status == MediationStatus.AGREED and agreement.effective_on and agreement.terms
            signers = {s.party_id for s in agreement.signatures if s.party_id}
            assert signers == {p.id for p in case.parties}
            assert {s.mediator_id for s in agreement.signatures if s.mediator_id} == {m.id for m in mediation.mediators}
        if case.state == CaseState.CLOSED:
            assert all(t.done_on for t in mediation.agreements[0].terms)
        if case.state == CaseState.FAILED:
            assert mediation.status == MediationStatus.FAILED and mediation.failure_reason
            assert any(m.consent == Consent.REFUSED for m in mediation.parties)
            assert case.closed_on == mediation.ended_on


def test_adjudications_have_panel_and_hearings_and_simplified_never_deliberates(demo):
    db = demo
    assert not _cases(db, CaseType.ADJUDICATION, CaseState.DELIBERATION) or all(
        c.procedure == Procedure.ORDINARY for c in _cases(db, CaseType.ADJUDICATION, CaseState.DELIBERATION))
    heard = _cases(db, CaseType.ADJUDICATION, CaseState.DELIBERATION, CaseState.DECIDED, CaseState.SERVED_DECISION,
                   CaseState.CLOSED)
    assert heard
    for case in heard:
        assert any(h.held for h in case.hearings), case.number
        if case.procedure == Procedure.ORDINARY:
            assert len(case.panel) >= 3 and len(case.panel) % 2 == 1
            assert sum(m.presiding for m in case.panel) == 1
            assert len({m.user.office_id for m in case.panel} | {case.office_id}) == 1
        else:
            assert case.panel == []
    assert db.session.scalar(sa.select(sa.func.count()).select_from(PanelMember).join(Case).where(
        Case.procedure == Procedure.SIMPLIFIED)) == 0


def test_mediation_dashboard_counts_agree_with_the_list(demo):
    db = demo
    supervisor = db.session.scalar(sa.select(User).where(User.username == "supervisor"))
    figures = mediation_figures(supervisor, clock.today())
    listed = db.session.scalar(sa.select(sa.func.count()).select_from(Case).where(
        Case.case_type == CaseType.MEDIATION, Case.state.in_([CaseState.CONSENT_PENDING, CaseState.MEDIATING])))
    assert figures.open == listed > 0
    finished = db.session.scalar(sa.select(sa.func.count()).select_from(Case).where(
        Case.case_type == CaseType.MEDIATION, Case.state.in_([CaseState.AGREED, CaseState.FAILED, CaseState.CLOSED])))
    assert figures.finished == finished


def test_demo_case_pages_show_their_records(demo, client, login_as):
    db = demo
    login_as(db.session.scalar(sa.select(User).where(User.username == "supervisor")), password="casesys-demo")
    for state in (CaseState.MEDIATING, CaseState.AGREED, CaseState.FAILED):
        case = _cases(db, CaseType.MEDIATION, state)[0]
        page = client.get(f"/cases/{case.id}/mediation").get_data(as_text=True)
        assert "本案没有调解记录" not in page and case.parties[0].name in page
    for state in (CaseState.DELIBERATION, CaseState.CLOSED):
        case = next(c for c in _cases(db, CaseType.ADJUDICATION, state) if c.procedure == Procedure.ORDINARY)
        response = client.get(f"/cases/{case.id}")
        assert response.status_code == 200 and case.panel[0].user.full_name in response.get_data(as_text=True)
