"""Accounts (SPEC §1): login, throttling, CSRF, cookies, password change."""
import re

import pytest
import sqlalchemy as sa

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
    assert "账户已临时锁定，请 15 分钟后再试，或联系管理员解锁" in response.get_data(as_text=True)
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


# --- issue 11: sessions end on the server -----------------------------------------

def _replay(app, cookies: dict[str, str]):
    """A new browser holding copies of saved cookies."""
    browser = app.test_client()
    for name, value in cookies.items():
        browser.set_cookie(name, value)
    return browser


def _saved_cookies(client) -> dict[str, str]:
    return {name: client.get_cookie(name).value for name in ("session", "remember_token")
            if client.get_cookie(name) is not None}


def test_saved_session_and_remember_cookies_open_nothing_after_logout(app, client, factory):
    officer = factory.user(Role.OFFICER)
    client.post("/login", data={"username": officer.username, "password": "correct-horse-1", "remember": "y"})
    saved = _saved_cookies(client)
    assert set(saved) == {"session", "remember_token"}
    assert _replay(app, saved).get("/cases").status_code == 200
    assert _replay(app, {"remember_token": saved["remember_token"]}).get("/cases").status_code == 200
    client.post("/logout")
    for cookies in (saved, {"session": saved["session"]}, {"remember_token": saved["remember_token"]}):
        response = _replay(app, cookies).get("/cases")
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_logging_out_in_one_browser_keeps_the_other_logged_in(app, client, factory, login_as):
    officer = factory.user(Role.OFFICER)
    other = app.test_client()
    other.post("/login", data={"username": officer.username, "password": "correct-horse-1"})
    login_as(officer)
    client.post("/logout")
    assert other.get("/cases").status_code == 200


def test_a_remember_cookie_expires_on_the_server(app, client, factory):
    """REMEMBER_COOKIE_DURATION (14 days by default) bounds the login, not only the browser's cookie."""
    from datetime import timedelta

    from casesys.core import clock

    assert app.config["REMEMBER_COOKIE_DURATION"] == timedelta(days=14)
    assert "14天内自动登录" in client.get("/login").get_data(as_text=True)
    officer = factory.user(Role.OFFICER)
    client.post("/login", data={"username": officer.username, "password": "correct-horse-1", "remember": "y"})
    token = {"remember_token": client.get_cookie("remember_token").value}
    with clock.frozen(clock.today() + timedelta(days=13)):
        assert _replay(app, token).get("/cases").status_code == 200
    with clock.frozen(clock.today() + timedelta(days=15)):
        assert _replay(app, token).get("/cases").status_code == 302


def test_password_change_revokes_the_remember_cookies_of_other_browsers(app, client, factory, login_as):
    officer = factory.user(Role.OFFICER)
    other = app.test_client()
    other.post("/login", data={"username": officer.username, "password": "correct-horse-1", "remember": "y"})
    saved = _saved_cookies(other)
    login_as(officer)
    client.post("/account/password", data={
        "current_password": "correct-horse-1", "new_password": "a-new-secret-2", "confirm": "a-new-secret-2"})
    assert client.get("/cases").status_code == 200
    assert _replay(app, saved).get("/cases").status_code == 302
    assert _replay(app, {"remember_token": saved["remember_token"]}).get("/cases").status_code == 302


def test_an_administrator_resetting_or_deactivating_a_user_ends_their_logins(app, client, db, factory, login_as):
    officer = factory.user(Role.OFFICER)
    admin = factory.user(Role.ADMIN, office=officer.office)
    browser = app.test_client()
    browser.post("/login", data={"username": officer.username, "password": "correct-horse-1", "remember": "y"})
    saved = _saved_cookies(browser)
    login_as(admin)
    form = {"username": officer.username, "full_name": officer.full_name, "email": "",
            "office_id": str(officer.office_id), "roles": ["officer"], "active": "y"}
    assert client.post(f"/admin/users/{officer.id}/edit", data=form | {"password": "Reset-by-admin-77"}).status_code == 302
    assert _replay(app, saved).get("/cases").status_code == 302
    browser = app.test_client()
    browser.post("/login", data={"username": officer.username, "password": "Reset-by-admin-77", "remember": "y"})
    saved = _saved_cookies(browser)
    assert _replay(app, saved).get("/cases").status_code == 200
    form.pop("active")
    assert client.post(f"/admin/users/{officer.id}/edit", data=form).status_code == 302
    assert _replay(app, saved).get("/cases").status_code == 302


