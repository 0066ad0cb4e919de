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
from casesys.domain.enums import CaseState, CaseType, PartyRole, Procedure
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


def filtered_cases(user, filters: CaseFilters) -> sa.Select:
    stmt = sa.select(Case).where(visible_cases_clause(user))
    if filters.q.strip():
        stmt = stmt.where(query_condition(filters.q))
    for column, value in (
        (Case.case_type, filters.case_type), (Case.procedure, filters.procedure),
        (Case.state, filters.state), (Case.office_id, filters.office_id),
        (Case.handler_id, filters.handler_id),
    ):
        if value:
            stmt = stmt.where(column == value)
    if filters.date_from:
        stmt = stmt.where(Case.received_on >= filters.date_from)
    if filters.date_to:
        stmt = stmt.where(Case.received_on <= filters.date_to)
    return stmt


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
