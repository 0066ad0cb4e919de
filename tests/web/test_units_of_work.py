"""One unit of work per request (issue 10.6): what a refused, stale or
conflicting change did is rolled back and told in Chinese — at its field
when the form has it — never a 500; administrators' changes are audited
with who changed what."""
import pytest
import sqlalchemy as sa
from flask import get_flashed_messages
from wtforms import StringField

from casesys.auth.models import Office
from casesys.core.models import AuditLog
from casesys.core.units import CONFLICT_MESSAGE, unit_of_work
from casesys.domain.enums import Role
from casesys.domain.errors import Refused
from casesys.forms.fields import PageForm


class NameForm(PageForm):
    name = StringField("名称")


def _office(code: str) -> Office:
    return Office(code=code, name=f"机关{code}", case_prefix=f"简{code}", province="湖北", level="city")


def test_a_conflict_in_the_database_is_rolled_back_and_told(app, db, factory):
    factory.office(code="HB-X")
    with app.test_request_context("/"):
        with unit_of_work() as unit:
            db.session.add(_office("HB-Y"))
            db.session.add(_office("HB-X"))  # the same code: refused by the unique constraint
        assert not unit.ok and get_flashed_messages() == [CONFLICT_MESSAGE]
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Office).where(Office.code == "HB-Y")) == 0


def test_a_refusal_is_shown_at_its_field_and_what_was_done_goes(app, db):
    with app.test_request_context("/", method="POST"):
        form = NameForm(meta={"csrf": False})
        with unit_of_work(form) as unit:
            db.session.add(_office("HB-Z"))
            db.session.flush()
            raise Refused("名称不能使用", field="name")
        assert not unit.ok and form.name.errors == ["名称不能使用"] and get_flashed_messages() == []
    assert db.session.scalar(sa.select(Office).where(Office.code == "HB-Z")) is None


def test_a_kept_refusal_commits_what_was_done(app, db):
    class Counted(Exception):
        pass

    with app.test_request_context("/", method="POST"):
        with unit_of_work(keep=(Counted,)) as unit:
            db.session.add(_office("HB-K"))
            raise Counted("已记录，但不能继续")
        assert not unit.ok and get_flashed_messages() == ["已记录，但不能继续"]
    db.session.remove()
    assert db.session.scalar(sa.select(Office).where(Office.code == "HB-K")) is not None


def test_another_error_is_rolled_back_and_raised(app, db):
    with app.test_request_context("/"), pytest.raises(ZeroDivisionError), unit_of_work():
        db.session.add(_office("HB-E"))
        _ = 1 / 0
    assert db.session.scalar(sa.select(Office).where(Office.code == "HB-E")) is None


def test_a_page_meeting_a_database_conflict_answers_in_chinese(client, db, factory, login_as, monkeypatch):
    """Two administrators save the same new office code at once: the second
    passes the form's check, then the database refuses it."""
    from casesys.admin import services

    admin = factory.user(Role.ADMIN)
    login_as(admin)
    original = services.save_office

    def raced(office, values, *, actor):
        db.session.add(_office(values["code"]))  # the other administrator's row, first
        return original(office, values, actor=actor)

    monkeypatch.setattr(services, "save_office", raced)
    response = client.post("/admin/offices/new", data={
        "code": "HB-RACE", "name": "竞争市知识产权局", "case_prefix": "竞知保", "province": "湖北", "level": "city",
        "is_active": "y", "entrusted_by_id": "0"})
    assert response.status_code == 200 and CONFLICT_MESSAGE in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Office).where(Office.code == "HB-RACE")) is None


def test_administrators_changes_are_audited(client, db, factory, login_as):
    from casesys.adjudication.models import DeadlineRule
    from casesys.jobs.models import Job

    admin = factory.user(Role.ADMIN)
    login_as(admin)

    def rows(table):
        db.session.expire_all()
        return db.session.scalars(sa.select(AuditLog).where(AuditLog.table_name == table)
                                  .order_by(AuditLog.id)).all()

    office = admin.office
    client.post("/admin/users/new", data={
        "username": "zhaolei", "full_name": "赵磊", "office_id": str(office.id), "roles": ["officer"], "active": "y",
        "password": "a-long-password"})
    created = rows("users")[-1]
    assert created.action == "insert" and created.actor_id == admin.id
    assert created.changes["username"] == [None, "zhaolei"] and "password_hash" not in created.changes
    user_id = created.row_id
    client.post(f"/admin/users/{user_id}/edit", data={
        "username": "zhaolei", "full_name": "赵磊", "office_id": str(office.id), "roles": ["officer", "supervisor"],
        "password": "another-long-password"})
    edited = rows("users")[-1]
    assert edited.changes["roles"] == [["officer"], ["officer", "supervisor"]]
    assert edited.changes["active"] == [True, False] and edited.changes["password"] == ["", "已重置"]

    from casesys.core.settings import SETTINGS

    client.post("/admin/settings", data={key: str(d.default) for key, d in SETTINGS.items()} | {"upload_max_mb": "7"})
    assert [r.changes for r in rows("settings")] == [{"upload_max_mb": [SETTINGS["upload_max_mb"].default, 7]}]

    before = db.session.get(DeadlineRule, "acceptance").amount
    response = client.post("/admin/deadline-rules", data={"key": "acceptance", "amount": str(before + 2),
                                                          "unit": "working"})
    assert "/jobs/" in response.headers["Location"]
    rule_row = rows("deadline_rules")[-1]
    assert rule_row.changes == {"key": "acceptance", "amount": [before, before + 2]} and rule_row.actor_id == admin.id
    job = db.session.scalar(sa.select(Job).order_by(Job.id.desc()))
    assert job.kind == "deadlines.recompute" and job.requested_by_id == admin.id  # the open cases: by the worker

    client.post("/admin/calendar", data={"year": "2031", "holidays": "2031-01-01 元旦", "workdays": "",
                                         "source": "测试通知"})
    assert rows("calendar_years")[-1].changes == {"year": 2031, "source": "测试通知", "holidays": 1, "workdays": 0}

    client.post(f"/admin/offices/{office.id}/edit", data={
        "code": office.code, "name": "改名后的机关", "case_prefix": office.case_prefix, "province": office.province,
        "level": office.level.value, "is_active": "y", "entrusted_by_id": "0"})
    assert rows("offices")[-1].changes["name"][1] == "改名后的机关"

    client.post("/admin/mediation/organisations/new", data={"name": "测试调解委员会", "kind": "committee",
                                                            "is_active": "y"})
    organisation = rows("mediation_organisations")[-1]
    assert organisation.action == "insert" and organisation.changes["name"] == [None, "测试调解委员会"]
    client.post("/admin/mediation/mediators/new", data={"name": "调解员甲", "organisation_id": str(organisation.row_id),
                                                        "user_id": "0", "is_active": "y"})
    assert rows("mediators")[-1].changes["name"] == [None, "调解员甲"]
    assert all(r.actor_id == admin.id for t in ("offices", "mediators", "calendar_years") for r in rows(t))
