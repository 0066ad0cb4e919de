"""Administration pages, the command line and the health check."""
import re

import sqlalchemy as sa

from casesys.auth.models import Office, User
from casesys.domain.enums import Role


def test_admin_creates_a_user_who_can_log_in(app, client, db, factory, login_as):
    admin = factory.user(Role.ADMIN)
    office = factory.office()
    login_as(admin)
    response = client.post("/admin/users/new", data={
        "username": "zhangwei", "full_name": "张伟", "email": "", "office_id": str(office.id),
        "roles": ["officer", "mediator"], "active": "y", "password": "a-long-password"})
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.username == "zhangwei"))
    assert user.roles == {Role.OFFICER, Role.MEDIATOR}
    other = app.test_client()
    assert other.post("/login", data={"username": "zhangwei", "password": "a-long-password"}).status_code == 302


def test_user_form_refuses_duplicates_and_missing_roles(client, factory, login_as):
    admin = factory.user(Role.ADMIN)
    login_as(admin)
    page = client.post("/admin/users/new", data={
        "username": admin.username, "full_name": "重复", "office_id": str(admin.office_id),
        "password": "a-long-password"}).get_data(as_text=True)
    assert "该用户名已被使用" in page or "请至少选择一个角色" in page
    assert "请至少选择一个角色" in page


def test_admin_edits_an_office(client, db, factory, login_as):
    admin = factory.user(Role.ADMIN)
    office = admin.office
    login_as(admin)
    response = client.post(f"/admin/offices/{office.id}/edit", data={
        "code": office.code, "name": "襄阳市知识产权局", "case_prefix": "襄知保", "province": "湖北",
        "city": "襄阳", "level": "city", "is_active": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (office.name, office.case_prefix) == ("襄阳市知识产权局", "襄知保")


def test_settings_page_changes_the_upload_limit(client, db, factory, login_as):
    from casesys.core.models import Setting

    admin = factory.user(Role.ADMIN)
    login_as(admin)
    from casesys.core.settings import SETTINGS

    defaults = {key: str(definition.default) for key, definition in SETTINGS.items()}
    response = client.post("/admin/settings", data=defaults | {"upload_max_mb": "5"})
    assert response.status_code == 302
    assert db.session.get(Setting, "upload_max_mb").value == 5
    page = client.post("/admin/settings", data={"upload_max_mb": "-1"}).get_data(as_text=True)
    assert "请输入1至3650之间的整数" in page
    # Issue 11: a huge number was stored, and broke the pages doing arithmetic with it.
    response = client.post("/admin/settings", data=defaults | {"repeat_infringement_years": "9" * 27})
    assert response.status_code == 200 and "请输入1至30之间的整数" in response.get_data(as_text=True)
    stored = db.session.get(Setting, "repeat_infringement_years")  # only a changed setting is stored
    assert stored is None or stored.value == 5


def test_every_whole_number_setting_allows_its_default():
    """The settings form refuses a value above a setting's maximum: a default above it could never be saved back."""
    from casesys.core.settings import SETTINGS

    assert [k for k, d in SETTINGS.items() if d.kind is int and not 1 <= d.default <= d.maximum] == []


def test_create_user_command(runner, db, factory):
    office = factory.office(code="HB-TEST")
    result = runner.invoke(args=["create-user", "lina", "--name", "李娜", "--office", "HB-TEST",
                                 "--role", "supervisor", "--password", "a-long-password"])
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).where(User.username == "lina"))
    assert user.office_id == office.id and user.roles == {Role.SUPERVISOR}
    again = runner.invoke(args=["create-user", "lina", "--name", "李娜", "--office", "HB-TEST",
                                "--role", "officer", "--password", "a-long-password"])
    assert again.exit_code != 0 and "已存在" in again.output


def test_create_user_command_applies_the_password_policy(runner, db, factory):
    """Issue 11: not the username, not a common password; the reason in Chinese."""
    factory.office(code="HB-TEST")
    for password, reason in (("1234567890", "常见密码"), ("lina-2026-abc", "用户名")):
        result = runner.invoke(args=["create-user", "lina", "--name", "李娜", "--office", "HB-TEST",
                                     "--role", "officer", "--password", password])
        assert result.exit_code != 0 and reason in result.output
    assert db.session.scalar(sa.select(User).where(User.username == "lina")) is None


