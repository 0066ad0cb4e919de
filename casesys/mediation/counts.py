"""The counts behind the mediators' dashboard (issue 12), kept wherever
mediations, agreements and terms change: a tally (casesys.core.tallies)
whose unit is the mediation. A mediation adds one to its case's office and
its status (with its days from request to end, once ended), and each term of
an agreement in force not yet performed to its office and status and to the
day it is due.
"""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from casesys.cases.models import Case
from casesys.core.database import epoch_days
from casesys.core.tallies import Counts, Tally, Units, add_to, among, changed, new_counts, references, stored_id
from casesys.mediation.models import Agreement, AgreementTerm, Mediation, MediationCount, MediationTermDay

MEDIATION_FIELDS = ("status", "ended_on", "requested_on", "case_id", "case")
AGREEMENT_FIELDS = ("effective_on", "mediation_id", "mediation")
TERM_FIELDS = ("done_on", "due_on", "agreement_id", "agreement")
CASE_FIELDS = ("office_id", "office")


def count_mediations(connection: sa.Connection, units: Units) -> Counts:
    """What these mediations (all of them: None) add to the dashboard's tables."""
    mediations, cases = Mediation.__table__, Case.__table__
    agreements, terms = Agreement.__table__, AgreementTerm.__table__
    chosen = among(mediations.c.id, units)
    of_case = mediations.join(cases, mediations.c.case_id == cases.c.id)
    ended = mediations.c.ended_on.is_not(None)
    by_status: dict[tuple, list[int]] = {}
    by_day: dict[tuple, list[int]] = {}
    for office_id, status, n, ended_n, days in connection.execute(
            sa.select(cases.c.office_id, mediations.c.status, sa.func.count(), sa.func.count(mediations.c.ended_on),
                      sa.func.sum(sa.case((ended, epoch_days(mediations.c.ended_on)
                                           - epoch_days(mediations.c.requested_on)))))
            .select_from(of_case).where(chosen).group_by(cases.c.office_id, mediations.c.status)):
        add_to(by_status, (office_id, status), (n, ended_n, days, 0))
    for office_id, status, due_on, n in connection.execute(
            sa.select(cases.c.office_id, mediations.c.status, terms.c.due_on, sa.func.count())
            .select_from(terms.join(agreements, terms.c.agreement_id == agreements.c.id)
                         .join(of_case, agreements.c.mediation_id == mediations.c.id))
            .where(chosen, terms.c.done_on.is_(None), agreements.c.effective_on.is_not(None))
            .group_by(cases.c.office_id, mediations.c.status, terms.c.due_on)):
        add_to(by_status, (office_id, status), (0, 0, 0, n))
        add_to(by_day, (office_id, due_on), (n,))
    counts = new_counts(MEDIATION_COUNTS.tables)
    counts[MediationCount.__table__], counts[MediationTermDay.__table__] = by_status, by_day
    return counts


def touched_mediations(session: Session) -> tuple[set[int], list]:
    """The mediations a flush may change the counts of: new, deleted or changed
    ones, those whose agreements or terms change, those of a case moved to another office."""
    ids: set[int | None] = set()
    agreement_ids: set[int] = set()
    case_ids: set[int | None] = set()
    pending: list = []

    def mediation_of(agreement) -> None:
        found, new = references(agreement, "mediation_id", "mediation")
        ids.update(found)
        pending.extend(new)

    for obj in (*session.new, *session.dirty, *session.deleted):
        is_new, is_dirty = obj in session.new, obj in session.dirty
        if isinstance(obj, Mediation):
            if is_new:
                pending.append(obj)
            elif not is_dirty or changed(obj, MEDIATION_FIELDS):
                ids.add(stored_id(obj))
        elif isinstance(obj, Agreement) and (not is_dirty or changed(obj, AGREEMENT_FIELDS)):
            mediation_of(obj)
        elif isinstance(obj, AgreementTerm) and (not is_dirty or changed(obj, TERM_FIELDS)):
            found, new = references(obj, "agreement_id", "agreement")
            agreement_ids.update(found)
            for agreement in new:
                mediation_of(agreement)
        elif isinstance(obj, Case) and is_dirty and changed(obj, CASE_FIELDS):
            case_ids.add(stored_id(obj))
    connection = session.connection()
    if agreement_ids:
        ids.update(connection.scalars(sa.select(Agreement.__table__.c.mediation_id)
                                      .where(Agreement.__table__.c.id.in_(sorted(agreement_ids)))))
    if case_ids:
        ids.update(connection.scalars(sa.select(Mediation.__table__.c.id)
                                      .where(Mediation.__table__.c.case_id.in_(sorted(i for i in case_ids if i)))))
    return {i for i in ids if i is not None}, [m for m in dict.fromkeys(pending) if m in session.new]


MEDIATION_COUNTS = Tally("mediation", (MediationCount.__table__, MediationTermDay.__table__),
                         count_mediations, touched_mediations)
