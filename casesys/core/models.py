"""Cross-cutting tables: settings, number sequences, audit log."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from casesys.core.clock import utcnow
from casesys.extensions import db


class Setting(db.Model):
    """An administrator's value for a configurable rule (SPEC: *configurable*).
    Keys and defaults live in `casesys.core.settings`."""

    __tablename__ = "settings"
    key: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    value: Mapped[Any] = mapped_column(sa.JSON)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class DisplayEpoch(db.Model):
    """One row, raised by the database whenever something every page may show
    changes: people's names, offices, settings, calendars, deadline rules
    (triggers of migration 0021pagerev). Part of the case page's cache key."""

    __tablename__ = "display_epochs"
    id: Mapped[int] = mapped_column(primary_key=True)
    epoch: Mapped[int]


class NumberSequence(db.Model):
    """Running numbers per office, kind and year (SPEC §2 case numbers, §8
    document numbers). Incremented by one upsert so concurrent requests
    serialise on the row and never share or skip a number."""

    __tablename__ = "number_sequences"
    __table_args__ = (sa.UniqueConstraint("office_id", "kind", "year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id"))
    kind: Mapped[str] = mapped_column(sa.String(32))
    year: Mapped[int]
    last_value: Mapped[int] = mapped_column(default=0)


class AuditLog(db.Model):
    """Who changed what, when (SPEC §2). Written by `casesys.core.audit`."""

    __tablename__ = "audit_log"
    __table_args__ = (sa.Index("ix_audit_log_case_id_at", "case_id", "at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"))
    table_name: Mapped[str] = mapped_column(sa.String(64))
    row_id: Mapped[int | None]
    action: Mapped[str] = mapped_column(sa.String(16))
    changes: Mapped[dict] = mapped_column(sa.JSON, default=dict)

    actor = db.relationship("User", lazy="joined")
