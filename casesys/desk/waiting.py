"""What waits for a supervisor (SPEC §1, §7, §8): procedure steps to approve,
documents to sign, publication requests, credit records to review and
objections to them to decide.

Each kind is a section of the approvals page: oldest first, a page at a
time, with the count of all it holds (one statement over the kind's status
index), read with the menu's badges (casesys.desk.badges), which count,
from the same definitions, what the supervisor may decide: another's
request, a document they did not write.
"""
from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache

import sqlalchemy as sa
from sqlalchemy.orm import contains_eager, defer, lazyload

from casesys.adjudication.models import Approval, CaseDeadline
from casesys.cases.models import Case
from casesys.core.database import built_once
from casesys.credit.models import CreditRecord
from casesys.documents.models import Document
from casesys.domain.credit import CreditState
from casesys.domain.deadlines import Party as Owner
from casesys.domain.documents import DocumentStatus
from casesys.domain.publication import PublicationState
from casesys.domain.workflow import ApprovalStatus
from casesys.extensions import db
from casesys.public.models import Publication

PAGE_SIZE = 20
RECENT_DECISIONS = 20


@dataclass(frozen=True)
class Kind:
    """One kind of waiting item: its rows, which of them the user may not decide, their order."""

    model: type
    waiting: sa.ColumnElement[bool]
    order: tuple
    # The items a user asked for or wrote (their id, bound -> clause): another supervisor decides them.
    own: Callable[..., sa.ColumnElement[bool]] | None = None
    options: tuple = ()
    # What a line of the page shows, read as plain rows (with `case_number`); empty: the items themselves.
    line: tuple = ()


SECTIONS = ("steps", "documents", "publications", "records", "objections")  # in the page's order


# A credit record's line: what `credit_state_label` reads, and no text (a record's page shows those).
_CREDIT_RECORD_LINE = ("id", "subject_name", "reason", "state", "objection_due_on", "publish_until")


@cache
def kinds() -> dict[str, Kind]:
    """Built at first use: the column expressions need every model mapped."""
    return {
        "steps": Kind(Approval, Approval.status == ApprovalStatus.PENDING, (Approval.requested_at, Approval.id),
                      own=lambda user_id: Approval.requested_by_id == user_id),
        # SPEC §8: whoever wrote a document cannot sign it.
        "documents": Kind(Document, Document.status == DocumentStatus.PENDING, (Document.updated_at, Document.id),
                          own=lambda user_id: Document.created_by_id == user_id,
                          options=(lazyload(Document.approved_by), defer(Document.texts))),
        "publications": Kind(Publication, Publication.state == PublicationState.PENDING,
                             (Publication.requested_at, Publication.id),
                             options=(lazyload(Publication.office), lazyload(Publication.requested_by),
                                      defer(Publication.content), defer(Publication.search_text))),
        # Two sections, not one over both states: each is read in the order of its index, never sorted whole.
        "records": Kind(CreditRecord, CreditRecord.state == CreditState.CANDIDATE, (CreditRecord.id,),
                        line=_CREDIT_RECORD_LINE),
        "objections": Kind(CreditRecord, CreditRecord.state == CreditState.OBJECTED, (CreditRecord.id,),
                           line=_CREDIT_RECORD_LINE),
    }


@dataclass
class Section:
    name: str
    total: int   # all the waiting items of the kind
    own: int     # of them, the user's own (another supervisor decides them)
    page: int
    per_page: int
    rows: list = field(default_factory=list)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def to_decide(self) -> int:
        return self.total - self.own


def _scoped(stmt: sa.Select, model, province_wide: bool, *, join: bool = False) -> sa.Select:
    """The supervisor decides for their office's cases (bound as office_id), or all of them if
    province-wide (SPEC §1; permissions.can_approve). The case is joined only where it is needed."""
    if join or not province_wide:
        stmt = stmt.join(Case, model.case_id == Case.id)
    return stmt if province_wide else stmt.where(Case.office_id == sa.bindparam("office_id"))


