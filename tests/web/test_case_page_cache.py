"""Issue 12: the case page and the rows of the case list and to-do are kept
rendered per state of the case (casesys.core.fragments, casesys.casepage.cache).
Nothing kept is shown once what it shows has changed — however it changed: the ORM, a bulk statement, SQL by hand, a name
elsewhere, another case, the day."""
import importlib.util
import re
from pathlib import Path

import pytest
import sqlalchemy as sa

from casesys.adjudication.models import CaseDeadline
from casesys.auth.models import User
from casesys.cases.models import Case, Party
from casesys.domain.enums import PartyRole, Role
from tests.conftest import TEST_PASSWORD

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations" / "versions"


def _migration(name: str = "0021pagerev_page_revisions"):
    spec = importlib.util.spec_from_file_location(name, MIGRATIONS / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _epoch_tables() -> dict[str, tuple | None]:
    """Each table that raises the display epoch (None: any change; else the columns that count)."""
    more = _migration("0026revisions_once_and_more_epochs").EPOCH_TABLES
    return {**_migration().EPOCH_TABLES, **{table: None for table in more}}


@pytest.fixture
def officer(factory, login_as):
    user = factory.user(Role.OFFICER)
    login_as(user)
    return user


def _page(client, case) -> str:
    response = client.get(f"/cases/{case.id}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _statements(db):
    seen: list[str] = []
    sa.event.listen(db.engine, "before_cursor_execute", lambda conn, cursor, statement, *rest: seen.append(statement))
    return seen


def test_a_second_view_is_served_kept_with_fewer_statements(client, db, officer, factory):
    case = factory.case(officer)
    seen = _statements(db)
    first = _page(client, case)
    on_first = len(seen)
    seen.clear()
    second = _page(client, case)
    assert len(seen) < on_first - 5, (len(seen), on_first)
    strip = re.compile(r'name="csrf_token"[^>]*>|value="[^"]*"')
    assert strip.sub("", first) == strip.sub("", second)


def test_a_bulk_statement_on_a_deadline_shows_on_the_next_view(client, db, officer, factory):
    case = factory.case(officer)
    assert "改过的期限名称" not in _page(client, case)
    db.session.execute(sa.update(CaseDeadline).where(CaseDeadline.case_id == case.id).values(label="改过的期限名称"))
    db.session.commit()
    assert "改过的期限名称" in _page(client, case)


def test_sql_by_hand_on_a_party_and_a_renamed_handler_show(client, db, officer, factory):
    case = factory.case(officer)
    handler = factory.user(Role.OFFICER, office=officer.office)  # not the viewer: the menu shows the viewer's name
    case.handler_id = handler.id
    db.session.commit()
    assert handler.full_name in _page(client, case)
    db.session.execute(sa.text("UPDATE parties SET address = '手改的送达地址' WHERE case_id = :id"), {"id": case.id})
    db.session.commit()
    assert "手改的送达地址" in _page(client, case)
    db.session.execute(sa.update(User).where(User.id == handler.id).values(full_name="改名后的承办人"))
    db.session.commit()
    assert "改名后的承办人" in _page(client, case)


def test_another_case_of_the_same_organisation_shows_at_once(client, db, officer, factory):
    """「另涉 N 件案件」 is about other cases: no revision of this one follows it."""
    case = factory.case(officer)
    code = next(p.credit_code for p in case.parties if p.credit_code)
    assert "另涉 1 件案件" not in _page(client, case)
    other = factory.case(officer)
    other.parties[0].credit_code = code
    db.session.commit()
    assert "另涉 1 件案件" in _page(client, case)


def test_each_session_gets_its_own_csrf_token_in_a_kept_page(app, db, factory):
    officer = factory.user(Role.OFFICER)
    case = factory.case(officer)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        tokens = []
        for _ in range(2):
            client = app.test_client()
            login = client.get("/login").get_data(as_text=True)
            token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"',
                              login)
            response = client.post("/login", data={"username": officer.username, "password": TEST_PASSWORD,
                                                   "csrf_token": next(g for g in token.groups() if g)})
            assert response.status_code == 302, response.status_code
            page = client.get(f"/cases/{case.id}").get_data(as_text=True)
            assert "\x00" not in page
            found = set(re.findall(r'name="csrf_token" value="([^"]+)"|value="([^"]+)" name="csrf_token"', page))
            assert found
            tokens.append(found)
        assert tokens[0] != tokens[1]
    finally:
        app.config["WTF_CSRF_ENABLED"] = False


def test_the_next_day_is_not_served_yesterdays_page(client, db, officer, factory, monkeypatch):
    from datetime import timedelta

    from casesys.core import clock

    case = factory.case(officer)
    deadline = db.session.scalars(sa.select(CaseDeadline).where(CaseDeadline.case_id == case.id,
                                                                CaseDeadline.met_on.is_(None))).first()
    today = clock.today()
    left = (deadline.due_on - today).days
    assert f"剩 {left} 日" in _page(client, case)
    monkeypatch.setattr(clock, "today", lambda: today + timedelta(days=1))
    assert f"剩 {left - 1} 日" in _page(client, case)


def test_every_table_the_page_reads_is_followed_by_the_revisions(app, db, client, factory, login_as, monkeypatch):
    """A table read while the page is rendered, whose changes raise neither the
    case's revision nor the display epoch, would leave a kept page stale."""
    from casesys.casepage import views
    from casesys.demo.data import generate_cases

    generate_cases(60, seed=11)
    db.session.commit()
    login_as(factory.user(Role.SUPERVISOR, province_wide=True))
    migration = _migration()
    followed = set(migration.CASE_ROWS) | set(_epoch_tables()) | {"cases"}
    read: set[str] = set()
    rendering = []
    real = views.case_page_content

    def watched(case, epoch, render, **kwargs):
        def render_watched(*args):
            rendering.append(True)
            try:
                return render(*args)
            finally:
                rendering.clear()
        return real(case, epoch, render_watched, **kwargs)

    monkeypatch.setattr(views, "case_page_content", watched)
    sa.event.listen(db.engine, "before_cursor_execute", lambda conn, cursor, statement, *rest: rendering and read.update(
        re.findall(r'\b(?:FROM|JOIN)\s+"?(\w+)', statement, re.IGNORECASE)))
    for case_id in db.session.scalars(sa.select(Case.id).order_by(Case.id)):
        assert client.get(f"/cases/{case_id}").status_code == 200
    assert read >= {"case_deadlines", "case_events"}  # the watch works
    assert read <= followed, sorted(read - followed)


@pytest.mark.parametrize("table", sorted(_migration().CASE_ROWS))
def test_a_write_to_each_followed_table_raises_the_revision(db, factory, table):
    """Insert, update and delete of a row of each table the case page shows raise its case's revision."""
    officer = factory.user(Role.OFFICER)
    case = factory.case(officer)
    link = _migration().CASE_ROWS[table]
    where = {"case_id": "case_id = :id", "party_id": "party_id IN (SELECT id FROM parties WHERE case_id = :id)",
             "id": "id IN (SELECT patent_id FROM case_patents WHERE case_id = :id)"}[link[-1]]
    revision = sa.text("SELECT revision FROM cases WHERE id = :id")
    before = db.session.execute(revision, {"id": case.id}).scalar_one()
    columns = [c.name for c in db.metadata.tables[table].columns if not c.primary_key]
    changed = db.session.execute(sa.text(f"UPDATE {table} SET {columns[0]} = {columns[0]} WHERE {where}"),
                                 {"id": case.id}).rowcount
    after = db.session.execute(revision, {"id": case.id}).scalar_one()
    assert (after > before) == (changed > 0)
    db.session.rollback()


def test_a_write_to_each_shared_table_raises_the_epoch(db, factory):
    officer = factory.user(Role.OFFICER)
    epoch = sa.text("SELECT coalesce(max(epoch), 0) FROM display_epochs")
    for table, columns in _epoch_tables().items():
        before = db.session.execute(epoch).scalar_one()
        every = list(db.metadata.tables[table].columns)
        column = columns[0] if columns else next((c.name for c in every if not c.primary_key), every[0].name)
        db.session.execute(sa.text(f"UPDATE {table} SET {column} = {column}"))
        assert db.session.execute(epoch).scalar_one() > before or not db.session.execute(
            sa.text(f"SELECT count(*) FROM {table}")).scalar_one(), table
    db.session.execute(sa.update(User).where(User.id == officer.id).values(email="x@example.com"))
    db.session.rollback()


def test_a_party_added_by_the_orm_raises_the_revision(db, factory):
    officer = factory.user(Role.OFFICER)
    case = factory.case(officer)
    before = db.session.execute(sa.select(Case.revision).where(Case.id == case.id)).scalar_one()
    data = factory.party(PartyRole.RESPONDENT, "新加入的公司")
    db.session.add(Party(case=case, role=data.role, **data.values))
    db.session.flush()
    assert db.session.execute(sa.select(Case.revision).where(Case.id == case.id)).scalar_one() > before
    db.session.rollback()


@pytest.mark.commits  # a transaction of its own, not a savepoint of the test's
def test_postgresql_raises_a_revision_once_per_transaction(app, db, factory, backend):
    """Migration 0026onebump: the statements of one transaction that write a case's rows
    raise its revision once (what is kept was rendered from committed rows); the next
    transaction raises it again. SQLite's row triggers raise it for each."""
    officer = factory.user(Role.OFFICER)
    case = factory.case(officer)
    revision = sa.select(Case.revision).where(Case.id == case.id)
    before = db.session.execute(revision).scalar_one()
    for name in ("新加入的甲公司", "新加入的乙公司"):
        data = factory.party(PartyRole.RESPONDENT, name)
        db.session.add(Party(case=case, role=data.role, **data.values))
        db.session.flush()
    db.session.execute(sa.text("UPDATE parties SET name = name WHERE case_id = :id"), {"id": case.id})
    db.session.commit()
    first = db.session.execute(revision).scalar_one()
    db.session.execute(sa.text("UPDATE parties SET name = name WHERE case_id = :id"), {"id": case.id})
    db.session.commit()
    second = db.session.execute(revision).scalar_one()
    if backend == "postgresql":
        assert (first - before, second - first) == (1, 1)
    else:
        assert first - before > 1 and second > first


# --- list and to-do rows (casesys.core.fragments.kept_rows) ---------------------------

def test_a_kept_list_row_shows_a_party_renamed_by_hand_and_a_handler_renamed(client, db, officer, factory):
    case = factory.case(officer)
    handler = factory.user(Role.OFFICER, office=officer.office)
    case.handler_id = handler.id
    db.session.commit()
    assert handler.full_name in client.get("/cases").get_data(as_text=True)
    client.get("/cases")  # kept
    db.session.execute(sa.text("UPDATE parties SET name = '手改名称的公司' WHERE case_id = :id AND role = 'requester'"),
                       {"id": case.id})
    db.session.commit()
    assert "手改名称的公司" in client.get("/cases").get_data(as_text=True)
    db.session.execute(sa.update(User).where(User.id == handler.id).values(full_name="改名后的承办人"))
    db.session.commit()
    assert "改名后的承办人" in client.get("/cases").get_data(as_text=True)


def test_a_kept_to_do_row_follows_its_deadline_and_the_day(client, db, officer, factory, monkeypatch):
    from datetime import timedelta

    from casesys.core import clock

    case = factory.case(officer)
    case.handler_id = officer.id
    db.session.commit()
    deadline = db.session.scalars(sa.select(CaseDeadline).where(CaseDeadline.case_id == case.id,
                                                                CaseDeadline.met_on.is_(None))).first()
    today, due_on = clock.today(), deadline.due_on
    left = (due_on - today).days
    assert f"剩 {left} 日" in client.get("/todo").get_data(as_text=True)
    client.get("/todo")  # kept
    db.session.execute(sa.update(CaseDeadline).where(CaseDeadline.id == deadline.id).values(label="改过的期限名称"))
    db.session.commit()
    assert "改过的期限名称" in client.get("/todo").get_data(as_text=True)
    monkeypatch.setattr(clock, "today", lambda: today + timedelta(days=1))
    assert f"剩 {left - 1} 日" in client.get("/todo").get_data(as_text=True)
