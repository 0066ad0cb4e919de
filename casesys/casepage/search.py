"""Finding cases (SPEC §2, §11): number in any bracket variant, party name
substring, credit code, patent number; filters, sorting, pagination.

Substring search goes through an index on both databases, the way Lucene's
CJK analyzer does it: every pair of adjacent characters of a case's search
text is indexed (`cases.search_grams`: SQLite FTS5 table `case_grams`,
PostgreSQL GIN index over its words; migration 0012speed, and 0027officepairs
for an office's own). A query of two or more characters must hold all its
pairs, then the exact substring is checked; the visibility filter is inside
the index query.
A one-character query has no pair: it is a scan of the newest visible cases,
limited to ONE_CHARACTER_LIMIT, and the page says so.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY

from casesys.adjudication.models import CaseDeadline
from casesys.auth.models import Office, User
from casesys.cases.access import visibility as visibility_of
from casesys.cases.access import visibility_clause
from casesys.cases.models import Case, Party
from casesys.core.database import PLANNED_FOR_ITS_VALUES, built_once, dialect_name
from casesys.core.inputs import iso_date, optional_id, parsed_or_none
from casesys.domain.codes import normalize_case_number_query, parse_patent_number
from casesys.domain.enums import OPEN_STATES, CaseState, CaseType, EnterpriseType, PartyRole, Procedure
from casesys.domain.search import folds_beyond_ascii, normalize_text, phrases_decide, query_phrases
from casesys.extensions import db
from casesys.mediation.models import Agreement, AgreementTerm, Mediation

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

    def narrowed(self) -> bool:
        """Any filter but the search text: a list someone asked for by its
        figure (the dashboard's drill-downs among them), whose count is exact."""
        return any(getattr(self, name) for name in self.ARGS if name not in ("q", "sort"))

    @classmethod
    def from_args(cls, args) -> CaseFilters:
        """The filters of a case-list URL; an unknown value is ignored, never an error."""
        def choice(name: str, allowed) -> str:
            value = args.get(name, "")
            return value if value in allowed else ""

        def number(name: str) -> int | None:
            return optional_id(args.get(name))

        def day(name: str) -> date | None:
            return parsed_or_none(iso_date)(args.get(name))

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


ONE_CHARACTER_LIMIT = 200


@dataclass
class TextMatch:
    """How a typed text is matched: the kind of WHERE clause (`match_clause`),
    the values of its parameters, and (SQLite, when the index alone decides)
    the FTS5 expression whose count is the total."""
    kind: str
    values: dict
    fts_expression: str | None = None


def _fts_expression(phrases: list[list[str]], office_id: int | None) -> str:
    parts = ['search_grams : "' + " ".join(pairs) + '"' for pairs in phrases]
    if office_id is not None:  # the visibility filter inside the index
        parts.append(f'office_id : "{int(office_id)}"')
    return " AND ".join(parts)


@built_once
def match_clause(kind: str) -> sa.ColumnElement:
    """A kind of search-box match, its values bound (`number`, `pattern`, `text`,
    `grams`, `office_grams`, `expression`): built once, so that a list's statements can be too."""
    if kind == "number":
        return Case.number == sa.bindparam("number")
    pattern = sa.bindparam("pattern", type_=sa.String)
    if kind in ("like", "fts_like"):
        exact = Case.search_text.like(pattern, escape="\\")
    elif kind.endswith("text"):  # caseless text: the substring as it is (`text_match`)
        exact = sa.func.strpos(Case.search_text, sa.bindparam("text", type_=sa.String)) > 0
    else:
        exact = Case.search_text.ilike(pattern, escape="\\")
    if kind in ("fts", "fts_like"):
        matches = sa.text("SELECT rowid FROM case_grams WHERE case_grams MATCH :expression").bindparams(
            sa.bindparam("expression", type_=sa.String)).columns(sa.column("rowid"))
        return Case.id.in_(matches) if kind == "fts" else sa.and_(Case.id.in_(matches), exact)
    if kind.startswith(("grams", "office_grams")):
        # The same expressions as the indexes (a literal ' '), so the planner uses them.
        pairs, values = (OFFICE_PAIRS, "office_grams") if kind.startswith("office") else (PAIRS, "grams")
        indexed = sa.text(f"{pairs} @> CAST(:{values} AS text[])").bindparams(
            sa.bindparam(values, type_=ARRAY(sa.Text)))
        return indexed if kind.endswith("grams") else sa.and_(indexed, exact)
    return exact  # "like", "ilike", "text"


# PostgreSQL: the kinds of match through the pairs' index (`text_match`): the pairs decide,
# or the text is checked after them as it is (caseless) or case-insensitively.
PAIR_KINDS = ("grams", "grams_text", "grams_ilike")
# PostgreSQL: the expressions of the GIN indexes over a case's pairs of characters: all
# (0012speed, with the office as a column), and each prefixed with the case's office
# (0027officepairs: an office's search reads its own office's postings only).
PAIRS = "string_to_array(cases.search_grams, ' ')"
OFFICE_PAIRS = ("string_to_array(cases.office_id::text || ':' || "
                "replace(cases.search_grams, ' ', ' ' || cases.office_id::text || ':'), ' ')")


def text_match(text: str, office_id: int | None = None) -> TextMatch:
    """Cases whose search text contains `text` (case-insensitive, as LIKE on
    SQLite and ILIKE on PostgreSQL): its pairs through the index, then the
    substring itself unless the pairs decide. `office_id`: the user sees that
    office's cases only, so the index can filter by it too."""
    pattern = {"pattern": f"%{_escape_like(text)}%"}
    phrases = query_phrases(text)
    if dialect_name() == "postgresql":
        # ILIKE lowercases every text it checks (3.5 µs for 300 characters, strpos 0.5): a
        # text with no letter of two cases (Chinese, digits) is looked for as it is.
        caseless = text.lower() == text.upper()
        if not phrases or folds_beyond_ascii(text):
            return TextMatch("text", {"text": text}) if caseless else TextMatch("ilike", pattern)
        pairs = sorted({pair for pairs in phrases for pair in pairs})
        grams = {"grams": pairs, "office_grams": [f"{office_id}:{pair}" for pair in pairs] if office_id else []}
        if len(text) == 2 and phrases_decide(text):
            # One pair is the whole query: holding it is the substring match. Without the
            # redundant ILIKE the planner sees how many match and, for a frequent pair (华为,
            # 长江), walks the newest cases until a page is full instead of sorting all matches.
            return TextMatch("grams", {**grams, "text": text if caseless else ""})
        if caseless:
            return TextMatch("grams_text", {**grams, "text": text})
        return TextMatch("grams_ilike", {**grams, **pattern})
    if not phrases:
        return TextMatch("like", pattern)
    expression = _fts_expression(phrases, office_id)
    if phrases_decide(text):  # the pattern: for the walk of a frequent pair (`search_cases`)
        return TextMatch("fts", {"expression": expression, **pattern}, expression)
    return TextMatch("fts_like", {"expression": expression, **pattern})


def is_one_character(raw: str) -> bool:
    """A query the pair index cannot serve: no two characters side by side."""
    kind, value = search_target(raw)
    return kind == "text" and bool(value) and not query_phrases(value)


def search_target(raw: str) -> tuple[str, str]:
    """What the search box looks for: ("number", a whole case number) or
    ("text", the substring: a patent number's compact form, a normalised
    partial case number, or the text as typed, normalised)."""
    text = normalize_text(raw)
    as_number = normalize_case_number_query(text)
    if FULL_CASE_NUMBER.match(as_number):
        return "number", as_number
    patent = parse_patent_number(text)
    if patent is not None:
        return "text", patent.compact
    if "〔" in as_number:
        return "text", as_number
    return "text", text


def query_match(raw: str, office_id: int | None = None) -> TextMatch:
    """How to find what the user typed in the search box."""
    kind, value = search_target(raw)
    if kind == "number":
        return TextMatch("number", {"number": value})
    return text_match(value, office_id)


NO_PROCEDURE = "none"  # an adjudication whose procedure is not chosen yet


def closing_limit_met(late: bool):
    """Cases whose closing limit (SPEC §3, §4) was met, in time or late."""
    met = sa.select(CaseDeadline.case_id).where(CaseDeadline.kind == "closing", CaseDeadline.met_on.is_not(None),
                                                 (CaseDeadline.met_on > CaseDeadline.due_on) if late
                                                 else (CaseDeadline.met_on <= CaseDeadline.due_on))
    return Case.id.in_(met)


def overdue_deadlines(today: date, kind: str | None = None):
    """The office's own limits of open cases that have passed unmet (SPEC §10);
    a party's period that ran out is no one's delay."""
    stmt = sa.select(CaseDeadline.case_id).where(CaseDeadline.met_on.is_(None), CaseDeadline.due_on < today,
                                                 CaseDeadline.owner == "office")
    if kind:
        stmt = stmt.where(CaseDeadline.kind == kind)
    return sa.and_(Case.state.in_(OPEN_STATES), Case.id.in_(stmt))


def has_party(role: PartyRole, *where):
    return Case.id.in_(sa.select(Party.case_id).where(Party.role == role, *where))


def mediation_condition(status: str):
    from casesys.domain.mediation import MediationStatus

    statuses = ([MediationStatus.AGREED, MediationStatus.PARTIAL] if status == "succeeded"
                else [MediationStatus(status)])
    return Case.id.in_(sa.select(Mediation.case_id).where(Mediation.status.in_(statuses)))


def terms_condition(which: str, today: date):
    """Cases with an effective agreement that has an overdue term, or whose
    terms are all performed (SPEC §5: performance of each term)."""
    terms = (sa.select(Mediation.case_id).join(Agreement, Agreement.mediation_id == Mediation.id)
             .join(AgreementTerm, AgreementTerm.agreement_id == Agreement.id)
             .where(Agreement.effective_on.is_not(None)))
    overdue = terms.where(AgreementTerm.done_on.is_(None), AgreementTerm.due_on < today)
    if which == "overdue":
        return Case.id.in_(overdue)
    open_terms = terms.where(AgreementTerm.done_on.is_(None))
    return sa.and_(Case.id.in_(terms), Case.id.not_in(open_terms))


def _other_filters(filters: CaseFilters, today: date | None = None) -> list:
    """Every filter but the search box."""
    conditions = []
    for column, value in (
        (Case.case_type, filters.case_type),
        (Case.state, filters.state), (Case.office_id, filters.office_id),
        (Case.handler_id, filters.handler_id),
    ):
        if value:
            conditions.append(column == value)
    if filters.procedure == NO_PROCEDURE:
        conditions += [Case.case_type == CaseType.ADJUDICATION, Case.procedure.is_(None)]
    elif filters.procedure:
        conditions.append(Case.procedure == filters.procedure)
    if filters.date_from:
        conditions.append(Case.received_on >= filters.date_from)
    if filters.date_to:
        conditions.append(Case.received_on <= filters.date_to)
    return conditions + drill_down_conditions(filters, today)


def filtered_cases(user, filters: CaseFilters, today: date | None = None) -> sa.Select:
    """The cases the user sees that `filters` select, values bound."""
    visibility, office_id = visibility_of(user)
    match = query_match(filters.q, office_id) if filters.q.strip() else None
    stmt = _cases(visibility, match.kind if match else None, tuple(_other_filters(filters, today)))
    return stmt.params(viewer_office=user.office_id, **(match.values if match else {}))


def _cases(visibility: str, match: str | None, others: tuple = ()) -> sa.Select:
    stmt = sa.select(Case).where(visibility_clause(visibility))
    if match:
        stmt = stmt.where(match_clause(match))
    return stmt.where(*others)


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
    revision: int  # the key its rendered row is kept under (casesys.core.fragments)
    requesters: list[str] = field(default_factory=list)
    respondents: list[str] = field(default_factory=list)


@dataclass
class CasePage:
    items: list[CaseRow]
    total: int
    page: int
    per_page: int
    limited: bool = False  # a one-character query: only the newest ONE_CHARACTER_LIMIT matches
    more: bool = False  # counting stopped: there are more than `total` cases

    @property
    def pages(self) -> int:
        counted = max(1, -(-self.total // self.per_page))
        if self.more:  # a full page always has a next one until counting reaches it
            return max(counted, self.page + (len(self.items) == self.per_page))
        return counted


LIST_COLUMNS = (Case.id, Case.number, Case.title, Case.case_type, Case.procedure, Case.state, Case.received_on,
                Case.office_id, Office.name, User.full_name, Case.revision)


@dataclass(frozen=True)
class ListStatements:
    """A list's count and page (bound: the visibility's and the match's
    values; `cap`, `limit`, `offset`)."""
    count: sa.Executable
    page: sa.Select


def _list_statements(visibility: str, match: str | None, counting: str, sort: str,
                     others: tuple = ()) -> ListStatements:
    """`counting`: "first" (the newest `cap` matches of a one-character
    query), "index" (up to `cap`, inside the FTS5 index: no row read; this
    page sorts every match), "capped" (up to `cap`), "all", or
    "beside" (all, by a window over the matches). The count is read before
    the page for "first" and "index"; for the others it is a column of the
    page's rows, and a statement of its own only for a page past the last."""
    order = SORTS[sort][1]
    if counting == "index":
        return ListStatements(_FTS_MATCHES, _sorted_fts_matches(visibility, order, others))
    if visibility == "office" and match in PAIR_KINDS:
        # The office's own pairs decide what it sees. With the office named besides, the
        # planner would intersect every case of the office with the pairs' cases (4 ms).
        stmt = sa.select(Case).where(match_clause("office_" + match), *others)
    else:
        stmt = _cases(visibility, match, others)
    if counting == "first":  # the scan stops there
        first = stmt.with_only_columns(Case.id).order_by(*order).limit(sa.bindparam("cap")).subquery()
        count: sa.Executable = sa.select(sa.func.count()).select_from(first)
    elif counting in ("capped", "beside"):
        first = stmt.with_only_columns(Case.id).order_by(None).limit(sa.bindparam("cap")).subquery()
        count = sa.select(sa.func.count()).select_from(first)
    else:
        count = stmt.with_only_columns(sa.func.count(), maintain_column_froms=True).order_by(None)
    columns = LIST_COLUMNS
    if counting == "beside":
        columns = (*LIST_COLUMNS, sa.func.count().over())
    elif counting != "first":  # the count beside each row, computed once: one statement, not two
        columns = (*LIST_COLUMNS, count.correlate(None).scalar_subquery())  # type: ignore[attr-defined]
    if match == "grams":
        # A frequent pair's page walks the newest cases: each case's text is searched first
        # (`text`: the pair if caseless, else '', which every text holds), far cheaper than
        # splitting its pairs; its default selectivity leaves the planner's choice as it was.
        # The count reads an index alone (an office's: its pairs prefixed with the office).
        text_first = sa.func.strpos(Case.search_text, sa.bindparam("text", type_=sa.String)) > 0
        stmt = sa.select(Case).where(visibility_clause(visibility), text_first, match_clause(match), *others)
    return ListStatements(count, _page(stmt.with_only_columns(*columns), order))


def _page(stmt: sa.Select, order) -> sa.Select:
    """A list page of `stmt`'s cases: their office's and handler's names joined, sorted, `limit` from `offset`."""
    return (stmt.join(Office, Case.office_id == Office.id).outerjoin(User, Case.handler_id == User.id)
            .order_by(*order).limit(sa.bindparam("limit")).offset(sa.bindparam("offset")))


# SQLite, a search its pairs decide: the count read inside the FTS5 index (no row read),
# with the ids it counted (`search_cases` chooses the page's statement by the count).
_FTS_MATCHES = sa.text("SELECT count(*), '[' || group_concat(rowid) || ']' FROM "
                       "(SELECT rowid FROM case_grams WHERE case_grams MATCH :expression LIMIT :cap)")


def _sorted_fts_matches(visibility: str, order, others: tuple) -> sa.Select:
    """The page of more matches than were counted: the index's matches, each
    case read by its id and sorted (SQLite would otherwise walk the office's
    cases testing each against the matches: ~6,000 for 84 matches among 25,000)."""
    matches = (sa.text("SELECT rowid FROM case_grams WHERE case_grams MATCH :expression")
               .bindparams(sa.bindparam("expression", type_=sa.String)).columns(sa.column("rowid")).subquery())
    return _page(sa.select(*LIST_COLUMNS).select_from(matches).join(Case, Case.id == matches.c.rowid)
                 .where(visibility_clause(visibility), *others), order)


@built_once
def _listed_cases(sort: str) -> sa.Select:
    """The page of the cases `ids`, found by an index expression holding the
    visibility (`_fts_expression`), a JSON array: one parameter, so one statement
    SQLite prepares once. The visibility is not repeated: the office's cases
    would be walked, each tested against the ids (0.8 ms for 84, not 0.1)."""
    ids = sa.select(sa.column("value")).select_from(sa.func.json_each(sa.bindparam("ids", type_=sa.String)))
    return _page(sa.select(*LIST_COLUMNS).where(Case.id.in_(ids)), SORTS[sort][1])


# The list and the search box with no other filter, the pages read all day:
# their statements built once per shape (building one cost more than SQLite's answer).
_unfiltered_list_statements = built_once(_list_statements)


def search_cases(user, filters: CaseFilters, per_page: int, count_up_to: int | None = None) -> CasePage:
    """A count and a page of rows: one statement (two for a page past the last, a one-character
    query or, on SQLite, a search the pair index decides) whatever the page size, and
    plain rows, as a list page is read often (the party names: `fill_party_names`).
    The plain list and a search count up to `count_up_to` cases only (the
    count is what grew with the register); a filtered list counts them all."""
    visibility, office_id = visibility_of(user)
    match = query_match(filters.q, office_id) if filters.q.strip() else None
    others = tuple(_other_filters(filters))
    cap = None if count_up_to is None or filters.narrowed() else count_up_to
    limited = is_one_character(filters.q)
    if limited:
        counting = "first"
    elif match and match.fts_expression and not others and (office_id is not None or user.province_wide):
        counting = "index"
    elif match and match.kind in ("grams_text", "grams_ilike"):
        # PostgreSQL, several pairs: the GIN index is read once for the count and the
        # page (a page sorts every match anyway), not once each (2-3 ms at 100,000 cases).
        counting = "beside"
    else:
        counting = "all" if cap is None else "capped"
    sort = filters.sort if filters.sort in SORTS else "received_desc"
    kind = match.kind if match else None
    # PostgreSQL: a search's plan depends on how often its text occurs.
    options = PLANNED_FOR_ITS_VALUES if kind in (*PAIR_KINDS, "text", "ilike") else {}

    def read(statement, params: dict):
        return db.session.execute(statement, params, execution_options=options)

    statements = (_list_statements(visibility, kind, counting, sort, others) if others
                  else _unfiltered_list_statements(visibility, kind, counting, sort))
    values = {"viewer_office": user.office_id, **(match.values if match else {})}
    page = max(1, filters.page)
    offset, limit = (page - 1) * per_page, per_page
    count_values = {**values, "cap": ONE_CHARACTER_LIMIT if limited else _sql_cap(cap)}
    if limited:
        total = read(statements.count, count_values).scalar()
        limit = max(0, min(per_page, ONE_CHARACTER_LIMIT - offset))
        rows = read(statements.page, {**values, "limit": limit, "offset": offset}).all() if limit else []
    elif counting == "index":
        total, ids = read(statements.count, count_values).one()
        page_statement = statements.page
        if total < WALK_FROM_MATCHES and (cap is None or total <= cap):  # every match counted
            page_statement, values["ids"] = _listed_cases(sort), ids
        elif _walk_newest(offset, sort):
            page_statement = _unfiltered_list_statements(visibility, "like", "first", sort).page
        rows = read(page_statement, {**values, "limit": limit, "offset": offset}).all() if total else []
    else:
        rows = read(statements.page, {**count_values, "limit": limit, "offset": offset}).all()
        total = rows[0][-1] if rows else read(statements.count, count_values).scalar()
        rows = [row[:-1] for row in rows]
    more = cap is not None and total > cap
    total = min(total, cap) if cap is not None else total
    return CasePage(items=[CaseRow(*row) for row in rows], total=total, page=page, per_page=per_page,
                    limited=limited and total >= ONE_CHARACTER_LIMIT, more=more)


# SQLite, a search its pairs decide: the count is read first, from the FTS5 index, with the
# ids it counted. Fewer matches than this (all counted): the page reads those cases. More:
# the page walks the newest cases (an index) testing each one's text, instead of sorting
# every match. The walk reads about (offset + page) × cases ÷ matches rows, ~1.5 µs each;
# sorting reads every match, ~1.4 µs each: at 100,000 cases (25,000 an office) 金桥 (2,818
# matches) 0.09 ms against 4 ms; 十堰湘江 (84) would walk 9 ms. Deep pages and sorts no
# index holds sort every match.
WALK_FROM_MATCHES = 1000
WALK_DEPTH = 200  # rows before the page
WALKED_SORTS = ("received_desc", "received_asc")  # those an index of the cases holds


def _walk_newest(offset: int, sort: str) -> bool:
    return offset <= WALK_DEPTH and sort in WALKED_SORTS


def fill_party_names(rows: list[CaseRow]) -> None:
    """The requesters' and respondents' names of `rows`, in one statement."""
    by_id = {row.id: row for row in rows}
    if not by_id:
        return
    for case_id, role, name in db.session.execute(_party_names_statement(), {"ids": list(by_id)}):
        if role == PartyRole.REQUESTER:
            by_id[case_id].requesters.append(name)
        elif role == PartyRole.RESPONDENT:
            by_id[case_id].respondents.append(name)


@built_once
def _party_names_statement() -> sa.Select:
    return (sa.select(Party.case_id, Party.role, Party.name)
            .where(Party.case_id.in_(sa.bindparam("ids", expanding=True))).order_by(Party.case_id, Party.position))


def _sql_cap(cap: int | None) -> int | None:
    """One more than the cap, to know there are more; no cap, no limit
    (SQLite: LIMIT -1; PostgreSQL: LIMIT NULL, as it refuses -1)."""
    if cap is None:
        return -1 if dialect_name() == "sqlite" else None
    return cap + 1
