"""Inbox, outbox and figures of an office's referrals (SPEC §6, §10)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from casesys.adjudication.models import CaseDeadline
from casesys.auth.models import Office
from casesys.auth.permissions import dashboard_office
from casesys.core.database import built_once
from casesys.core.inputs import iso_date, optional_id, parsed_or_none
from casesys.domain.referrals import OPEN_REFERRAL_STATES, ReferralKind, ReferralState, median
from casesys.extensions import db
from casesys.referrals.models import Referral

PROVINCE = None  # the scope of all the province's own offices together (province-wide users)


@dataclass
class Filters:
    box: str = "inbox"
    partner: int | None = None
    kind: str = ""
    state: str = ""
    overdue: bool = False
    # Drill-down from the dashboard (SPEC §10): each figure is a list of these.
    sent: bool = False              # sent (drafts left out)
    sent_from: date | None = None   # sent on or after
    sent_to: date | None = None     # sent on or before
    open: bool = False              # not yet closed or withdrawn
    acknowledged: bool = False      # 签收 by the receiver
    answered: bool = False          # replied or declined

    DRILL_DOWN = ("sent", "sent_from", "sent_to", "open", "acknowledged", "answered")

    @classmethod
    def from_args(cls, args) -> Filters:
        """The filters of a referral-list URL; an unknown value is ignored, never an error."""
        def day(name: str) -> date | None:
            return parsed_or_none(iso_date)(args.get(name))

        def flag(name: str) -> bool:
            return args.get(name) == "1"

        return cls(box="outbox" if args.get("box") == "outbox" else "inbox",
                   partner=optional_id(args.get("partner")) or None,
                   kind=args.get("kind", "") if args.get("kind") in ReferralKind._value2member_map_ else "",
                   state=args.get("state", "") if args.get("state") in ReferralState._value2member_map_ else "",
                   overdue=flag("overdue"), sent=flag("sent"), sent_from=day("sent_from"), sent_to=day("sent_to"),
                   open=flag("open"), acknowledged=flag("acknowledged"), answered=flag("answered"))

    @property
    def drill_down(self) -> list[str]:
        """What the dashboard's filters mean, in words, for the list's heading."""
        words = []
        if self.sent_from or self.sent_to:
            words.append(f"发出日期 {self.sent_from or '…'} 至 {self.sent_to or '…'}")
        elif self.sent:
            words.append("不含草稿")
        words += [word for flag, word in ((self.open, "未办结"), (self.acknowledged, "已签收"),
                                          (self.answered, "已答复或拒绝")) if flag]
        return words


def list_scope(user, args) -> int | None:
    """Whose inbox and outbox: the user's office, or — for a province-wide
    supervisor following the dashboard — another office or the province's
    offices together (PROVINCE)."""
    office_id = optional_id(args.get("office_id"))
    requested = PROVINCE if args.get("province") == "1" else office_id if office_id is not None else user.office_id
    return dashboard_office(user, requested)


def _in_scope(column, office_id: int | None):
    if office_id is PROVINCE:
        return column.in_(sa.select(Office.id).where(Office.is_partner.is_(False)))
    return column == office_id


def box_sides(box: str, office_id: int | None) -> tuple[list, sa.ColumnElement]:
    """The conditions of a box and the column of the partner (the other side).
    Outbox: sent by the scope to an office outside it; inbox: received from
    one, drafts left out. Province-wide, the other side is a partner office of
    Hunan or Jiangxi (SPEC §6): referrals between two Hubei offices are each
    office's own."""
    if box == "outbox":
        own, other, where = Referral.sender_office_id, Referral.receiver_office_id, []
    else:
        own, other = Referral.receiver_office_id, Referral.sender_office_id
        where = [Referral.state != ReferralState.DRAFT]
    where.append(_in_scope(own, office_id))
    if office_id is PROVINCE:
        where.append(sa.not_(_in_scope(other, PROVINCE)))
    return where, other


def _next_due():
    return (sa.select(sa.func.min(CaseDeadline.due_on))
            .where(CaseDeadline.referral_id == Referral.id, CaseDeadline.met_on.is_(None))
            .correlate(Referral).scalar_subquery())


def box_query(office_id: int | None, filters: Filters, today: date):
    where, partner_column = box_sides(filters.box, office_id)
    if filters.partner:
        where.append(partner_column == filters.partner)
    if filters.kind:
        where.append(Referral.kind == filters.kind)
    if filters.state:
        where.append(Referral.state == filters.state)
    if filters.sent or filters.sent_from or filters.sent_to:
        where.append(Referral.sent_on.is_not(None))
    if filters.sent_from:
        where.append(Referral.sent_on >= filters.sent_from)
    if filters.sent_to:
        where.append(Referral.sent_on <= filters.sent_to)
    if filters.open:
        where.append(Referral.state.in_(OPEN_REFERRAL_STATES))
    if filters.acknowledged:
        where.append(Referral.received_on.is_not(None))
    if filters.answered:  # an answer follows the receipt; the reply days count from it
        where.append(Referral.answered_on.is_not(None))
        where.append(Referral.received_on.is_not(None))
    next_due = _next_due()
    if filters.overdue:
        where.append(next_due < today)
    return sa.select(Referral, next_due.label("next_due")).where(*where)


