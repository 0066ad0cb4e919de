"""Each user's to-do list and the supervisors' workload view (SPEC §10)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from casesys.adjudication.models import CaseDeadline, PanelMember, Reminder
from casesys.auth.models import User
from casesys.cases.models import Case
from casesys.cases.services import record_event
from casesys.domain.enums import OPEN_STATES
from casesys.domain.events import EventKind
from casesys.extensions import db


def my_cases_clause(user):
    """Cases the user handles, sits on the panel of, or mediates. A UNION
    inside IN, not an OR, so that each part uses its own index."""
    from casesys.mediation.models import Mediation, Mediator, mediation_mediators

    # Closed cases drop out early (the (handler_id, state) index), except those
    # closed by mediation, whose agreement terms are still followed up.
    handled = sa.select(Case.id).where(Case.handler_id == user.id,
                                       sa.or_(Case.state.in_(OPEN_STATES), Case.closing_type == "mediated"))
    on_panel = sa.select(PanelMember.case_id).where(PanelMember.user_id == user.id)
    mediating = (sa.select(Mediation.case_id)
                 .join(mediation_mediators, mediation_mediators.c.mediation_id == Mediation.id)
                 .join(Mediator, Mediator.id == mediation_mediators.c.mediator_id)
                 .where(Mediator.user_id == user.id))
    return Case.id.in_(sa.union(handled, on_panel, mediating))


@dataclass
class TodoItem:
    deadline: CaseDeadline
    case_id: int
    number: str
    title: str
    state: str


def todo_items(user, *, page: int, per_page: int) -> tuple[list[TodoItem], int]:
    """Open deadlines of the user's open cases, most urgent (overdue) first."""
    # A party's period that has run out needs nothing more from the office.
    where = (my_cases_clause(user), CaseDeadline.met_on.is_(None),
             sa.or_(Case.state.in_(OPEN_STATES), CaseDeadline.kind.like("mediation%")),
             sa.or_(CaseDeadline.owner == "office", CaseDeadline.due_on >= date.today()))
    base = sa.select(CaseDeadline).join(Case, CaseDeadline.case_id == Case.id).where(*where)
    total = db.session.scalar(base.with_only_columns(sa.func.count(), maintain_column_froms=True))
    rows = db.session.execute(
        sa.select(CaseDeadline, Case.id, Case.number, Case.title, Case.state)
        .join(Case, CaseDeadline.case_id == Case.id).where(*where)
        .order_by(CaseDeadline.due_on, CaseDeadline.id).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return [TodoItem(d, cid, number, title, state) for d, cid, number, title, state in rows], total


def unread_reminders(user, limit: int = 20) -> list[Reminder]:
    return db.session.scalars(
        sa.select(Reminder).where(Reminder.user_id == user.id, Reminder.read_at.is_(None))
        .order_by(Reminder.due_on).limit(limit)).all()


@dataclass
class WorkloadRow:
    user: User
    open_cases: int
    average_age_days: float
    oldest_age_days: int
    overdue: int


def workload_rows(office_id: int, today: date) -> list[WorkloadRow]:
    """Open cases per handler with their ages, and overdue deadlines."""
    users = {u.id: u for u in db.session.scalars(sa.select(User).where(User.office_id == office_id))}
    ages: dict[int, list[int]] = {}
    for handler_id, received in db.session.execute(
        sa.select(Case.handler_id, Case.received_on)
        .where(Case.office_id == office_id, Case.state.in_(OPEN_STATES), Case.handler_id.is_not(None))
    ):
        ages.setdefault(handler_id, []).append((today - received).days)
    overdue = dict(db.session.execute(
        sa.select(Case.handler_id, sa.func.count(CaseDeadline.id)).join(Case, CaseDeadline.case_id == Case.id)
        .where(Case.office_id == office_id, Case.state.in_(OPEN_STATES), CaseDeadline.met_on.is_(None),
               CaseDeadline.due_on < today).group_by(Case.handler_id)).all())
    rows = []
    for handler_id, days in ages.items():
        if handler_id in users:
            rows.append(WorkloadRow(users[handler_id], len(days), sum(days) / len(days), max(days),
                                    overdue.get(handler_id, 0)))
    return sorted(rows, key=lambda r: -r.open_cases)


def reassign_cases(case_ids: list[int], handler: User, *, office_id: int, actor: User) -> int:
    """Bulk (re)assignment within the supervisor's office."""
    cases = db.session.scalars(sa.select(Case).where(Case.id.in_(case_ids), Case.office_id == office_id)).all()
    for case in cases:
        if case.handler_id != handler.id:
            case.handler = handler
            record_event(case, EventKind.EDITED, f"改由 {handler.full_name} 承办", actor=actor)
    db.session.flush()
    return len(cases)


def waiting_approvals(user) -> int:
    """Requests and documents of the supervisor's office awaiting a decision by someone else than their author."""
    from casesys.adjudication.models import Approval
    from casesys.documents.models import Document

    scope = sa.true() if user.province_wide else Case.office_id == user.office_id
    steps = db.session.scalar(sa.select(sa.func.count(Approval.id)).join(Case, Approval.case_id == Case.id)
                              .where(scope, Approval.status == "pending", Approval.requested_by_id != user.id))
    documents = db.session.scalar(sa.select(sa.func.count(Document.id)).join(Case, Document.case_id == Case.id)
                                  .where(scope, Document.status == "pending",
                                         sa.or_(Document.created_by_id.is_(None), Document.created_by_id != user.id)))
    return steps + documents
