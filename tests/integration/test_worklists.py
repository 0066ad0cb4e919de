"""To-do list and workload from each case's next open deadline (SPEC §10):
the same rows and figures as reading every deadline of every case."""
from datetime import date, timedelta

import sqlalchemy as sa

from casesys.adjudication.models import CaseDeadline, PanelMember
from casesys.adjudication.next_deadline import refresh_next_deadlines
from casesys.adjudication.workload import workload_rows
from casesys.cases.models import Case
from casesys.core import clock
from casesys.desk.worklists import todo_items
from casesys.domain.deadlines import Party as Owner
from casesys.domain.enums import OPEN_STATES, CaseState, Role


def _scan_todo(db, user, today):
    """Every open deadline of every case of the user, sorted in Python (the list before the index)."""
    from casesys.mediation.models import Mediation

    panel = set(db.session.scalars(sa.select(PanelMember.case_id).where(PanelMember.user_id == user.id)))
    mediating = {m.case_id for m in db.session.scalars(sa.select(Mediation))
                 if any(mediator.user_id == user.id for mediator in m.mediators)}
    rows = []
    for case in db.session.scalars(sa.select(Case)):
        handled = case.handler_id == user.id and (case.state in OPEN_STATES or case.closing_type == "mediated")
        if not (handled or case.id in panel or case.id in mediating):
            continue
        for d in case.deadlines:
            if d.met_on is None and (case.state in OPEN_STATES or d.kind.startswith("mediation")) \
                    and (d.owner == Owner.OFFICE or d.due_on >= today):
                rows.append(d)
    return sorted(rows, key=lambda d: (d.due_on, d.id))


def _spread_deadlines(db, cases, today):
    """Deadlines overdue, due today, later; met; a party's that has run out."""
    for n, case in enumerate(cases):
        for kind, owner, due, met in (
            (f"extra_overdue{n}", Owner.OFFICE, today - timedelta(days=n + 1), None),
            (f"extra_today{n}", Owner.OFFICE, today, None),
            (f"extra_later{n}", Owner.OFFICE, today + timedelta(days=n + 1), None),
            (f"extra_met{n}", Owner.OFFICE, today - timedelta(days=3), today),
            (f"extra_party_expired{n}", Owner.PARTY, today - timedelta(days=2), None),
            (f"extra_party_open{n}", Owner.PARTY, today + timedelta(days=2), None),
        ):
            case.deadlines.append(CaseDeadline(kind=kind, label=kind, owner=owner, due_on=due, met_on=met))
    db.session.commit()


def test_todo_pages_are_the_scan_sorted_and_counted_by_urgency(db, factory):
    today = clock.today()
    officer = factory.user(Role.OFFICER)
    colleague = factory.user(Role.OFFICER, office=officer.office)
    mine = [factory.case(officer) for _ in range(4)]
    theirs = [factory.case(colleague) for _ in range(2)]
    db.session.add(PanelMember(case_id=theirs[0].id, user_id=officer.id))
    mine[3].state = CaseState.CLOSED  # a closed case leaves the list
    # A closed case on the officer's panel still shows its open mediation deadline;
    # a case the officer mediates shows its deadlines.
    closed_on_panel, mediated = factory.case(colleague), factory.case(colleague)
    db.session.add(PanelMember(case_id=closed_on_panel.id, user_id=officer.id))
    closed_on_panel.state = CaseState.CLOSED
    closed_on_panel.deadlines.append(CaseDeadline(kind="mediation_limit", label="调解期限", owner=Owner.OFFICE,
                                                  due_on=today - timedelta(days=1)))
    _mediated_by(db, officer, mediated)
    db.session.commit()
    _spread_deadlines(db, mine + theirs + [mediated], today)
    expected = _scan_todo(db, officer, today)
    assert {closed_on_panel.id, mediated.id} <= {d.case_id for d in expected}
    shown, page = [], 1
    while True:
        items, counts = todo_items(officer, page=page, per_page=4, today=today)
        if not items:
            break
        shown += [item.deadline.id for item in items]
        page += 1
    assert page > 2  # the counts of a page past the last are those of every page
    assert shown == [d.id for d in expected]
    assert counts.total == len(expected)
    assert counts.overdue == sum(1 for d in expected if d.owner == Owner.OFFICE and d.due_on < today)
    assert counts.due_today == sum(1 for d in expected if d.owner == Owner.OFFICE and d.due_on == today)
    assert counts.overdue and counts.due_today and counts.open


