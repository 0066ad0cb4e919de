"""Finding cases (SPEC §2, §11): number in any bracket variant, party name
substring, credit code, patent number; filters, sorting, pagination.

Substring search uses an index on both databases: SQLite's FTS5 trigram
table `case_search` and PostgreSQL's pg_trgm GIN index on
`cases.search_text` (both made by the migration). Queries shorter than three
characters have no trigram and fall back to a scan of `search_text`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa

from casesys.auth.permissions import visible_cases_clause
from casesys.auth.models import Office, User
from casesys.cases.models import Case, Party
from casesys.core.database import dialect_name
from casesys.domain.codes import normalize_case_number_query, parse_patent_number
from casesys.domain.enums import OPEN_STATES, CaseState, CaseType, EnterpriseType, PartyRole, Procedure
from casesys.domain.search import normalize_text
from casesys.extensions import db

FULL_CASE_NUMBER = re.compile(r"^\S+〔\d{4}〕\d+号$")
SORTS = {
    "received_desc": ("收案日期（新→旧）", (Case.received_on.desc(), Case.id.desc())),
    "received_asc": ("收案日期（旧→新）", (Case.received_on.asc(), Case.id.asc())),
    "updated_desc": ("最近更新", (Case.updated_at.desc(), Case.id.desc())),
}


@dataclass
class CaseFilters:
    q: str = ""
    case_type: str = ""
    procedure: str = ""
    state: str = ""
    office_id: int | None = None
    handler_id: int | None = None
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "received_desc"
    page: int = 1
    # Drill-down from the dashboard (SPEC §10): each figure is a list of these.
    closed: bool = False            # accepted and closed
    limit: str = ""                 # in | late: closing limit met in time or late
    overdue: str = ""               # any | <deadline kind>: an open case's office limit has passed
    requester_type: str = ""        # EnterpriseType of a requester
    respondent: str = ""            # credit code of a respondent
    mediation: str = ""             # MediationStatus of a mediation of the case, or "succeeded"
    terms: str = ""                 # overdue | performed: agreement terms

    ARGS = ("q", "case_type", "procedure", "state", "office_id", "handler_id", "date_from", "date_to", "sort",
            "closed", "limit", "overdue", "requester_type", "respondent", "mediation", "terms")

    @classmethod
    def from_args(cls, args) -> "CaseFilters":
        """The filters of a case-list URL; an unknown value is ignored, never an error."""
        def choice(name: str, allowed) -> str:
            value = args.get(name, "")
            return value if value in allowed else ""

        def number(name: str) -> int | None:
            value = args.get(name, "")
            return int(value) if value.isdigit() and len(value) < 10 else None

        def day(name: str) -> date | None:
            try:
                return date.fromisoformat(args.get(name, ""))
            except ValueError:
                return None

        from casesys.domain.mediation import MediationStatus

        return cls(
            q=args.get("q", "")[:100],
            case_type=choice("case_type", CaseType._value2member_map_),
            procedure=choice("procedure", [*Procedure._value2member_map_, NO_PROCEDURE]),
            state=choice("state", CaseState._value2member_map_),
            office_id=number("office_id"), handler_id=number("handler_id"),
            date_from=day("date_from"), date_to=day("date_to"),
            sort=choice("sort", SORTS) or "received_desc",
            page=min(number("page") or 1, 100000),
            closed=args.get("closed") == "1",
            limit=choice("limit", ("in", "late")),
            overdue=args.get("overdue", "")[:32] if args.get("overdue", "").replace("_", "").isalnum() else "",
            requester_type=choice("requester_type", EnterpriseType._value2member_map_),
            respondent=args.get("respondent", "")[:18] if args.get("respondent", "").isalnum() else "",
            mediation=choice("mediation", [*MediationStatus._value2member_map_, "succeeded"]),
            terms=choice("terms", ("overdue", "performed")),
        )

    def as_args(self, **changes) -> dict[str, str]:
        """The URL arguments that give these filters back (page left out)."""
        values = {**{name: getattr(self, name) for name in self.ARGS}, **changes}
        args = {}
        for name, value in values.items():
            if value in (None, "", False) or (name == "sort" and value == "received_desc"):
                continue
            args[name] = "1" if value is True else str(value)
        return args

    @property
    def drill_down(self) -> list[str]:
        """What the dashboard's filters mean, in words, for the list's heading."""
        from casesys.domain.mediation import MediationStatus

        words = []
        if self.closed:
            words.append("已受理并结案")
        if self.limit:
            words.append("在审理期限内结案" if self.limit == "in" else "超过审理期限结案")
        if self.overdue:
            words.append("办理中且有逾期未完成的期限")
        if self.requester_type:
            words.append(f"请求人为{EnterpriseType.label_of(self.requester_type)}")
        if self.respondent:
            words.append(f"被请求人统一社会信用代码 {self.respondent}")
        if self.mediation:
            words.append("调解成功" if self.mediation == "succeeded" else f"调解：{MediationStatus.label_of(self.mediation)}")
        if self.terms:
            words.append("调解协议有逾期未履行条款" if self.terms == "overdue" else "调解协议条款均已履行")
        if self.procedure == NO_PROCEDURE:
            words.append("尚未确定程序")
        return words


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def text_match(text: str):
    """Cases whose search text contains `text` (case-insensitive)."""
    pattern = f"%{_escape_like(text)}%"
    if len(text) >= 3 and dialect_name() == "sqlite":
        phrase = '"' + text.replace('"', '""') + '"'
        matches = sa.text("SELECT rowid FROM case_search WHERE case_search MATCH :phrase")
        return Case.id.in_(matches.bindparams(phrase=phrase).columns(sa.column("rowid")))
    if dialect_name() == "postgresql":
        return Case.search_text.ilike(pattern, escape="\\")
    return Case.search_text.like(pattern, escape="\\")


def query_condition(raw: str):
    """The WHERE clause for what the user typed in the search box."""
    text = normalize_text(raw)
    as_number = normalize_case_number_query(text)
    if FULL_CASE_NUMBER.match(as_number):
        return Case.number == as_number
    patent = parse_patent_number(text)
    if patent is not None:
        return text_match(patent.compact)
    if "〔" in as_number:
        return text_match(as_number)
    return text_match(text)


NO_PROCEDURE = "none"  # an adjudication whose procedure is not chosen yet


def closing_limit_met(late: bool):
    """Cases whose closing limit (SPEC §3, §4) was met, in time or late."""
    from casesys.adjudication.models import CaseDeadline

    met = sa.select(CaseDeadline.case_id).where(CaseDeadline.kind == "closing", CaseDeadline.met_on.is_not(None),
                                                 (CaseDeadline.met_on > CaseDeadline.due_on) if late
                                                 else (CaseDeadline.met_on <= CaseDeadline.due_on))
    return Case.id.in_(met)


def overdue_deadlines(today: date, kind: str | None = None):
    """The office's own limits of open cases that have passed unmet (SPEC §10);
    a party's period that ran out is no one's delay."""
    from casesys.adjudication.models import CaseDeadline

    stmt = sa.select(CaseDeadline.case_id).where(CaseDeadline.met_on.is_(None), CaseDeadline.due_on < today,
                                                 CaseDeadline.owner == "office")
    if kind:
        stmt = stmt.where(CaseDeadline.kind == kind)
    return sa.and_(Case.state.in_(OPEN_STATES), Case.id.in_(stmt))


def has_party(role: PartyRole, *where):
    return Case.id.in_(sa.select(Party.case_id).where(Party.role == role, *where))


def mediation_condition(status: str):
    from casesys.domain.mediation import MediationStatus
    from casesys.mediation.models import Mediation

    statuses = ([MediationStatus.AGREED, MediationStatus.PARTIAL] if status == "succeeded"
                else [MediationStatus(status)])
    return Case.id.in_(sa.select(Mediation.case_id).where(Mediation.status.in_(statuses)))


def terms_condition(which: str, today: date):
    """Cases with an effective agreement that has an overdue term, or whose
    terms are all performed (SPEC §5: performance of each term)."""
    from casesys.mediation.models import Agreement, AgreementTerm, Mediation

    terms = (sa.select(Mediation.case_id).join(Agreement, Agreement.mediation_id == Mediation.id)
             .join(AgreementTerm, AgreementTerm.agreement_id == Agreement.id)
             .where(Agreement.effective_on.is_not(None)))
    overdue = terms.where(AgreementTerm.done_on.is_(None), AgreementTerm.due_on < today)
    if which == "overdue":
        return Case.id.in_(overdue)
    open_terms = terms.where(AgreementTerm.done_on.is_(None))
    return sa.and_(Case.id.in_(terms), Case.id.not_in(open_terms))


def filtered_cases(user, filters: CaseFilters, today: date | None = None) -> sa.Select:
    stmt = sa.select(Case).where(visible_cases_clause(user))
    if filters.q.strip():
        stmt = stmt.where(query_condition(filters.q))
    for column, value in (
        (Case.case_type, filters.case_type),
        (Case.state, filters.state), (Case.office_id, filters.office_id),
        (Case.handler_id, filters.handler_id),
    ):
        if value:
            stmt = stmt.where(column == value)
    if filters.procedure == NO_PROCEDURE:
        stmt = stmt.where(Case.case_type == CaseType.ADJUDICATION, Case.procedure.is_(None))
    elif filters.procedure:
        stmt = stmt.where(Case.procedure == filters.procedure)
    if filters.date_from:
        stmt = stmt.where(Case.received_on >= filters.date_from)
    if filters.date_to:
        stmt = stmt.where(Case.received_on <= filters.date_to)
    return stmt.where(*drill_down_conditions(filters, today))


def drill_down_conditions(filters: CaseFilters, today: date | None = None) -> list:
    from casesys.core import clock

    today = today or clock.today()
    where = []
    if filters.closed:
        where += [Case.accepted_on.is_not(None), Case.closed_on.is_not(None)]
    if filters.limit:
        where.append(closing_limit_met(late=filters.limit == "late"))
    if filters.overdue:
        where.append(overdue_deadlines(today, None if filters.overdue == "any" else filters.overdue))
    if filters.requester_type:
        where.append(has_party(PartyRole.REQUESTER, Party.enterprise_type == filters.requester_type))
    if filters.respondent:
        where.append(has_party(PartyRole.RESPONDENT, Party.credit_code == filters.respondent))
    if filters.mediation:
        where.append(mediation_condition(filters.mediation))
    if filters.terms:
        where.append(terms_condition(filters.terms, today))
    return where


@dataclass
class CaseRow:
    """What the list shows of a case: plain values, no ORM object."""
    id: int
    number: str
    title: str
    case_type: CaseType
    procedure: Procedure | None
    state: CaseState
    received_on: date
    office_id: int
    office_name: str
    handler_name: str | None
    requesters: list[str] = field(default_factory=list)
    respondents: list[str] = field(default_factory=list)


@dataclass
class CasePage:
    items: list[CaseRow]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


LIST_COLUMNS = (Case.id, Case.number, Case.title, Case.case_type, Case.procedure, Case.state, Case.received_on,
                Case.office_id, Office.name, User.full_name)


def search_cases(user, filters: CaseFilters, per_page: int) -> CasePage:
    """A count, a page of rows and the page's party names: three statements
    whatever the page size, and plain rows, as a list page is read often."""
    stmt = filtered_cases(user, filters)
    total = db.session.scalar(stmt.with_only_columns(sa.func.count(), maintain_column_froms=True).order_by(None))
    page = max(1, filters.page)
    order = SORTS.get(filters.sort, SORTS["received_desc"])[1]
    rows = db.session.execute(
        stmt.with_only_columns(*LIST_COLUMNS).join(Office, Case.office_id == Office.id)
        .outerjoin(User, Case.handler_id == User.id).order_by(*order)
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    items = {row[0]: CaseRow(*row) for row in rows}
    if items:
        for case_id, role, name in db.session.execute(
            sa.select(Party.case_id, Party.role, Party.name).where(Party.case_id.in_(list(items)))
            .order_by(Party.case_id, Party.position)
        ):
            if role == PartyRole.REQUESTER:
                items[case_id].requesters.append(name)
            elif role == PartyRole.RESPONDENT:
                items[case_id].respondents.append(name)
    return CasePage(items=list(items.values()), total=total, page=page, per_page=per_page)
