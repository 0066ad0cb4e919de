"""Figures for the mediators' dashboard (SPEC §5, §10), read from the counts
kept by casesys.mediation.counts: a row per office and status, and the open
terms of each office by due date (issue 12: a few rows, whatever the number
of mediations)."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from casesys.core.database import built_once
from casesys.domain.mediation import MediationFigures, MediationStatus
from casesys.extensions import db
from casesys.mediation.models import MediationCount, MediationTermDay

FINISHED = (MediationStatus.AGREED, MediationStatus.PARTIAL, MediationStatus.FAILED)


def mediation_figures(user, today: date) -> MediationFigures:
    """The user's office (or the province for province-wide users). Terms
    overdue today: every open term but those due from today on."""
    scope = {"office_id": user.office_id, "today": today}
    rows = db.session.execute(_figures_statement(user.province_wide), scope).all()
    by_status = {status: (count, days or 0, ended) for status, count, days, ended, _ in rows}

    def total(statuses, column=0):
        return sum(int(by_status.get(MediationStatus(s), (0, 0, 0))[column]) for s in statuses)

    open_count = total([MediationStatus.CONSENT_PENDING, MediationStatus.MEDIATING])
    finished = total(FINISHED)
    succeeded = total([MediationStatus.AGREED, MediationStatus.PARTIAL])
    spans = total(FINISHED, 2)
    average = int(total(FINISHED, 1)) / spans if spans else None
    overdue = int(rows[0][-1] or 0) if rows else 0  # no mediation counted: no term either
    return MediationFigures(open_count, finished, succeeded, average, overdue,
                            {status.value: total([status]) for status in MediationStatus})


def _office_scope(model, province_wide: bool) -> sa.ColumnElement[bool]:
    return sa.true() if province_wide else model.office_id == sa.bindparam("office_id")


@built_once
def _figures_statement(province_wide: bool) -> sa.Select:
    """Per status: mediations, days and ends; on every row, the terms overdue (one statement)."""
    counts, days = MediationCount, MediationTermDay
    open_terms = (sa.select(sa.func.coalesce(sa.func.sum(counts.open_terms), 0))
                  .where(_office_scope(counts, province_wide)).scalar_subquery())
    not_yet_due = (sa.select(sa.func.coalesce(sa.func.sum(days.open_terms), 0))
                   .where(_office_scope(days, province_wide), days.due_on >= sa.bindparam("today", type_=sa.Date))
                   .scalar_subquery())
    return (sa.select(counts.status, sa.func.sum(counts.mediations), sa.func.sum(counts.ended_days),
                      sa.func.sum(counts.ended), (open_terms - not_yet_due).label("overdue_terms"))
            .where(_office_scope(counts, province_wide)).group_by(counts.status))
