"""Passwords: hashing, checking in constant work, and the policy a new
password must meet (issue 11)."""
from __future__ import annotations

import secrets
from functools import lru_cache

from flask import current_app
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn


def hash_method() -> str:
    return current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=hash_method())


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_hex(16), method=method)


def password_matches(password_hash: str | None, password: str) -> bool:
    """Exactly one hash check whatever the input, so the time taken does not
    tell an unknown or inactive user (`password_hash` None) from a known one.
    A password with a NUL never matches: PBKDF2/scrypt pad the key with NULs,
    so "secret\\0" would otherwise pass for "secret"."""
    ok = check_password_hash(password_hash or _dummy_hash(hash_method()), password)
    return ok and password_hash is not None and "\x00" not in password


# --- policy -------------------------------------------------------------------------

# zxcvbn's feedback is English; the user sees one Chinese reason, chosen by the
# weakest kind of pattern zxcvbn found (first match in this order).
_PATTERN_MESSAGES = (
    (lambda m: m.get("dictionary_name") == "passwords", "这是常见密码，很容易被猜中，请换一个"),
    (lambda m: m.get("dictionary_name") == "user_inputs", "密码不能包含用户名、姓名等个人信息"),
    (lambda m: m["pattern"] == "spatial", "密码含有键盘上相邻按键的序列（如 qwerty），容易被猜中"),
    (lambda m: m["pattern"] == "repeat", "密码含有重复的字符或片段（如 aaa、abcabc），容易被猜中"),
    (lambda m: m["pattern"] == "sequence", "密码含有连续的字母或数字（如 abcd、1234），容易被猜中"),
    (lambda m: m["pattern"] in ("date", "regex"), "密码含有年份或日期，容易被猜中"),
    (lambda m: m["pattern"] == "dictionary", "密码含有常见单词或姓名，容易被猜中"),
)
WEAK_MESSAGE = "密码强度不足，请使用更长、不易猜测的密码（如几个不相关的词，加上数字和符号）"


def password_problem(password: str, *, username: str = "", full_name: str = "",
                     current_password: str | None = None) -> str | None:
    """Why `password` may not be set, in Chinese, or None. The minimum length
    and zxcvbn score are settings (PASSWORD_MIN_LENGTH, PASSWORD_MIN_SCORE)."""
    config = current_app.config
    min_length = config["PASSWORD_MIN_LENGTH"]
    if len(password) < min_length:
        return f"密码至少{min_length}个字符"
    if len(password) > 128:
        return "密码不能超过128个字符"
    if any(ord(c) < 32 or ord(c) == 127 for c in password):
        return "密码不能包含控制字符"
    lowered, name = password.lower(), username.strip().lower()
    if len(name) >= 3 and (name in lowered or name[::-1] in lowered):
        return "密码不能包含用户名（包括倒写的用户名）"
    if current_password is not None and password == current_password:
        return "新密码不能与当前密码相同"
    result = zxcvbn(password, user_inputs=[v for v in (username, full_name) if v])
    if result["score"] >= config["PASSWORD_MIN_SCORE"]:
        return None
    for applies, message in _PATTERN_MESSAGES:
        if any(applies(match) for match in result["sequence"]):
            return message
    return WEAK_MESSAGE
