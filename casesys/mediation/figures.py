"""Figures for the mediators' dashboard (SPEC §5, §10)."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa

from casesys.cases.models import Case
from casesys.domain.mediation import MediationFigures, MediationStatus
from casesys.extensions import db
from casesys.mediation.models import Agreement, AgreementTerm, Mediation

FINISHED = (MediationStatus.AGREED, MediationStatus.PARTIAL, MediationStatus.FAILED)


def mediation_figures(user, today: date) -> MediationFigures:
    """The user's office (or the province for province-wide users)."""
    scope = sa.true() if user.province_wide else Case.office_id == user.office_id
    base = sa.select(Mediation).join(Case, Mediation.case_id == Case.id).where(scope)
    count = lambda *where: db.session.scalar(  # noqa: E731
        base.where(*where).with_only_columns(sa.func.count(Mediation.id)))
    open_count = count(Mediation.status.in_([MediationStatus.CONSENT_PENDING, MediationStatus.MEDIATING]))
    finished = count(Mediation.status.in_(FINISHED))
    succeeded = count(Mediation.status.in_([MediationStatus.AGREED, MediationStatus.PARTIAL]))
    spans = db.session.execute(base.where(Mediation.status.in_(FINISHED), Mediation.ended_on.is_not(None))
                               .with_only_columns(Mediation.requested_on, Mediation.ended_on)).all()
    average = sum((end - start).days for start, end in spans) / len(spans) if spans else None
    overdue = db.session.scalar(
        sa.select(sa.func.count(AgreementTerm.id)).join(Agreement, AgreementTerm.agreement_id == Agreement.id)
        .join(Mediation, Agreement.mediation_id == Mediation.id).join(Case, Mediation.case_id == Case.id)
        .where(scope, AgreementTerm.done_on.is_(None), AgreementTerm.due_on < today,
               Agreement.effective_on.is_not(None)))
    return MediationFigures(open_count, finished, succeeded, average, overdue)
