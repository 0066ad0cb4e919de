"""Oversight services: the dashboard's figures through their cache."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from casesys.cases.search import CaseFilters
from casesys.core import clock
from casesys.extensions import db
from casesys.oversight.figures import compute_figures
from casesys.oversight.models import DashboardSnapshot

CACHE_VERSION = "1"  # change when the figures' shape changes


@dataclass
class Snapshot:
    figures: dict
    computed_at: datetime
    seconds: float

    @property
    def age_minutes(self) -> int:
        return max(0, int((clock.utcnow() - self.computed_at).total_seconds() // 60))

    def table(self, key: str) -> dict | None:
        return next((t for t in self.figures["tables"] if t["key"] == key), None)


def snapshot_key(scope: CaseFilters) -> str:
    # Overdue limits depend on the day: a new day is a new snapshot.
    return "|".join([CACHE_VERSION, str(scope.office_id or "*"), str(scope.date_from or ""),
                     str(scope.date_to or ""), clock.today().isoformat()])


def max_age() -> timedelta:
    return timedelta(seconds=current_app.config.get("DASHBOARD_MAX_AGE_SECONDS", 600))


def get_figures(user, scope: CaseFilters, *, refresh: bool = False) -> Snapshot:
    """The figures of `scope` as cached, recomputed when older than the allowed
    age or when asked. Flushes; the view commits (a lost race to insert the same
    key only means another request stored the same figures)."""
    key = snapshot_key(scope)
    row = db.session.scalar(sa.select(DashboardSnapshot).where(DashboardSnapshot.key == key))
    now = clock.utcnow()
    if row is not None and not refresh and now - row.computed_at < max_age():
        return Snapshot(row.figures, row.computed_at, row.seconds)
    figures, seconds = compute_figures(user, scope)
    if row is not None:
        row.figures, row.computed_at, row.seconds = figures, now, seconds
    else:
        try:
            with db.session.begin_nested():
                db.session.add(DashboardSnapshot(key=key, figures=figures, computed_at=now, seconds=seconds))
        except IntegrityError:
            pass
        # Snapshots of past days are never read again.
        db.session.execute(sa.delete(DashboardSnapshot).where(DashboardSnapshot.computed_at < now - timedelta(days=2)))
    db.session.flush()
    return Snapshot(figures, now, seconds)
