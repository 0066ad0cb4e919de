"""Logins, sessions, throttling and accounts: verb_noun functions that never
commit. The login view commits twice: the attempt's reservation first, so
parallel requests see it, then the outcome."""
from __future__ import annotations

import hashlib
import math
import secrets
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload

from casesys.auth.models import LoginAttempt, LoginThrottle, Office, User, UserRole, UserSession
from casesys.auth.passwords import password_matches, password_problem
from casesys.core.audit import record_audit
from casesys.core.clock import utcnow
from casesys.core.database import built_once, upsert
from casesys.core.fragments import kept_for_epoch
from casesys.core.request_memo import columns_read_with_user, remember_read_with_user
from casesys.domain.enums import Role
from casesys.domain.errors import Refused
from casesys.extensions import db

USERNAME_MAX = 64  # users.username


class LoginThrottled(Exception):
    """Too many failures for the account (`account`) or the address; the
    window ends in `minutes`."""

    def __init__(self, *, account: bool, minutes: int):
        super().__init__()
        self.account, self.minutes = account, minutes

    def __str__(self) -> str:
        if self.account:
            return f"账户已临时锁定，请 {self.minutes} 分钟后再试，或联系管理员解锁。"
        return f"此网络地址登录失败次数过多，请 {self.minutes} 分钟后再试。"


class PasswordRefused(Refused):
    """A new password that breaks the policy; the message names the reason."""


# --- throttling (issue 11) ------------------------------------------------------------

def login_name(username: str) -> str:
    """The name as counted and recorded: trimmed, without NULs (which
    PostgreSQL refuses in text), no longer than any username can be."""
    return username.strip().replace("\x00", "")[:USERNAME_MAX]


def _find_user(username: str) -> User | None:
    """A name with a NUL, or longer than any username, is nobody's."""
    name = username.strip()
    if "\x00" in name or len(name) > USERNAME_MAX:
        return None
    return db.session.scalar(sa.select(User).where(User.username == name))


def client_address(address: str) -> str:
    """The address as recorded and counted (after ProxyFix, from a header)."""
    return address.replace("\x00", "")[:64]


def _user_key(name: str) -> str:
    return f"user:{name}"


def _address_key(address: str) -> str:
    return f"addr:{client_address(address)}"


def _window() -> timedelta:
    return timedelta(minutes=current_app.config["LOGIN_THROTTLE_WINDOW_MINUTES"])


def _count_failure(key: str, now: datetime) -> tuple[int, datetime]:
    """One atomic upsert: the key's failures in its window, this attempt
    included, and when the window opened (a window older than the setting
    starts afresh)."""
    table = LoginThrottle.__table__
    stale = table.c.window_start < now - _window()
    stmt = (
        upsert(table).values(key=key, window_start=now, failures=1)
        .on_conflict_do_update(index_elements=["key"], set_={
            "failures": sa.case((stale, 1), else_=table.c.failures + 1),
            "window_start": sa.case((stale, now), else_=table.c.window_start),
        })
        .returning(table.c.failures, table.c.window_start)
    )
    failures, start = db.session.execute(stmt).one()
    return failures, start


def reserve_login_attempt(username: str, address: str) -> None:
    """Count the attempt as a failure before its password is checked (a
    success gives it back): of any number of parallel attempts only the
    allowed number get a check. Raises LoginThrottled beyond the limits;
    the count stands either way, the caller commits it."""
    config, now = current_app.config, utcnow()
    checks = (
        (True, _user_key(login_name(username)), config["LOGIN_MAX_FAILURES_PER_USER"]),
        (False, _address_key(address), config["LOGIN_MAX_FAILURES_PER_ADDRESS"]),
    )
    counted = [(account, *_count_failure(key, now), limit) for account, key, limit in checks]
    for account, failures, start, limit in counted:
        if failures > limit:
            left = (start + _window() - now).total_seconds()
            raise LoginThrottled(account=account, minutes=max(1, math.ceil(left / 60)))


def authenticate(username: str, password: str, address: str) -> User | None:
    """The user if the password is right (its reservation given back), after
    reserve_login_attempt. One hash check whatever the name, so an unknown
    or inactive user takes as long as a wrong password."""
    name = login_name(username)
    user = _find_user(username)
    candidate = user if user is not None and user.active else None
    ok = password_matches(candidate.password_hash if candidate else None, password)
    db.session.add(LoginAttempt(username=name, address=client_address(address), succeeded=ok))
    if not ok:
        return None
    # A success clears the account's failures so the next typo is not a lockout,
    # and gives the address back the attempt it reserved.
    db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == _user_key(name)))
    db.session.execute(sa.update(LoginThrottle)
                       .where(LoginThrottle.key == _address_key(address), LoginThrottle.failures > 0)
                       .values(failures=LoginThrottle.failures - 1))
    return candidate


def locked_usernames() -> set[str]:
    """Accounts locked now by their failures (for the administrators' list)."""
    config, now = current_app.config, utcnow()
    keys = db.session.scalars(sa.select(LoginThrottle.key).where(
        LoginThrottle.key.startswith("user:", autoescape=True),
        LoginThrottle.failures >= config["LOGIN_MAX_FAILURES_PER_USER"],
        LoginThrottle.window_start >= now - _window(),
    ))
    return {key.removeprefix("user:") for key in keys}


