"""Offices, users and their roles, login attempts (SPEC §1)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casesys.auth.passwords import hash_password, password_matches
from casesys.core.clock import utcnow
from casesys.core.types import enum_column
from casesys.domain.enums import OfficeLevel, Role
from casesys.extensions import db


class Office(db.Model):
    """An IP office: Hubei's own offices and the partner offices of Hunan and
    Jiangxi (SPEC §1, §6)."""

    __tablename__ = "offices"
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(32), unique=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    # Case-number prefix, e.g. 鄂知保 (SPEC §2).
    case_prefix: Mapped[str] = mapped_column(sa.String(20))
    province: Mapped[str] = mapped_column(sa.String(10))
    city: Mapped[str] = mapped_column(sa.String(20), default="")
    level: Mapped[OfficeLevel] = mapped_column(enum_column(OfficeLevel, "office_level"))
    is_partner: Mapped[bool] = mapped_column(default=False)
    contact: Mapped[str] = mapped_column(sa.String(200), default="")
    instance_url: Mapped[str] = mapped_column(sa.String(200), default="")
    # Partner registry (SPEC §6): who to call, and — when the partner runs
    # casesys too — the Ed25519 public key its messages are signed with.
    contact_person: Mapped[str] = mapped_column(sa.String(64), default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(40), default="")
    public_key: Mapped[str] = mapped_column(sa.String(100), default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    # SPEC §3 (issue 9.7): who may handle patent disputes — the provincial office,
    # a city office marked here, a county office under a recorded 委托 from one that may.
    handles_patent_disputes: Mapped[bool] = mapped_column(default=False)
    entrusted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("offices.id"))
    entrustment_reference: Mapped[str] = mapped_column(sa.String(200), default="")

    entrusted_by: Mapped[Office | None] = relationship(remote_side=[id])

    def __str__(self) -> str:
        return self.name

    @property
    def runs_casesys(self) -> bool:
        """A partner whose instance receives referrals over HTTP (SPEC §6)."""
        return bool(self.is_partner and self.instance_url and self.public_key)


class User(UserMixin, db.Model):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64), unique=True)
    full_name: Mapped[str] = mapped_column(sa.String(64))
    email: Mapped[str] = mapped_column(sa.String(120), default="")
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id"), index=True)
    # A provincial supervisor sees every office's cases (SPEC §1).
    province_wide: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    # Loaded when asked for: the logged-in user's statement joins both
    # (auth.services); a handler, an event's actor or a panel member is
    # shown by name, and joining their office and roles to every such row
    # cost the case page more than its SQL (issue 12).
    office: Mapped[Office] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan")

    def __str__(self) -> str:
        return self.full_name

    # The key of the login this request runs under (a UserSession), set by
    # start_session or the user loader; not a column.
    session_key = None

    # Flask-Login stores this in the session and the remember cookie.
    def get_id(self) -> str:
        return f"{self.id}:{self.session_key or ''}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def roles(self) -> set[Role]:
        return {Role(r.role) for r in self.role_rows}

    @roles.setter
    def roles(self, roles) -> None:
        wanted = {Role(r) for r in roles}
        self.role_rows = [r for r in self.role_rows if Role(r.role) in wanted]
        for role in wanted - {Role(r.role) for r in self.role_rows}:
            self.role_rows.append(UserRole(role=role))

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles & set(roles))

    def set_password(self, password: str) -> None:
        """The hash only: the policy (passwords.password_problem) is checked
        where a person chooses the password, the sessions ended by the service."""
        self.password_hash = hash_password(password)

    def check_password(self, password: str) -> bool:
        return password_matches(self.password_hash, password)


class UserRole(db.Model):
    __tablename__ = "user_roles"
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"), primary_key=True)


class UserSession(db.Model):
    """A login, on the server (issue 11): the session and remember cookies
    carry a random key whose SHA-256 is kept here. Logging out deletes the
    row, so a saved cookie opens nothing afterwards; a password change, a
    reset or a deactivation deletes the user's other rows; every row ends at
    `expires_at` whatever the cookie says."""

    __tablename__ = "user_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), index=True)
    key_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class LoginThrottle(db.Model):
    """Failed logins per account (`user:<name>`) and per address
    (`addr:<ip>`) in a window that opens at the first failure. An attempt is
    counted by one atomic upsert *before* its password is checked, so
    parallel requests cannot all slip under the limit (issue 11)."""

    __tablename__ = "login_throttles"
    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    window_start: Mapped[datetime]
    failures: Mapped[int] = mapped_column(default=0)


class LoginAttempt(db.Model):
    """Every login attempt, kept as a record; the counting that throttles is
    done in LoginThrottle."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        sa.Index("ix_login_attempts_username_at", "username", "at"),
        sa.Index("ix_login_attempts_address_at", "address", "at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(sa.String(64))
    address: Mapped[str] = mapped_column(sa.String(64))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    succeeded: Mapped[bool] = mapped_column(default=False)
