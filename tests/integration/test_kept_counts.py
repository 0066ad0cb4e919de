"""The workload page and the mediators' dashboard read counts kept by every
flush (casesys.core.tallies): after any change to cases, deadlines,
mediations, agreements or terms, stored or only flushed, the counts are a
recount of the rows, and the figures shown are those of the computation over
every case and mediation the pages made before (kept here as the reference),
on the day shown and on days before and after it."""
from __future__ import annotations

import random
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
import sqlalchemy as sa

from casesys.adjudication.models import CaseDeadline
from casesys.adjudication.next_deadline import refresh_next_deadlines
from casesys.adjudication.recompute import recompute_deadlines
from casesys.adjudication.workload import WORKLOAD, workload_rows
from casesys.auth.models import User
from casesys.cases.models import Case
from casesys.core import clock
from casesys.core.database import epoch_days
from casesys.core.tallies import kept, stale
from casesys.domain.deadlines import Party as Owner
from casesys.domain.enums import OPEN_STATES, CaseState, CaseType, Role
from casesys.domain.mediation import MediationFigures, MediationStatus, TermKind
from casesys.mediation.counts import MEDIATION_COUNTS
from casesys.mediation.figures import mediation_figures
from casesys.mediation.models import Agreement, AgreementTerm, Mediation

FINISHED = (MediationStatus.AGREED, MediationStatus.PARTIAL, MediationStatus.FAILED)


# --- the reference: the pages' computations before the counts were kept -------------

def workload_by_scan(db, office_id: int, today: date) -> list[tuple]:
    """Open cases per handler of the office with their ages, and overdue deadlines, from every case."""
    users = {u.id for u in db.session.scalars(sa.select(User).where(User.office_id == office_id))}
    overdue_deadlines = (sa.select(sa.func.count()).select_from(CaseDeadline)
                         .where(CaseDeadline.case_id == Case.id, CaseDeadline.met_on.is_(None),
                                CaseDeadline.due_on < today).scalar_subquery())
    overdue = sa.func.sum(sa.case((Case.next_due_on < today, overdue_deadlines), else_=0))
    rows = db.session.execute(
        sa.select(Case.handler_id, sa.func.count(), sa.func.sum(epoch_days(Case.received_on)),
                  sa.func.min(Case.received_on), overdue)
        .where(Case.office_id == office_id, Case.state.in_(OPEN_STATES), Case.handler_id.is_not(None))
        .group_by(Case.handler_id).order_by(sa.func.count().desc(), Case.handler_id)).all()
    epoch = (today - date(1970, 1, 1)).days
    return [(handler_id, count, (count * epoch - int(received_days)) / count,
             (today - _as_date(oldest)).days, int(overdue_count or 0))
            for handler_id, count, received_days, oldest, overdue_count in rows if handler_id in users]


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def mediation_figures_by_scan(db, user, today: date) -> MediationFigures:
    """The dashboard's figures from every mediation and term of the user's office (or province)."""
    scope = sa.true() if user.province_wide else Case.office_id == user.office_id
    ended = Mediation.ended_on.is_not(None)
    by_status = {status: (count, days or 0, ended_count) for status, count, days, ended_count in db.session.execute(
        sa.select(Mediation.status, sa.func.count(Mediation.id),
                  sa.func.sum(sa.case((ended, epoch_days(Mediation.ended_on) - epoch_days(Mediation.requested_on)))),
                  sa.func.count(Mediation.ended_on))
        .join(Case, Mediation.case_id == Case.id).where(scope).group_by(Mediation.status))}

    def total(statuses, column=0):
        return sum(by_status.get(MediationStatus(s), (0, 0, 0))[column] for s in statuses)

    spans = total(FINISHED, 2)
    overdue = db.session.scalar(
        sa.select(sa.func.count(AgreementTerm.id)).join(Agreement, AgreementTerm.agreement_id == Agreement.id)
        .join(Mediation, Agreement.mediation_id == Mediation.id).join(Case, Mediation.case_id == Case.id)
        .where(scope, AgreementTerm.done_on.is_(None), AgreementTerm.due_on < today,
               Agreement.effective_on.is_not(None)))
    return MediationFigures(total([MediationStatus.CONSENT_PENDING, MediationStatus.MEDIATING]), total(FINISHED),
                            total([MediationStatus.AGREED, MediationStatus.PARTIAL]),
                            int(total(FINISHED, 1)) / spans if spans else None, overdue,
                            {status.value: total([status]) for status in MediationStatus})


