"""Offices, users and their roles, login attempts (SPEC §1)."""
from __future__ import annotations

import secrets
from datetime import datetime

import sqlalchemy as sa
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

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
    # Part of the login cookie; a new token logs out every other session.
    session_token: Mapped[str] = mapped_column(
        sa.String(32), default=lambda: secrets.token_hex(16)
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    office: Mapped[Office] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    def __str__(self) -> str:
        return self.full_name

    # Flask-Login
    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

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

    def set_password(self, password: str, method: str | None = None) -> None:
        from flask import current_app

        method = method or current_app.config.get("PASSWORD_HASH_METHOD", "scrypt")
        self.password_hash = generate_password_hash(password, method=method)
        self.session_token = secrets.token_hex(16)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)


class UserRole(db.Model):
    __tablename__ = "user_roles"
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"), primary_key=True)


class LoginAttempt(db.Model):
    """Every login attempt; failures in a window throttle the account and the
    address. In the database so all worker processes see the same counts."""

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
