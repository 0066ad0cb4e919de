"""Every change to a case is audited (SPEC §2); stale saves are refused."""
import pytest
import sqlalchemy as sa

from casesys.cases.services import ConcurrentEdit, update_case
from casesys.core.models import AuditLog
from casesys.domain.enums import Role


def _audit(db, case_id):
    return db.session.scalars(sa.select(AuditLog).where(AuditLog.case_id == case_id).order_by(AuditLog.id)).all()


def test_registration_is_audited_row_by_row(db, factory):
    officer = factory.user(Role.OFFICER)
    case = factory.case(officer, respondents=("甲公司", "乙公司"))
    rows = _audit(db, case.id)
    tables = sorted(r.table_name for r in rows)
    assert tables == sorted(["cases", "parties", "parties", "parties", "case_patents"])
    case_row = next(r for r in rows if r.table_name == "cases")
    assert case_row.action == "insert" and case_row.changes["number"] == [None, case.number]


def test_an_edit_records_who_and_old_and_new_values(db, factory):
    officer = factory.user(Role.OFFICER)
    case = factory.case(officer)
    db.session.info["actor_id"] = officer.id
    update_case(case, expected_version=case.version, fields={"title": "新的案由", "requests": case.requests},
                handler=None, actor=officer)
    db.session.commit()
    db.session.info.pop("actor_id")
    row = _audit(db, case.id)[-1]
    assert row.action == "update" and row.actor_id == officer.id
    assert row.changes["title"][1] == "新的案由"
    assert "requests" not in row.changes
    assert case.events[-1].kind == "edited"


def test_a_save_based_on_an_old_version_is_refused(db, factory):
    officer = factory.user(Role.OFFICER)
    case = factory.case(officer)
    loaded_version = case.version
    update_case(case, expected_version=loaded_version, fields={"title": "第一人修改"}, handler=None, actor=officer)
    db.session.commit()
    with pytest.raises(ConcurrentEdit):
        update_case(case, expected_version=loaded_version, fields={"title": "第二人修改"}, handler=None, actor=officer)
    db.session.rollback()
    assert case.title == "第一人修改"


@pytest.mark.commits  # two sessions of its own read the case
def test_the_database_refuses_a_stale_row_even_without_the_form_check(app, db, factory):
    """Two sessions load version 1; the second flush finds no row to update."""
    from sqlalchemy.orm import Session
    from sqlalchemy.orm.exc import StaleDataError

    from casesys.cases.models import Case

    officer = factory.user(Role.OFFICER)
    case_id = factory.case(officer).id
    with Session(db.engine) as first, Session(db.engine) as second:
        a, b = first.get(Case, case_id), second.get(Case, case_id)
        a.title = "甲"
        first.commit()
        b.title = "乙"
        with pytest.raises(StaleDataError):
            second.commit()


def test_the_audit_page_speaks_the_users_language(client, db, factory, login_as):
    """Issue 16.14: Chinese field labels, names instead of ids, Beijing time."""
    import re

    from casesys.core.timefmt import local_datetime
    from casesys.domain.enums import Role

    officer = factory.user(Role.OFFICER, full_name="陈志远")
    other = factory.user(Role.OFFICER, office=officer.office, full_name="王芳")
    login_as(officer)
    case = factory.case(officer)
    party = case.parties[1]
    client.post(f"/cases/{case.id}/edit", data={"title": "改过的案由", "requests": case.requests, "dispute_kind": "infringement",
                                                 "handler_id": str(other.id), "version": str(case.version)})
    page = client.get(f"/cases/{case.id}/audit").get_data(as_text=True)
    assert "案由" in page and "改过的案由" in page and "承办人" in page
    assert "<del class=\"text-body-secondary\">陈志远</del> → 王芳" in page
    assert f"当事人“{party.name}”" in page and "主体性质" in page and "民营" in page
    assert "handler_id" not in page and "enterprise_type" not in page and "private" not in page
    import sqlalchemy as sa

    from casesys.core.models import AuditLog

    first = db.session.scalar(sa.select(AuditLog).order_by(AuditLog.at.desc()))
    assert local_datetime(first.at, "%Y-%m-%d %H:%M:%S") in page
    assert not re.search(r"#\d+", page)