def count_columns(province_wide: bool) -> list[sa.ColumnElement]:
    """(all, the user's own) of every kind, as columns of one statement: one
    count over each kind's status index (two where some can be the user's own)."""
    counts = []
    for name in SECTIONS:
        kind = kinds()[name]
        count = _scoped(sa.select(sa.func.count()).select_from(kind.model), kind.model, province_wide)
        count = count.where(kind.waiting)
        counts.append(count.scalar_subquery().label(name))
        own = count.where(kind.own(sa.bindparam("user_id"))).scalar_subquery() if kind.own else sa.literal(0)
        counts.append(own.label(f"{name}_own"))
    return counts


def counts_of(row) -> dict[str, tuple[int, int]]:
    """Section -> (all, own) from a row holding `count_columns` by their labels."""
    return {name: (getattr(row, name), getattr(row, f"{name}_own")) for name in SECTIONS}


def _who(user) -> dict:
    return {"user_id": user.id, "office_id": user.office_id}


@built_once
def _rows_statement(name: str, province_wide: bool) -> sa.Select:
    """A page (bound limit and offset) of one kind's waiting items, oldest first,
    each with its case's number and title read from the join."""
    kind = kinds()[name]
    if kind.line:  # plain rows: 20 ORM objects and their cases were an eighth of the page's Python work
        stmt = sa.select(*(getattr(kind.model, column) for column in kind.line), Case.number.label("case_number"))
    else:
        case = contains_eager(kind.model.case).load_only(Case.id, Case.number, Case.title).lazyload("*")
        stmt = sa.select(kind.model).options(case, *kind.options)
    return (_scoped(stmt.select_from(kind.model), kind.model, province_wide, join=True).where(kind.waiting)
            .order_by(*kind.order).limit(sa.bindparam("limit")).offset(sa.bindparam("offset")))


def _page(name: str, user, total: int, own: int, page: int) -> Section:
    """The asked page of a section (a page past the last is the last)."""
    result = Section(name, total, own, 1, PAGE_SIZE)
    result.page = min(max(1, page), result.pages)
    if total:
        rows = db.session.execute(_rows_statement(name, user.province_wide), {
            **_who(user), "limit": result.per_page, "offset": (result.page - 1) * result.per_page})
        result.rows = list(rows if kinds()[name].line else rows.scalars())
    return result


def sections(user, pages: Mapping[str, int], counts: Mapping[str, tuple[int, int]]) -> dict[str, Section]:
    """Every section's count (`counts`: section -> (all, own), as read with the menu's
    badges) and the asked page of its items (`pages`: section -> page, 1 if absent)."""
    return {name: _page(name, user, total, own, pages.get(name, 1)) for name, (total, own) in counts.items()}


def next_office_deadlines(case_ids) -> dict[int, CaseDeadline]:
    """Each case's next open deadline of the office itself, in one statement for the page's cases."""
    first: dict[int, CaseDeadline] = {}
    if case_ids:
        for deadline in db.session.scalars(_deadlines_statement(), {"case_ids": sorted(set(case_ids))}):
            first.setdefault(deadline.case_id, deadline)
    return first


@built_once
def _deadlines_statement() -> sa.Select:
    return (sa.select(CaseDeadline).options(lazyload("*"))
            .where(CaseDeadline.case_id.in_(sa.bindparam("case_ids", expanding=True)), CaseDeadline.met_on.is_(None),
                   CaseDeadline.owner == Owner.OFFICE)
            .order_by(CaseDeadline.case_id, CaseDeadline.due_on, CaseDeadline.id))


def recent_decisions(user) -> list[Approval]:
    """The user's latest decisions (index on decided_by_id, decided_at)."""
    return list(db.session.scalars(_recent_statement(), {"user_id": user.id, "limit": RECENT_DECISIONS}))


@built_once
def _recent_statement() -> sa.Select:
    case = contains_eager(Approval.case).load_only(Case.id, Case.number).lazyload("*")
    return (sa.select(Approval).join(Case, Approval.case_id == Case.id)
            .where(Approval.decided_by_id == sa.bindparam("user_id"), Approval.status != ApprovalStatus.PENDING)
            .options(case, lazyload(Approval.requested_by)).order_by(Approval.decided_at.desc(), Approval.id.desc())
            .limit(sa.bindparam("limit")))
