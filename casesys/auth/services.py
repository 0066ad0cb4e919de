"""Logins, throttling and accounts: verb_noun functions that never commit."""
from __future__ import annotations

from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from casesys.auth.models import LoginAttempt, Office, User
from casesys.core.clock import utcnow
from casesys.domain.enums import Role
from casesys.extensions import db


class LoginThrottled(Exception):
    pass


def _recent_failures(column, value: str) -> int:
    window = timedelta(minutes=current_app.config["LOGIN_THROTTLE_WINDOW_MINUTES"])
    return db.session.scalar(
        sa.select(sa.func.count()).select_from(LoginAttempt).where(
            column == value,
            LoginAttempt.succeeded.is_(False),
            LoginAttempt.at >= utcnow() - window,
        )
    )


def check_login_throttle(username: str, address: str) -> None:
    config = current_app.config
    if (
        _recent_failures(LoginAttempt.username, username) >= config["LOGIN_MAX_FAILURES_PER_USER"]
        or _recent_failures(LoginAttempt.address, address) >= config["LOGIN_MAX_FAILURES_PER_ADDRESS"]
    ):
        raise LoginThrottled


def authenticate(username: str, password: str, address: str) -> User | None:
    """The user if the password is right; records the attempt either way.
    Raises LoginThrottled while too many recent failures stand."""
    username = username.strip()
    check_login_throttle(username, address)
    user = db.session.scalar(sa.select(User).where(User.username == username))
    ok = user is not None and user.active and user.check_password(password)
    db.session.add(LoginAttempt(username=username, address=address, succeeded=ok))
    if ok:
        # A success clears the account's failures so the next typo is not a lockout.
        db.session.execute(
            sa.delete(LoginAttempt).where(
                LoginAttempt.username == username, LoginAttempt.succeeded.is_(False)
            )
        )
    return user if ok else None


def change_password(user: User, new_password: str) -> None:
    """New hash and a new session token: every other session is logged out."""
    user.set_password(new_password)


def create_user(
    *, username: str, full_name: str, password: str, office: Office,
    roles: list[Role], email: str = "", province_wide: bool = False,
) -> User:
    user = User(
        username=username, full_name=full_name, email=email, office=office,
        province_wide=province_wide,
    )
    user.set_password(password)
    user.roles = roles
    db.session.add(user)
    db.session.flush()
    return user
