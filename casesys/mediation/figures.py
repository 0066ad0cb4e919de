"""Figures for the mediators' dashboard (SPEC §5, §10)."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from casesys.cases.models import Case
from casesys.core.database import epoch_days
from casesys.domain.mediation import MediationFigures, MediationStatus
from casesys.extensions import db
from casesys.mediation.models import Agreement, AgreementTerm, Mediation

FINISHED = (MediationStatus.AGREED, MediationStatus.PARTIAL, MediationStatus.FAILED)


def mediation_figures(user, today: date) -> MediationFigures:
    """The user's office (or the province for province-wide users)."""
    scope = sa.true() if user.province_wide else Case.office_id == user.office_id
    # One grouped statement: how many per status, and the days of the finished ones (exact integer sums).
    ended = Mediation.ended_on.is_not(None)
    by_status = {status: (count, days or 0, ended_count) for status, count, days, ended_count in db.session.execute(
        sa.select(Mediation.status, sa.func.count(Mediation.id),
                  sa.func.sum(sa.case((ended, epoch_days(Mediation.ended_on) - epoch_days(Mediation.requested_on)))),
                  sa.func.count(Mediation.ended_on))
        .join(Case, Mediation.case_id == Case.id).where(scope).group_by(Mediation.status))}

    def total(statuses, column=0):
        return sum(by_status.get(MediationStatus(s), (0, 0, 0))[column] for s in statuses)

    open_count = total([MediationStatus.CONSENT_PENDING, MediationStatus.MEDIATING])
    finished = total(FINISHED)
    succeeded = total([MediationStatus.AGREED, MediationStatus.PARTIAL])
    spans = total(FINISHED, 2)
    average = int(total(FINISHED, 1)) / spans if spans else None
    overdue = db.session.scalar(
        sa.select(sa.func.count(AgreementTerm.id)).join(Agreement, AgreementTerm.agreement_id == Agreement.id)
        .join(Mediation, Agreement.mediation_id == Mediation.id).join(Case, Mediation.case_id == Case.id)
        .where(scope, AgreementTerm.done_on.is_(None), AgreementTerm.due_on < today,
               Agreement.effective_on.is_not(None)))
    return MediationFigures(open_count, finished, succeeded, average, overdue,
                            {status.value: total([status]) for status in MediationStatus})
