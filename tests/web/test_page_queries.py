"""No page's SQL statement count grows with its rows: every list page and
the case page, with 1 row and with 10 (parties, agents, patents, evidence,
panel; approvals of every kind — requests, documents to sign, publications,
credit records, recent decisions; print batches; to-do deadlines; handlers;
mediations)."""
from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from casesys.core import clock
from casesys.domain.enums import CaseType, PartyRole, Role
from tests.conftest import TEST_PASSWORD, shared_rows
from tests.factories import Factory

PAGES = ["/cases", "/cases?q=光谷激光", "/cases?q=光谷", "/cases?q=光", "/cases/{case}", "/cases/{case}/documents",
         "/cases/{case}/mediation", "/cases/{case}/audit", "/todo", "/approvals", "/workload", "/documents/batch",
         "/mediation/dashboard"]


@pytest.fixture
def statements(db):
    counted: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        counted.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", listener)
    yield counted
    sa.event.remove(db.engine, "before_cursor_execute", listener)


def _world(db, factory, rows: int, prefix: str) -> dict:
    """An office whose pages each list `rows` rows, and its officer and supervisor."""
    from casesys.adjudication.models import Approval, CaseDeadline, PanelMember
    from casesys.cases.models import Agent, CasePatent, Evidence
    from casesys.cases.services import PatentData, find_or_create_patent, refresh_search_text
    from casesys.credit.models import CreditRecord
    from casesys.documents.batches import start_batch
    from casesys.documents.models import Document
    from casesys.domain.deadlines import Party as Owner
    from casesys.domain.enums import PatentType
    from casesys.mediation.models import Mediation
    from casesys.public.models import Publication

    office = factory.office(prefix=prefix)
    officer = factory.user(Role.OFFICER, office=office)
    chief = factory.user(Role.SUPERVISOR, office=office)
    handlers = [officer] + [factory.user(Role.OFFICER, office=office) for _ in range(rows - 1)]
    today = clock.today()
    respondents = tuple(f"长沙湘江机械制造有限公司{n}" for n in range(rows))
    cases = [factory.case(handlers[n], requester=f"武汉光谷激光科技有限公司{n}", respondents=respondents)
             for n in range(rows)]
    case = cases[0]
    for n, party in enumerate(case.parties[:rows]):
        party.agents.append(Agent(case=case, name=f"代理人{n}", firm="楚天律师事务所"))
    for n in range(rows - 1):  # one patent came with the case
        patent = find_or_create_patent(PatentData(factory.patent_number(), "1", {
            "patent_type": PatentType.INVENTION, "title": f"一种切割头{n}", "patentee": "甲", "filed_on": None,
            "granted_on": None, "legal_status": "valid", "evaluation": "none"}))
        case.case_patents.append(CasePatent(patent=patent, claims="1"))
    refresh_search_text(case)
    for n in range(rows):
        db.session.add(Evidence(case_id=case.id, party_id=case.parties_in(PartyRole.REQUESTER)[0].id,
                                kind="document", description=f"证据{n}"))
        member = factory.user(Role.OFFICER, office=office)  # not the user who opens the page
        db.session.add(PanelMember(case_id=case.id, user_id=member.id, presiding=n == 0))
        other = cases[n]
        other.deadlines.append(CaseDeadline(kind="extra", label="补充期限", owner=Owner.OFFICE, due_on=today))
        # Each waiting item from another person, so that no user is loaded once for all rows.
        db.session.add(Approval(case_id=other.id, action="accept", payload={}, requested_by_id=handlers[n].id))
        db.session.add(Approval(case_id=other.id, action="extend", payload={}, requested_by_id=handlers[n].id,
                                status="approved", decided_by_id=chief.id, decided_at=clock.utcnow()))
        db.session.add(Document(case_id=other.id, doc_type="ruling", status="pending", created_by_id=handlers[n].id))
        db.session.add(Document(case_id=other.id, doc_type="acceptance_notice", status="approved",
                                number=f"{prefix}文{n}", approved_at=clock.utcnow(), created_by_id=officer.id,
                                approved_by_id=chief.id))
        db.session.add(Publication(slug=f"{prefix}{n}", kind="typical", case_id=other.id, office_id=office.id,
                                   title=f"典型案例{n}", year=today.year, requested_by_id=handlers[n].id))
        respondent = other.parties_in(PartyRole.RESPONDENT)[0]
        for state in ("candidate", "objected"):
            db.session.add(CreditRecord(slug=f"{prefix}{state}{n}", source_key=f"{prefix}{state}{n}", state=state,
                                        case_id=other.id, party_id=respondent.id, subject_kind=respondent.kind,
                                        subject_name=respondent.name, reason="repeat_infringement"))
        mediation_case = factory.case(officer, case_type=CaseType.MEDIATION, commit=False)
        db.session.add(Mediation(case_id=mediation_case.id, requested_on=today - timedelta(days=9),
                                 consent_due_on=today + timedelta(days=6)))
    db.session.flush()
    documents = db.session.scalars(sa.select(Document.id).where(Document.number.like(f"{prefix}文%"))).all()
    for n in range(rows):  # the supervisor's print batches, each with its job (not yet run)
        start_batch(documents[: n + 1], actor_id=chief.id)
    db.session.commit()
    # Names, not objects: each counted request starts from an empty session.
    return {"officer": SimpleNamespace(username=officer.username), "chief": SimpleNamespace(username=chief.username),
            "case": case.id}