def test_admin_create_and_reset_apply_the_password_policy(app, client, db, factory, login_as):
    admin = factory.user(Role.ADMIN)
    officer = factory.user(Role.OFFICER, office=admin.office)
    login_as(admin)
    form = {"username": "zhangwei", "full_name": "张伟", "email": "", "office_id": str(admin.office_id),
            "roles": ["officer"], "active": "y"}
    page = client.post("/admin/users/new", data=form | {"password": "1234567890"}).get_data(as_text=True)
    assert "这是常见密码" in page
    page = client.post("/admin/users/new", data=form | {"password": "zhangwei-1990"}).get_data(as_text=True)
    assert "密码不能包含用户名" in page
    assert db.session.scalar(sa.select(User).where(User.username == "zhangwei")) is None
    edit = form | {"username": officer.username, "full_name": officer.full_name}
    page = client.post(f"/admin/users/{officer.id}/edit", data=edit | {"password": "correct-horse-1"}).get_data(
        as_text=True)
    assert "新密码不能与原密码相同" in page
    page = client.post(f"/admin/users/{officer.id}/edit", data=edit | {"password": "password123"}).get_data(
        as_text=True)
    assert "这是常见密码" in page
    db.session.expire_all()
    assert officer.check_password("correct-horse-1")


def test_demo_data_is_valid_and_covers_every_state(runner, db):
    from casesys.cases.models import Case, Party, Patent
    from casesys.domain.codes import validate_credit_code, validate_patent_number, validate_resident_id
    from casesys.domain.enums import CaseState

    result = runner.invoke(args=["demo-data", "--cases", "600"])
    assert result.exit_code == 0, result.output
    # 600 generated, and one opened at 咸宁 by the demo case transfer (SPEC §6)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case)) == 601
    from casesys.domain.referrals import ReferralState
    from casesys.referrals.models import Referral

    assert set(db.session.scalars(sa.select(Referral.state).distinct())) == set(ReferralState)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case).where(Case.closing_type == "transferred")) == 1
    states = set(db.session.scalars(sa.select(Case.state).distinct()))
    assert states == set(CaseState)
    for party in db.session.scalars(sa.select(Party).limit(300)):
        if party.credit_code:
            assert validate_credit_code(party.credit_code) is None
        if party.id_number:
            assert validate_resident_id(party.id_number) is None
    for patent in db.session.scalars(sa.select(Patent).limit(300)):
        assert validate_patent_number(patent.number) is None
    provinces = set(db.session.scalars(sa.select(Office.province).distinct()))
    assert provinces == {"湖北", "湖南", "江西"}
    for username in ("admin", "officer", "mediator", "supervisor"):
        assert db.session.scalar(sa.select(User).where(User.username == username)).check_password("casesys-demo")
    numbers = db.session.scalars(sa.select(Case.number)).all()
    assert all(re.match(r"^\S+字〔\d{4}〕\d+号$", n) for n in numbers)


def test_demo_data_continues_numbering_for_new_cases(runner, db, factory):
    from casesys.cases.models import Case

    runner.invoke(args=["demo-data", "--cases", "50"])
    officer = db.session.scalar(sa.select(User).where(User.username == "officer"))
    case = factory.case(officer)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Case).where(Case.number == case.number)) == 1


def test_demo_data_if_empty_skips_a_loaded_database(runner, factory):
    factory.user(Role.OFFICER)
    result = runner.invoke(args=["demo-data", "--if-empty", "--cases", "10"])
    assert "跳过" in result.output


def test_demo_data_is_refused_in_production(app, runner):
    app.config["DEMO_DATA_ALLOWED"] = False
    try:
        result = runner.invoke(args=["demo-data", "--cases", "1"])
    finally:
        app.config["DEMO_DATA_ALLOWED"] = True
    assert result.exit_code != 0 and "生产环境" in result.output


def test_healthz_reports_the_database(client, backend):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok", "dialect": backend}


def test_office_case_prefix_must_be_unique(client, factory, login_as):
    admin = factory.user(Role.ADMIN)
    factory.office(code="WH", prefix="武知保", name="武汉市知识产权局")
    login_as(admin)
    page = client.post("/admin/offices/new", data={
        "code": "WH2", "name": "另一个局", "case_prefix": "武知保", "province": "湖北", "level": "city",
        "is_active": "y"}).get_data(as_text=True)
    assert "案号简称已由武汉市知识产权局使用" in page
