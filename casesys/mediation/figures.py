"""Figures for the mediators' dashboard (SPEC §5, §10), read from the counts
kept by casesys.mediation.counts: a row per office and status, and the open
terms of each office by due date (issue 12: a few rows, whatever the number
of mediations)."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from casesys.domain.mediation import MediationFigures, MediationStatus
from casesys.extensions import db
from casesys.mediation.models import MediationCount, MediationTermDay

FINISHED = (MediationStatus.AGREED, MediationStatus.PARTIAL, MediationStatus.FAILED)


def mediation_figures(user, today: date) -> MediationFigures:
    """The user's office (or the province for province-wide users). Terms
    overdue today: every open term but those due from today on."""
    counts, days = MediationCount, MediationTermDay
    count_scope = sa.true() if user.province_wide else counts.office_id == user.office_id
    day_scope = sa.true() if user.province_wide else days.office_id == user.office_id
    by_status = {status: (count, days_ or 0, ended_count) for status, count, days_, ended_count in db.session.execute(
        sa.select(counts.status, sa.func.sum(counts.mediations), sa.func.sum(counts.ended_days),
                  sa.func.sum(counts.ended))
        .where(count_scope).group_by(counts.status))}

    def total(statuses, column=0):
        return sum(int(by_status.get(MediationStatus(s), (0, 0, 0))[column]) for s in statuses)

    open_count = total([MediationStatus.CONSENT_PENDING, MediationStatus.MEDIATING])
    finished = total(FINISHED)
    succeeded = total([MediationStatus.AGREED, MediationStatus.PARTIAL])
    spans = total(FINISHED, 2)
    average = int(total(FINISHED, 1)) / spans if spans else None
    open_terms = sa.select(sa.func.coalesce(sa.func.sum(counts.open_terms), 0)).where(count_scope).scalar_subquery()
    not_yet_due = (sa.select(sa.func.coalesce(sa.func.sum(days.open_terms), 0))
                   .where(day_scope, days.due_on >= today).scalar_subquery())
    overdue = int(db.session.scalar(sa.select(open_terms - not_yet_due)) or 0)
    return MediationFigures(open_count, finished, succeeded, average, overdue,
                            {status.value: total([status]) for status in MediationStatus})
