"""Inbox, outbox and figures of an office's referrals (SPEC §6, §10)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from casesys.adjudication.models import CaseDeadline
from casesys.auth.models import Office
from casesys.domain.referrals import OPEN_REFERRAL_STATES, ReferralState, median
from casesys.extensions import db
from casesys.referrals.models import Referral


@dataclass
class Filters:
    box: str = "inbox"
    partner: int | None = None
    kind: str = ""
    state: str = ""
    overdue: bool = False


def _next_due():
    return (sa.select(sa.func.min(CaseDeadline.due_on))
            .where(CaseDeadline.referral_id == Referral.id, CaseDeadline.met_on.is_(None))
            .correlate(Referral).scalar_subquery())


def box_query(office_id: int, filters: Filters, today: date):
    if filters.box == "outbox":
        where = [Referral.sender_office_id == office_id]
        partner_column = Referral.receiver_office_id
    else:
        where = [Referral.receiver_office_id == office_id, Referral.state != ReferralState.DRAFT]
        partner_column = Referral.sender_office_id
    if filters.partner:
        where.append(partner_column == filters.partner)
    if filters.kind:
        where.append(Referral.kind == filters.kind)
    if filters.state:
        where.append(Referral.state == filters.state)
    next_due = _next_due()
    if filters.overdue:
        where.append(next_due < today)
    return sa.select(Referral, next_due.label("next_due")).where(*where)


def list_box(office_id: int, filters: Filters, today: date, *, page: int, per_page: int):
    query = box_query(office_id, filters, today)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.execute(query.order_by(Referral.created_at.desc(), Referral.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total


def partners_of(office_id: int) -> list[Office]:
    return db.session.scalars(sa.select(Office).where(Office.id != office_id, Office.is_active.is_(True))
                              .order_by(Office.is_partner, Office.province, Office.id)).all()


@dataclass
class PartnerRow:
    name: str
    incoming_open: int = 0
    outgoing_open: int = 0


@dataclass
class Figures:
    partners: list[PartnerRow] = field(default_factory=list)
    median_ack_days: float | None = None
    median_reply_days: float | None = None
    overdue: int = 0
    open_total: int = 0


def office_figures(office_id: int, today: date) -> Figures:
    """Open referrals by partner (both directions), the median days to
    acknowledge and to reply, and the overdue count."""
    mine = sa.or_(Referral.sender_office_id == office_id, Referral.receiver_office_id == office_id)
    rows: dict[int, PartnerRow] = {}
    names = dict(db.session.execute(sa.select(Office.id, Office.name)).all())
    for sender, receiver, count in db.session.execute(
        sa.select(Referral.sender_office_id, Referral.receiver_office_id, sa.func.count())
        .where(mine, Referral.state.in_(OPEN_REFERRAL_STATES))
        .group_by(Referral.sender_office_id, Referral.receiver_office_id)
    ):
        incoming = receiver == office_id
        partner = sender if incoming else receiver
        row = rows.setdefault(partner, PartnerRow(names.get(partner, "")))
        if incoming:
            row.incoming_open += count
        else:
            row.outgoing_open += count
    spans = db.session.execute(sa.select(Referral.sent_on, Referral.received_on, Referral.answered_on)
                               .where(mine, Referral.sent_on.is_not(None))).all()
    ack = [(received - sent).days for sent, received, _ in spans if received]
    reply = [(answered - received).days for _, received, answered in spans if received and answered]
    overdue = db.session.scalar(
        sa.select(sa.func.count(sa.distinct(CaseDeadline.referral_id)))
        .join(Referral, CaseDeadline.referral_id == Referral.id)
        .where(mine, CaseDeadline.met_on.is_(None), CaseDeadline.due_on < today))
    partners = sorted(rows.values(), key=lambda r: -(r.incoming_open + r.outgoing_open))
    return Figures(partners, median(ack), median(reply), overdue or 0,
                   sum(r.incoming_open + r.outgoing_open for r in partners))


@dataclass
class ReferralTodo:
    deadline: CaseDeadline
    referral: Referral


def referral_todo(user, today: date, limit: int = 50) -> list[ReferralTodo]:
    """Open referral limits of the user's office, for the to-do page (SPEC §10)."""
    rows = db.session.execute(
        sa.select(CaseDeadline, Referral).join(Referral, CaseDeadline.referral_id == Referral.id)
        .where(CaseDeadline.met_on.is_(None),
               sa.or_(Referral.sender_office_id == user.office_id, Referral.receiver_office_id == user.office_id))
        .order_by(CaseDeadline.due_on, CaseDeadline.id).limit(limit)).all()
    return [ReferralTodo(d, r) for d, r in rows]
