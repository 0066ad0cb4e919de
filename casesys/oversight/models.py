"""Oversight tables: cached dashboard figures and each office's remembered
column mapping of ledger imports."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from casesys.core.clock import utcnow
from casesys.extensions import db


class DashboardSnapshot(db.Model):
    """The figures of one dashboard view (scope, period, day), computed once
    and read by every request until they are older than the allowed age: the
    page answers fast at 100,000 cases and says how fresh they are."""

    __tablename__ = "dashboard_snapshots"
    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(sa.String(120), unique=True)
    figures: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    seconds: Mapped[float] = mapped_column(default=0.0)


class ImportMapping(db.Model):
    """The ledger's headers → case fields, remembered per office."""

    __tablename__ = "import_mappings"
    id: Mapped[int] = mapped_column(primary_key=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id"), unique=True)
    mapping: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