# --- random changes ----------------------------------------------------------------------

class Changes:
    """Random changes of the rows counted, as the services make them (through the
    session) and as bulk statements do (with `kept`)."""

    def __init__(self, db, factory, rng: random.Random, offices, users):
        self.db, self.factory, self.rng, self.offices, self.users = db, factory, rng, offices, users
        self.today = clock.today()
        self.serial = 0

    def day(self, spread: int = 60) -> date:
        return self.today + timedelta(days=self.rng.randint(-spread, spread))

    def one(self, model):
        rows = self.db.session.scalars(sa.select(model).order_by(model.id)).all()
        return self.rng.choice(rows) if rows else None

    def apply(self) -> str:
        name = self.rng.choice([n for n in dir(self) if n.startswith("do_")])
        getattr(self, name)()
        return name

    def do_register_case(self):
        actor = self.rng.choice(self.users)
        self.factory.case(actor, case_type=self.rng.choice(list(CaseType)), received_on=self.day(300), commit=False)

    def do_change_state(self):
        if case := self.one(Case):
            case.state = self.rng.choice(list(CaseState))

    def do_reassign(self):
        if case := self.one(Case):
            if self.rng.random() < 0.5:
                case.handler = self.rng.choice([*self.users, None])
            else:
                case.handler_id = self.rng.choice(self.users).id

    def do_move_office(self):
        if case := self.one(Case):
            case.office = self.rng.choice(self.offices)

    def do_change_receipt(self):
        if case := self.one(Case):
            case.received_on = self.day(300)

    def do_add_deadline(self):
        if case := self.one(Case):
            self.serial += 1
            case.deadlines.append(CaseDeadline(kind=f"random{self.serial}", label="期限", owner=Owner.OFFICE,
                                               due_on=self.day(), met_on=self.today if self.rng.random() < 0.3 else None))

    def do_change_deadline(self):
        if deadline := self.one(CaseDeadline):
            if self.rng.random() < 0.5:
                deadline.met_on = None if deadline.met_on else self.day()
            else:
                deadline.due_on = self.day()

    def do_drop_deadline(self):
        if deadline := self.one(CaseDeadline):
            self.db.session.delete(deadline)

    def do_start_mediation(self):
        if case := self.one(Case):
            requested = self.day(200)
            status = self.rng.choice(list(MediationStatus))
            ended = requested + timedelta(days=self.rng.randint(0, 90)) if status in FINISHED else None
            self.db.session.add(Mediation(case_id=case.id, status=status, requested_on=requested, ended_on=ended))

    def do_change_mediation(self):
        if mediation := self.one(Mediation):
            mediation.status = self.rng.choice(list(MediationStatus))
            choice = self.rng.random()
            if choice < 0.4:
                mediation.ended_on = mediation.requested_on + timedelta(days=self.rng.randint(0, 90))
            elif choice < 0.6:
                mediation.ended_on = None
            else:
                mediation.requested_on = self.day(200)

    def do_drop_mediation(self):
        if self.rng.random() < 0.3 and (mediation := self.one(Mediation)):
            self.db.session.delete(mediation)  # its agreements and terms go with it

    def do_conclude_agreement(self):
        if mediation := self.one(Mediation):
            parties = mediation.case.parties
            agreement = Agreement(mediation=mediation, concluded_on=self.today,
                                  effective_on=self.today if self.rng.random() < 0.6 else None)
            for _ in range(self.rng.randint(1, 3)):
                agreement.terms.append(self._term(parties))
            self.db.session.add(agreement)

    def _term(self, parties) -> AgreementTerm:
        return AgreementTerm(debtor_id=parties[-1].id, creditor_id=parties[0].id, kind=self.rng.choice(list(TermKind)),
                             due_on=self.day(), done_on=self.today if self.rng.random() < 0.3 else None)

    def do_change_agreement(self):
        if agreement := self.one(Agreement):
            if self.rng.random() < 0.6:
                agreement.effective_on = None if agreement.effective_on else self.today
            else:
                agreement.terms.append(self._term(agreement.mediation.case.parties))

    def do_change_term(self):
        if term := self.one(AgreementTerm):
            choice = self.rng.random()
            if choice < 0.4:
                term.done_on = None if term.done_on else self.today
            elif choice < 0.8:
                term.due_on = self.day()
            else:
                self.db.session.delete(term)

    def do_recompute_deadlines(self):
        """A bulk statement past the session: the deadline recompute keeps the counts itself."""
        if self.rng.random() < 0.3:
            self.db.session.flush()
            recompute_deadlines(only_case_ids=sa.select(Case.id).where(Case.id % 2 == self.rng.randint(0, 1)))

    def do_close_in_bulk(self):
        """Another statement past the session, kept with `kept`."""
        if self.rng.random() < 0.3:
            self.db.session.flush()
            chosen = sa.select(Case.id).where(Case.id % 3 == 0)
            connection = self.db.session.connection()
            with kept(WORKLOAD, connection, chosen):
                connection.execute(sa.update(Case.__table__).where(Case.__table__.c.id.in_(chosen))
                                   .values(state=CaseState.CLOSED.value))
            refresh_next_deadlines(connection, chosen)