# --- issue 11: the login's timing and input ----------------------------------------

@pytest.fixture
def hash_checks(monkeypatch):
    """Every password hash check made, as (hash, password)."""
    import casesys.auth.passwords as passwords

    calls = []
    real = passwords.check_password_hash

    def spy(pwhash, password):
        calls.append((pwhash, password))
        return real(pwhash, password)

    monkeypatch.setattr(passwords, "check_password_hash", spy)
    return calls


def test_unknown_and_inactive_users_cost_one_hash_check_like_a_known_one(client, db, factory, hash_checks):
    """The time a login takes does not tell whether the name exists."""
    officer = factory.user(Role.OFFICER)
    retired = factory.user(Role.OFFICER)
    retired.active = False
    db.session.commit()
    for name in (officer.username, "nobody-here", retired.username):
        hash_checks.clear()
        page = client.post("/login", data={"username": name, "password": "correct-horse-1" if name != officer.username
                                           else "wrong-password"}).get_data(as_text=True)
        assert "用户名或密码错误" in page
        assert len(hash_checks) == 1, name
    assert hash_checks[0][0] != retired.password_hash  # a dummy hash, the same method as real ones
    assert hash_checks[0][0].split("$")[0] == retired.password_hash.split("$")[0]


def test_a_password_with_a_nul_never_matches(client, factory):
    """PBKDF2 and scrypt pad the key with NULs: "secret\\0" hashed like "secret".
    A post with a NUL is refused before any view (casesys.core.inputs); the
    check itself refuses it too."""
    from casesys.auth.passwords import password_matches

    officer = factory.user(Role.OFFICER)
    for password in ("correct-horse-1\x00", "correct-horse-1\x00\x00", "\x00correct-horse-1"):
        assert not password_matches(officer.password_hash, password)
        response = client.post("/login", data={"username": officer.username, "password": password})
        assert response.status_code == 400 and "无效字符" in response.get_data(as_text=True)
    assert client.get("/cases").status_code == 302
    assert client.post("/login", data={"username": officer.username, "password": "correct-horse-1"}).status_code == 302


@pytest.mark.parametrize("name", ["officer\x00", "\x00", "x" * 300, "a\x00b" * 40])
def test_a_hostile_user_name_is_just_unknown(client, db, factory, name):
    """Never a 500 (PostgreSQL refuses NUL in text; the name columns hold 64).
    A name with a NUL does not reach the login (400 at the door); the login
    itself takes it as nobody's."""
    from casesys.auth.models import LoginAttempt
    from casesys.auth.services import authenticate

    factory.user(Role.OFFICER, username="officer")
    response = client.post("/login", data={"username": name, "password": "correct-horse-1"})
    if "\x00" in name:
        assert response.status_code == 400 and "无效字符" in response.get_data(as_text=True)
        assert authenticate(name, "correct-horse-1", "127.0.0.1") is None
        db.session.commit()
    else:
        assert response.status_code == 200 and "用户名或密码错误" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(LoginAttempt)) == 1


# --- issue 11: throttle counted atomically, behind proxies, unlocked by an administrator