def _count(db, client, login_as, statements, user, path: str) -> int:
    client.post("/logout")
    login_as(user)
    assert client.get(path).status_code == 200, path
    # The test's app context (and session) outlives a request: start from an
    # empty identity map, as a real request does.
    db.session.remove()
    statements.clear()
    assert client.get(path).status_code == 200, path
    return len(statements)


@shared_rows
def worlds(db) -> tuple[dict, dict]:
    """An office whose pages list one row each, and one whose pages list ten."""
    factory = Factory(db, password=TEST_PASSWORD)
    return _world(db, factory, 1, "鄂知保"), _world(db, factory, 10, "湘知保")


@pytest.mark.parametrize("page", PAGES)
def test_statements_do_not_grow_with_rows(app, db, client, login_as, statements, worlds, page):
    one, ten = worlds
    role = "chief" if page in ("/approvals", "/workload", "/documents/batch", "/mediation/dashboard") else "officer"
    counts = [_count(db, client, login_as, statements, world[role], page.format(case=world["case"]))
              for world in (one, ten)]
    if counts[0] != counts[1]:
        import re
        for world in (one, ten):
            _count(db, client, login_as, statements, world[role], page.format(case=world["case"]))
            print("\n".join(re.sub(r"\s+", " ", s)[:160] for s in statements), "\n====")
    assert counts[0] == counts[1], f"{page}: {counts[0]} statements with 1 row, {counts[1]} with 10"


@pytest.mark.parametrize("page", ["/approvals", "/workload", "/mediation/dashboard", "/dashboard"])
def test_a_supervisor_page_reads_the_menu_counts_in_one_statement_once(db, client, login_as, statements, worlds,
                                                                        page):
    chief = worlds[1]["chief"]
    _count(db, client, login_as, statements, chief, page)
    badge_reads = [s for s in statements if "FROM reminders" in s and "count(*)" in s and "FROM users" not in s]
    assert len(badge_reads) == 1, badge_reads
    assert " AS steps" in badge_reads[0] and " AS records_own" in badge_reads[0]  # the approvals page's counts too
    assert sum(" AS steps" in s for s in statements) == 1


def test_the_mediation_dashboard_reads_its_figures_in_one_statement(db, client, login_as, statements, worlds):
    _count(db, client, login_as, statements, worlds[1]["chief"], "/mediation/dashboard")
    assert len([s for s in statements if "mediation_counts" in s]) == 1, statements


@pytest.mark.parametrize("page", ["/cases", "/cases?q=光谷", "/cases/{case}", "/workload"])
def test_the_display_epoch_is_read_with_the_user(db, client, login_as, statements, worlds, page):
    """Most pages key what they keep by the display epoch: it comes with the logged-in
    user's statement, not in one of its own (casesys.auth.services.load_session_user)."""
    world = worlds[0]
    user = world["chief"] if page == "/workload" else world["officer"]
    _count(db, client, login_as, statements, user, page.format(case=world["case"]))
    reading = [s for s in statements if "display_epochs" in s]
    assert len(reading) == 1 and "FROM users" in reading[0], reading


BADGE = r'data-testid="unread-todo"[^>]*>{}</span>'


def test_the_todo_reads_the_reminders_only_when_some_are_unread(db, client, login_as, statements, factory):
    """The unread count came with the user: with none unread, no list of them is read."""
    from casesys.adjudication.models import Reminder
    from casesys.core.clock import utcnow
    from casesys.domain.deadlines import ReminderLevel

    officer = factory.user(Role.OFFICER)
    case_id, officer_id = factory.case(officer).id, officer.id
    _count(db, client, login_as, statements, officer, "/todo")
    assert not [s for s in statements if "FROM reminders" in s and "count(*)" not in s], statements
    db.session.add(Reminder(case_id=case_id, user_id=officer_id, deadline_kind="answer", level=ReminderLevel.DUE,
                            due_on=utcnow().date(), message="答辩期限今日届满"))
    db.session.commit()
    assert "答辩期限今日届满" in client.get("/todo").get_data(as_text=True)


@pytest.mark.parametrize("page", ["/cases", "/cases?q=光谷", "/cases/{case}", "/todo"])
def test_an_officers_menu_count_is_read_with_the_user(db, client, login_as, statements, worlds, page):
    """The unread count beside 待办, on every page of every user, comes with the logged-in
    user's statement (casesys.core.request_memo.read_with_user), not in one of its own;
    the badge still shows what is unread, a new reminder on the next view."""
    from casesys.adjudication.models import Reminder
    from casesys.auth.models import User
    from casesys.core.clock import utcnow
    from casesys.domain.deadlines import ReminderLevel

    world = worlds[0]
    _count(db, client, login_as, statements, world["officer"], page.format(case=world["case"]))
    counts = [s for s in statements if "FROM reminders" in s and "count(*)" in s]
    assert len(counts) == 1 and "FROM users" in counts[0], counts
    officer = db.session.scalar(sa.select(User).where(User.username == world["officer"].username))
    unread = db.session.scalar(sa.select(sa.func.count()).select_from(Reminder).where(
        Reminder.user_id == officer.id, Reminder.read_at.is_(None)))
    body = client.get(page.format(case=world["case"])).get_data(as_text=True)
    assert re.search(BADGE.format(unread), body) if unread else 'data-testid="unread-todo"' not in body
    db.session.add(Reminder(case_id=world["case"], user_id=officer.id, deadline_kind="answer", level=ReminderLevel.DUE,
                            due_on=utcnow().date(), message="测试提醒"))
    db.session.commit()
    body = client.get(page.format(case=world["case"])).get_data(as_text=True)
    assert re.search(BADGE.format(unread + 1), body), body[:3000]