def _assert_counts_kept_and_figures_unchanged(db, offices, today) -> set[str]:
    """…and which figures were not zero (the comparison was not of empty pages)."""
    seen = set()
    connection = db.session.connection()
    assert stale(connection, WORKLOAD) == []
    assert stale(connection, MEDIATION_COUNTS) == []
    for day in (today - timedelta(days=45), today, today + timedelta(days=1), today + timedelta(days=45)):
        for office in offices:
            shown = [(r.user.id, r.open_cases, r.average_age_days, r.oldest_age_days, r.overdue)
                     for r in workload_rows(office.id, day)]
            assert shown == workload_by_scan(db, office.id, day)
            seen |= {"open cases"} if shown else set()
            seen |= {"overdue deadlines"} if any(row[-1] for row in shown) else set()
        for user in [SimpleNamespace(province_wide=True, office_id=None),
                     *(SimpleNamespace(province_wide=False, office_id=o.id) for o in offices)]:
            figures = mediation_figures(user, day)
            assert figures == mediation_figures_by_scan(db, user, day)
            seen |= {"finished mediations"} if figures.average_days is not None else set()
            seen |= {"overdue terms"} if figures.terms_overdue else set()
    return seen


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_counts_follow_every_change_and_the_figures_are_those_of_every_case(db, factory, seed):
    rng = random.Random(seed)
    offices = [factory.office(), factory.office(prefix="湘知保")]
    users = [factory.user(Role.OFFICER, office=office) for office in offices for _ in range(3)]
    changes = Changes(db, factory, rng, offices, users)
    for change in [changes.do_register_case] * 6 + [changes.do_start_mediation, changes.do_conclude_agreement] * 3:
        change()
        db.session.flush()
    db.session.commit()
    done, seen = set(), set()
    for _ in range(60):
        done.add(changes.apply())
        if rng.random() < 0.3:
            db.session.commit()
        else:
            db.session.flush()
        seen |= _assert_counts_kept_and_figures_unchanged(db, offices, changes.today)
    db.session.commit()
    _assert_counts_kept_and_figures_unchanged(db, offices, changes.today)
    assert seen == {"open cases", "overdue deadlines", "finished mediations", "overdue terms"}
    assert len(done) > 10


def test_a_bulk_statement_not_kept_is_caught_by_the_recount(db, factory):
    """What the check after every test relies on: a write past the session shows."""
    officer = factory.user(Role.OFFICER)
    factory.case(officer)
    db.session.execute(sa.update(Case.__table__).values(state=CaseState.CLOSED.value))
    assert stale(db.session.connection(), WORKLOAD) != []
    db.session.rollback()