def unlock_account(user: User, *, actor: User) -> None:
    """An administrator lifts the lock that failures (maybe others') put on
    an account; audited."""
    db.session.execute(sa.delete(LoginThrottle).where(LoginThrottle.key == _user_key(user.username)))
    record_audit("users", "unlock", {"username": user.username}, actor_id=actor.id, row_id=user.id)


# --- sessions (issue 11) --------------------------------------------------------------

def _digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def start_session(user: User, *, remember: bool) -> None:
    """A new login on the server; its key goes into the cookies through
    user.get_id(). It ends at the latest after REMEMBER_COOKIE_DURATION
    (记住我) or SESSION_MAX_LIFETIME."""
    config, now = current_app.config, utcnow()
    lifetime = config["REMEMBER_COOKIE_DURATION"] if remember else config["SESSION_MAX_LIFETIME"]
    db.session.execute(sa.delete(UserSession).where(UserSession.user_id == user.id, UserSession.expires_at <= now))
    key = secrets.token_urlsafe(24)
    db.session.add(UserSession(user_id=user.id, key_hash=_digest(key), remember=remember, created_at=now,
                               expires_at=now + lifetime))
    user.session_key = key


def load_session_user(cookie_id: str) -> User | None:
    """The active user whose unexpired login `cookie_id` ("<id>:<key>", from
    the session or the remember cookie) names; one query, which also reads
    what the features read with the user for the request (`read_with_user`)."""
    ident, _, key = cookie_id.partition(":")
    if not ident.isdigit() or not key or len(ident) > 18:
        return None
    row = db.session.execute(_session_user_statement(),
                             {"user_id": int(ident), "key_hash": _digest(key), "now": utcnow()}).unique().one_or_none()
    if row is None:
        return None
    user = row[0]
    user.session_key = key
    remember_read_with_user(user.id, row)  # the display epoch, the menu's count: what most pages need
    return user


@built_once
def _session_user_statement() -> sa.Select:
    return (sa.select(User, *columns_read_with_user()).options(joinedload(User.role_rows), joinedload(User.office))
            .join(UserSession, UserSession.user_id == User.id)
            .where(User.id == sa.bindparam("user_id"), User.active.is_(True),
                   UserSession.key_hash == sa.bindparam("key_hash"), UserSession.expires_at > sa.bindparam("now")))


def office_people(office_id: int, roles, *, active_only: bool = True) -> list[tuple[int, str]]:
    """(id, name) of the office's people who hold any of `roles`, by name:
    the choices of 承办人, a panel, the list's filter. The roles are checked
    in the statement, so no user's roles are loaded."""
    roles = tuple(sorted(roles))

    def read() -> tuple[tuple[int, str], ...]:  # plain tuples: WTForms takes no Row for a choice
        rows = db.session.execute(_office_people_statement(roles, active_only), {"office_id": office_id})
        return tuple((user_id, name) for user_id, name in rows)

    # Names, offices, activity and roles all raise the display epoch.
    return list(kept_for_epoch(("office_people", office_id, roles, active_only), read))


@built_once
def _office_people_statement(roles: tuple[Role, ...], active_only: bool) -> sa.Select:
    stmt = sa.select(User.id, User.full_name).where(
        User.office_id == sa.bindparam("office_id"),
        User.id.in_(sa.select(UserRole.user_id).where(UserRole.role.in_(roles))))
    return (stmt.where(User.active.is_(True)) if active_only else stmt).order_by(User.full_name, User.id)


def end_session(user: User) -> None:
    """Logout: this login's row goes, and with it every cookie that names it."""
    if user.session_key:
        db.session.execute(sa.delete(UserSession).where(UserSession.key_hash == _digest(user.session_key)))


def end_sessions(user: User, *, except_current: bool = False) -> None:
    """Every login of the user (all but the current one)."""
    stmt = sa.delete(UserSession).where(UserSession.user_id == user.id)
    if except_current and user.session_key:
        stmt = stmt.where(UserSession.key_hash != _digest(user.session_key))
    db.session.execute(stmt)


# --- accounts -------------------------------------------------------------------------

def check_new_password(password: str, *, username: str, full_name: str = "",
                       current_password: str | None = None) -> None:
    if message := password_problem(password, username=username, full_name=full_name,
                                   current_password=current_password):
        raise PasswordRefused(message)


def change_password(user: User, new_password: str, *, current_password: str) -> None:
    """The user's own change: the policy, a new hash, and every other login ends."""
    check_new_password(new_password, username=user.username, full_name=user.full_name,
                       current_password=current_password)
    user.set_password(new_password)
    end_sessions(user, except_current=True)


def reset_password(user: User, new_password: str) -> None:
    """An administrator sets the password: the policy, and every login of
    the user ends. Setting the same password again is refused."""
    check_new_password(new_password, username=user.username, full_name=user.full_name)
    if user.password_hash and user.check_password(new_password):
        raise PasswordRefused("新密码不能与原密码相同")
    user.set_password(new_password)
    end_sessions(user)


def create_user(
    *, username: str, full_name: str, password: str, office: Office,
    roles: list[Role], email: str = "", province_wide: bool = False,
) -> User:
    """The account (no policy here: callers where a person chooses the
    password run check_new_password first)."""
    user = User(
        username=username, full_name=full_name, email=email, office=office,
        province_wide=province_wide,
    )
    user.set_password(password)
    user.roles = roles
    db.session.add(user)
    db.session.flush()
    return user