@pytest.mark.commits  # forty threads
def test_parallel_wrong_passwords_get_only_the_allowed_checks(app, db, factory, hash_checks):
    """40 at once, limit 5: 5 password checks, 35 refused before checking (real
    parallel connections on PostgreSQL, SQLite's one writer at a time)."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    import casesys.auth.passwords as passwords

    username = factory.user(Role.OFFICER).username
    limit = app.config["LOGIN_MAX_FAILURES_PER_USER"]
    checking = passwords.check_password_hash

    def slow_check(pwhash, password):  # as long as scrypt, so the attempts overlap
        time.sleep(0.05)
        return checking(pwhash, password)

    passwords.check_password_hash = slow_check
    start = threading.Barrier(40)

    def attempt(n):
        browser = app.test_client()
        start.wait()
        return browser.post("/login", data={"username": username, "password": f"wrong-{n}"})

    try:
        with ThreadPoolExecutor(max_workers=40) as pool:
            responses = list(pool.map(attempt, range(40)))
    finally:
        passwords.check_password_hash = checking
    pages = [r.get_data(as_text=True) for r in responses]
    assert all(r.status_code == 200 for r in responses)
    assert len(hash_checks) == limit
    assert sum("用户名或密码错误" in p for p in pages) == limit
    assert sum("账户已临时锁定" in p for p in pages) == 40 - limit


@pytest.mark.commits  # an app of its own logs the user in
def test_the_address_limit_counts_real_clients_behind_a_trusted_proxy(database_url, factory, tmp_path):
    """TRUSTED_PROXY_COUNT=1: X-Forwarded-For names the client; without it
    the header is ignored (anyone could send one)."""
    from casesys import create_app
    from tests.conftest import mark_all_tables_dirty

    officer = factory.user(Role.OFFICER)
    for trusted, locked in ((0, True), (1, False)):
        behind = create_app("test", SQLALCHEMY_DATABASE_URI=database_url, TRUSTED_PROXY_COUNT=trusted,
                            LOGIN_MAX_FAILURES_PER_ADDRESS=3, PASSWORD_HASH_METHOD="pbkdf2:sha256:1000",
                            UPLOAD_DIR=str(tmp_path), BATCH_DIR=str(tmp_path))
        proxy = {"REMOTE_ADDR": "10.9.9.9"}
        with behind.app_context():
            browser = behind.test_client()
            for n in range(3):  # others' failures, all through the one proxy
                browser.post("/login", data={"username": f"guess{n}", "password": "x"},
                             headers={"X-Forwarded-For": f"203.0.113.{n}"}, environ_base=proxy)
            response = behind.test_client().post(
                "/login", data={"username": officer.username, "password": "correct-horse-1"},
                headers={"X-Forwarded-For": "198.51.100.7"}, environ_base=proxy)
            assert ("登录失败次数过多" in response.get_data(as_text=True)) is locked
            assert (response.status_code == 302) is not locked
            from casesys.auth.models import LoginThrottle
            from casesys.extensions import db

            db.session.execute(sa.delete(LoginThrottle))
            db.session.commit()
            db.engine.dispose()
    mark_all_tables_dirty(behind)


def test_an_administrator_unlocks_an_account_others_locked(app, client, db, factory, login_as):
    from casesys.core.models import AuditLog

    officer = factory.user(Role.OFFICER)
    admin = factory.user(Role.ADMIN, office=officer.office)
    attacker = app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_USER"]):
        attacker.post("/login", data={"username": officer.username, "password": "guess"})
    locked = app.test_client().post("/login", data={"username": officer.username, "password": "correct-horse-1"})
    assert "或联系管理员解锁" in locked.get_data(as_text=True)
    login_as(admin)
    page = client.get("/admin/users").get_data(as_text=True)
    assert "已锁定" in page and f"/admin/users/{officer.id}/unlock" in page
    assert client.post(f"/admin/users/{officer.id}/unlock").status_code == 302
    assert "已锁定" not in client.get("/admin/users").get_data(as_text=True)
    entry = db.session.scalar(sa.select(AuditLog).where(AuditLog.table_name == "users"))
    assert (entry.action, entry.actor_id, entry.row_id) == ("unlock", admin.id, officer.id)
    assert app.test_client().post("/login", data={"username": officer.username,
                                                  "password": "correct-horse-1"}).status_code == 302


def test_only_an_administrator_unlocks(client, factory, login_as):
    officer = factory.user(Role.SUPERVISOR)
    login_as(officer)
    assert client.post(f"/admin/users/{officer.id}/unlock").status_code == 403


# --- issue 11: the password policy where a person chooses a password ------------------

@pytest.mark.parametrize("new, reason", [
    ("1234567890", "这是常见密码"),
    ("correct-horse-1", "新密码不能与当前密码相同"),
    ("{username}-secret", "密码不能包含用户名"),
])
def test_a_password_change_refuses_weak_passwords_at_the_field(client, factory, login_as, new, reason):
    officer = factory.user(Role.OFFICER, username="wanglei")
    login_as(officer)
    new = new.format(username=officer.username)
    response = client.post("/account/password", data={
        "current_password": "correct-horse-1", "new_password": new, "confirm": new})
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and reason in page
    assert re.search(r'id="new_password"[^>]*is-invalid|is-invalid[^>]*id="new_password"', page)
    assert client.post("/logout").status_code == 302
    assert login_as(officer).status_code == 302  # the old password still works