def _mediated_by(db, user, case):
    from casesys.mediation.models import Mediation, MediationOrganisation, Mediator

    committee = MediationOrganisation(name=f"调解委员会{case.id}", kind="committee")
    mediator = Mediator(name=user.full_name, organisation=committee, user_id=user.id)
    mediation = Mediation(case_id=case.id, requested_on=clock.today() - timedelta(days=5))
    mediation.mediators.append(mediator)
    db.session.add_all([committee, mediator, mediation])
    db.session.flush()


def test_todo_page_shows_the_counts(app, client, factory, login_as, db):
    officer = factory.user(Role.OFFICER)
    _spread_deadlines(db, [factory.case(officer)], clock.today())
    login_as(officer)
    body = client.get("/todo").get_data(as_text=True)
    assert "逾期 1 项" in body and "今日到期 1 项" in body and "项未完成期限" in body


def test_workload_figures_are_those_of_every_open_case(db, factory):
    today = clock.today()
    office = factory.office()
    officers = [factory.user(Role.OFFICER, office=office) for _ in range(3)]
    for n, officer in enumerate(officers):
        for days in range(n + 1):
            factory.case(officer, received_on=today - timedelta(days=10 * days + n))
    closed = factory.case(officers[0], received_on=today - timedelta(days=400))
    closed.state = CaseState.CLOSED
    db.session.commit()
    cases = db.session.scalars(sa.select(Case).where(Case.office_id == office.id)).all()
    _spread_deadlines(db, cases[:4], today)
    rows = {r.user.id: r for r in workload_rows(office.id, today)}
    for officer in officers:
        open_cases = [c for c in cases if c.handler_id == officer.id and c.state in OPEN_STATES]
        ages = [(today - c.received_on).days for c in open_cases]
        overdue = sum(1 for c in open_cases for d in c.deadlines if d.met_on is None and d.due_on < today)
        row = rows[officer.id]
        assert (row.open_cases, row.average_age_days, row.oldest_age_days, row.overdue) == \
            (len(ages), sum(ages) / len(ages), max(ages), overdue)
    assert [r.open_cases for r in workload_rows(office.id, today)] == [3, 2, 1]


def test_next_deadline_is_the_most_urgent_open_one_and_follows_changes(db, factory):
    today = clock.today()
    officer = factory.user(Role.OFFICER)
    case = factory.case(officer)
    expected = min((d for d in case.deadlines if d.met_on is None), key=lambda d: (d.due_on, d.id))
    db.session.refresh(case)
    assert (case.next_due_on, case.next_due_kind) == (expected.due_on, expected.kind)
    case.deadlines.append(CaseDeadline(kind="mediation_consent", label="征询期", owner=Owner.OFFICE,
                                       due_on=date(2001, 1, 1)))
    db.session.commit()
    db.session.refresh(case)
    assert (case.next_due_on, case.next_due_kind) == (date(2001, 1, 1), "mediation_consent")
    case.state = CaseState.CLOSED  # closed: only mediation deadlines are still followed
    db.session.commit()
    db.session.refresh(case)
    assert case.next_due_kind == "mediation_consent"
    next(d for d in case.deadlines if d.kind == "mediation_consent").met_on = today
    db.session.commit()
    db.session.refresh(case)
    assert (case.next_due_on, case.next_due_kind) == (None, None)


