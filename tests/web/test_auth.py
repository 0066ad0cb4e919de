"""Accounts (SPEC §1): login, throttling, CSRF, cookies, password change."""
import re

import pytest

from casesys.domain.enums import Role


def test_login_and_logout(client, factory, login_as):
    officer = factory.user(Role.OFFICER)
    response = login_as(officer)
    assert response.status_code == 302
    assert client.get("/cases").status_code == 200
    client.post("/logout")
    assert client.get("/cases").status_code == 302


def test_wrong_password_gives_a_chinese_message(client, factory, login_as):
    officer = factory.user(Role.OFFICER)
    response = login_as(officer, password="wrong-password")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_unknown_user_gives_the_same_message(client):
    response = client.post("/login", data={"username": "nobody", "password": "x"})
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_account_is_throttled_after_repeated_failures(app, client, factory, login_as):
    officer = factory.user(Role.OFFICER)
    limit = app.config["LOGIN_MAX_FAILURES_PER_USER"]
    for _ in range(limit):
        login_as(officer, password="wrong-password")
    response = login_as(officer)  # even the right password waits now
    assert response.status_code == 200
    assert "登录失败次数过多" in response.get_data(as_text=True)
    assert client.get("/cases").status_code == 302


def test_address_is_throttled_across_accounts(app, client, factory):
    app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 3
    try:
        for n in range(3):
            client.post("/login", data={"username": f"guess{n}", "password": "x"})
        officer = factory.user(Role.OFFICER)
        response = client.post("/login", data={"username": officer.username, "password": "correct-horse-1"})
        assert "登录失败次数过多" in response.get_data(as_text=True)
        other = app.test_client()
        other.environ_base["REMOTE_ADDR"] = "10.0.0.9"
        assert other.post("/login", data={"username": officer.username, "password": "correct-horse-1"}).status_code == 302
    finally:
        app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 1000


def test_failures_are_counted_in_the_database(db, client, factory, login_as):
    """So every worker process sees the same count."""
    import sqlalchemy as sa

    from casesys.auth.models import LoginAttempt

    officer = factory.user(Role.OFFICER)
    login_as(officer, password="nope")
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt)
                             .where(LoginAttempt.succeeded.is_(False))) == 1


def test_password_change_logs_out_other_sessions(app, factory, login_as, client):
    officer = factory.user(Role.OFFICER)
    other_browser = app.test_client()
    other_browser.post("/login", data={"username": officer.username, "password": "correct-horse-1"})
    assert other_browser.get("/cases").status_code == 200
    login_as(officer)
    response = client.post("/account/password", data={
        "current_password": "correct-horse-1", "new_password": "a-new-secret-2", "confirm": "a-new-secret-2"})
    assert response.status_code == 302
    assert client.get("/cases").status_code == 200          # this session goes on
    assert other_browser.get("/cases").status_code == 302   # the other is logged out


def test_password_change_checks_the_current_password(client, factory, login_as):
    officer = factory.user(Role.OFFICER)
    login_as(officer)
    response = client.post("/account/password", data={
        "current_password": "wrong", "new_password": "a-new-secret-2", "confirm": "a-new-secret-2"})
    assert "当前密码不正确" in response.get_data(as_text=True)


def test_passwords_are_hashed(factory):
    officer = factory.user(Role.OFFICER)
    assert "correct-horse-1" not in officer.password_hash
    assert officer.check_password("correct-horse-1")


def test_safe_redirect_after_login(client, factory):
    officer = factory.user(Role.OFFICER)
    response = client.post("/login?next=https://evil.example/x",
                           data={"username": officer.username, "password": "correct-horse-1"})
    assert response.headers["Location"] == "/"


@pytest.fixture
def csrf_app(app):
    app.config["WTF_CSRF_ENABLED"] = True
    yield app
    app.config["WTF_CSRF_ENABLED"] = False


def test_forms_without_a_csrf_token_are_refused(csrf_app, factory):
    officer = factory.user(Role.OFFICER)
    client = csrf_app.test_client()
    response = client.post("/login", data={"username": officer.username, "password": "correct-horse-1"})
    assert response.status_code == 400 and "表单已过期" in response.get_data(as_text=True)
    assert client.get("/cases").status_code == 302
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": officer.username, "password": "correct-horse-1",
                                           "csrf_token": token})
    assert response.status_code == 302 and client.get("/cases").status_code == 200


def test_cookie_settings(app):
    from config import ProductionConfig

    assert app.config["SESSION_COOKIE_HTTPONLY"] and app.config["REMEMBER_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert ProductionConfig.SESSION_COOKIE_SECURE and ProductionConfig.REMEMBER_COOKIE_SECURE


@pytest.mark.parametrize("secret", [None, "", "dev-only-not-secret", "short"])
def test_production_refuses_to_start_without_a_real_secret(monkeypatch, secret):
    from casesys import create_app

    if secret is None:
        monkeypatch.delenv("SECRET_KEY", raising=False)
    else:
        monkeypatch.setenv("SECRET_KEY", secret)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        create_app("production")


def test_an_administrator_lands_on_an_administration_page(client, factory, login_as):
    """Issue 16.15: not a 403 whose 返回首页 loops back to it."""
    from casesys.domain.enums import Role

    admin = factory.user(Role.ADMIN)
    response = login_as(admin, follow=True)
    assert response.status_code == 200 and response.request.path == "/admin/users"
    home = client.get("/", follow_redirects=True)
    assert home.status_code == 200 and home.request.path == "/admin/users"