def list_box(office_id: int | None, filters: Filters, today: date, *, page: int, per_page: int):
    query = box_query(office_id, filters, today)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(query.subquery()))
    rows = db.session.execute(query.order_by(Referral.created_at.desc(), Referral.id.desc())
                              .limit(per_page).offset((page - 1) * per_page)).all()
    return rows, total


def partners_of(office_id: int | None) -> list[Office]:
    """The offices a scope exchanges referrals with."""
    other = (Office.is_partner.is_(True) if office_id is PROVINCE else Office.id != office_id)
    return db.session.scalars(sa.select(Office).where(other, Office.is_active.is_(True))
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


def office_figures(office_id: int | None, today: date) -> Figures:
    """Open referrals by partner (both directions), the median days to
    acknowledge and to reply, and the overdue count."""
    rows: dict[int, PartnerRow] = {}
    names = dict(db.session.execute(sa.select(Office.id, Office.name)).all())
    spans, overdue = [], 0
    for box in ("inbox", "outbox"):
        where, partner_column = box_sides(box, office_id)
        for partner, count in db.session.execute(
                sa.select(partner_column, sa.func.count()).where(*where, Referral.state.in_(OPEN_REFERRAL_STATES))
                .group_by(partner_column)):
            row = rows.setdefault(partner, PartnerRow(names.get(partner, "")))
            if box == "inbox":
                row.incoming_open += count
            else:
                row.outgoing_open += count
        spans += db.session.execute(sa.select(Referral.sent_on, Referral.received_on, Referral.answered_on)
                                    .where(*where, Referral.sent_on.is_not(None))).all()
        overdue += db.session.scalar(sa.select(sa.func.count()).where(*where, _next_due() < today))
    ack = [(received - sent).days for sent, received, _ in spans if received]
    reply = [(answered - received).days for _, received, answered in spans if received and answered]
    partners = sorted(rows.values(), key=lambda r: -(r.incoming_open + r.outgoing_open))
    return Figures(partners, median(ack), median(reply), overdue,
                   sum(r.incoming_open + r.outgoing_open for r in partners))


@dataclass
class PartnerFigures:
    """One partner and direction of the dashboard (SPEC §10): the referrals
    sent in the period and their response times in calendar days."""
    partner_id: int
    partner: str
    box: str
    count: int = 0
    open: int = 0
    overdue: int = 0
    ack_days: list[int] = field(default_factory=list)
    reply_days: list[int] = field(default_factory=list)


def partner_figures(office_id: int | None, sent_from: date | None, sent_to: date | None,
                    today: date) -> list[PartnerFigures]:
    """Per partner and direction, with the list filters that give each number
    back (`box_query`): the count and the list agree."""
    names = dict(db.session.execute(sa.select(Office.id, Office.name)).all())
    found: dict[tuple[int, str], PartnerFigures] = {}
    for box in ("outbox", "inbox"):
        where, partner_column = box_sides(box, office_id)
        where.append(Referral.sent_on.is_not(None))
        if sent_from:
            where.append(Referral.sent_on >= sent_from)
        if sent_to:
            where.append(Referral.sent_on <= sent_to)
        for partner, state, sent, received, answered, next_due in db.session.execute(
                sa.select(partner_column, Referral.state, Referral.sent_on, Referral.received_on,
                          Referral.answered_on, _next_due()).where(*where)):
            row = found.setdefault((partner, box), PartnerFigures(partner, names.get(partner, ""), box))
            row.count += 1
            row.open += state in OPEN_REFERRAL_STATES
            row.overdue += next_due is not None and next_due < today
            if received:
                row.ack_days.append((received - sent).days)
                if answered:
                    row.reply_days.append((answered - received).days)
    return sorted(found.values(), key=lambda r: (-r.count, r.partner, r.box))


@dataclass
class ReferralTodo:
    deadline: CaseDeadline
    referral: Referral


def referral_todo(user, today: date, limit: int = 50) -> list[ReferralTodo]:
    """Open referral limits of the user's office, for the to-do page (SPEC §10)."""
    rows = db.session.execute(_referral_todo_statement(), {"office_id": user.office_id, "limit": limit}).all()
    return [ReferralTodo(d, r) for d, r in rows]


@built_once
def _referral_todo_statement() -> sa.Select:
    office_id = sa.bindparam("office_id")
    return (sa.select(CaseDeadline, Referral).join(Referral, CaseDeadline.referral_id == Referral.id)
            # referral_id IS NOT NULL, though the join implies it: it tells PostgreSQL's
            # planner that these are few of all deadlines (else it walks every open one by date).
            .where(CaseDeadline.referral_id.is_not(None), CaseDeadline.met_on.is_(None),
                   sa.or_(Referral.sender_office_id == office_id, Referral.receiver_office_id == office_id))
            .order_by(CaseDeadline.due_on, CaseDeadline.id).limit(sa.bindparam("limit")))