def test_bulk_refresh_sets_what_the_hook_would(db, factory):
    officer = factory.user(Role.OFFICER)
    case = factory.case(officer)
    kept = (case.next_due_on, case.next_due_kind)
    db.session.execute(sa.update(Case.__table__).values(next_due_on=None, next_due_kind=None))
    refresh_next_deadlines(db.session.connection(), sa.select(Case.id))
    db.session.commit()
    db.session.refresh(case)
    assert (case.next_due_on, case.next_due_kind) == kept and kept[0] is not None


def test_mediation_figures_are_those_of_every_mediation(db, factory):
    from casesys.domain.enums import CaseType
    from casesys.domain.mediation import MediationStatus
    from casesys.mediation.figures import mediation_figures
    from casesys.mediation.models import Mediation

    today = clock.today()
    officer = factory.user(Role.OFFICER)
    other = factory.user(Role.OFFICER, office=factory.office(prefix="湘知保"))  # another office: not counted
    spans = []
    for n, status in enumerate([MediationStatus.CONSENT_PENDING, MediationStatus.MEDIATING, MediationStatus.AGREED,
                                MediationStatus.PARTIAL, MediationStatus.FAILED, MediationStatus.FAILED]):
        requested = today - timedelta(days=40 + 7 * n)
        ended = requested + timedelta(days=3 * n + 1) if n >= 2 and n != 5 else None  # one failure without a date
        if ended:
            spans.append((ended - requested).days)
        for user in (officer, other):
            case = factory.case(user, case_type=CaseType.MEDIATION)
            db.session.add(Mediation(case_id=case.id, status=status, requested_on=requested,
                                     consent_due_on=requested + timedelta(days=15), ended_on=ended))
    db.session.commit()
    figures = mediation_figures(officer, today)
    assert (figures.open, figures.finished, figures.succeeded) == (2, 4, 2)
    assert figures.average_days == sum(spans) / len(spans)


def test_menu_badge_counts_what_waits_for_someone_else(db, factory):
    from casesys.adjudication.models import Approval
    from casesys.desk.badges import waiting_approvals
    from casesys.documents.models import Document

    office = factory.office()
    officer, chief = factory.user(Role.OFFICER, office=office), factory.user(Role.SUPERVISOR, office=office)
    stranger = factory.user(Role.OFFICER, office=factory.office(prefix="湘知保"))
    case, theirs = factory.case(officer), factory.case(stranger)
    for requester, on in ((officer, case), (officer, case), (chief, case), (stranger, theirs)):
        db.session.add(Approval(case_id=on.id, action="accept", payload={}, requested_by_id=requester.id))
    db.session.add(Approval(case_id=case.id, action="accept", payload={}, requested_by_id=officer.id, status="approved"))
    for author in (officer, None, chief):
        db.session.add(Document(case_id=case.id, doc_type="ruling", status="pending",
                                created_by_id=author.id if author else None))
    db.session.commit()
    assert waiting_approvals(chief) == 2 + 2  # two requests and two documents not his own, in his office


def test_the_menu_counts_are_read_once_per_request_until_it_writes(app, db, factory):
    from casesys.adjudication.models import Approval
    from casesys.desk.badges import desk_counts

    office = factory.office()
    officer, chief = factory.user(Role.OFFICER, office=office), factory.user(Role.SUPERVISOR, office=office)
    case = factory.case(officer)
    db.session.commit()
    with app.test_request_context("/approvals"):
        assert desk_counts(chief, supervisor=True).to_decide == 0
        db.session.add(Approval(case_id=case.id, action="accept", payload={}, requested_by_id=officer.id))
        assert desk_counts(chief, supervisor=True).to_decide == 0  # nothing written yet: the same reading
        db.session.flush()
        assert desk_counts(chief, supervisor=True).to_decide == 1
        assert desk_counts(chief, supervisor=False).waiting is None
