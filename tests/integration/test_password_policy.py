"""The password policy (issue 11): length, the username, the current
password, common passwords by zxcvbn's score; Chinese reasons."""
import pytest

from casesys.auth.passwords import password_problem


@pytest.mark.parametrize("password, reason", [
    ("short-1", "至少10个字符"),
    ("1234567890", "常见密码"),
    ("password123", "常见密码"),
    ("abcdefghijklm", "连续的字母或数字"),
    ("zxcvbnm,./", "键盘上相邻"),
    ("aaaaaaaaaaaa", "重复的字符"),
    ("zhangwei-2024", "用户名"),
    ("xx-ZhangWei-xx", "用户名"),
    ("iewgnahz-909!", "倒写的用户名"),
    ("Secret\x00Horse-42", "控制字符"),
    ("x" * 129, "不能超过128个字符"),
])
def test_weak_passwords_are_refused_with_the_reason(app, password, reason):
    problem = password_problem(password, username="zhangwei", full_name="张伟")
    assert problem is not None and reason in problem


@pytest.mark.parametrize("password", ["correct-horse-1", "Wuhan-river-bridge-9", "casesys-demo", "a-long-password"])
def test_strong_passwords_pass(app, password):
    assert password_problem(password, username="zhangwei") is None


def test_the_current_password_is_refused(app):
    assert "不能与当前密码相同" in password_problem("correct-horse-1", username="li", current_password="correct-horse-1")


def test_length_and_score_are_settings(app, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_MIN_LENGTH", 16)
    assert "至少16个字符" in password_problem("correct-horse-1", username="li")
    monkeypatch.setitem(app.config, "PASSWORD_MIN_LENGTH", 8)
    monkeypatch.setitem(app.config, "PASSWORD_MIN_SCORE", 4)
    assert password_problem("zhangsan123", username="li") is not None
    monkeypatch.setitem(app.config, "PASSWORD_MIN_SCORE", 2)
    assert password_problem("zhangsan123", username="li") is None
