"""Loading the cases a user may see (SPEC §1), by the predicates of the one
permission module (casesys.auth.permissions): the SQL form of
`can_view_case` for lists, and a case for a page — 404 when it does not
exist or the user may not see it, 403 when the predicate refuses."""
from __future__ import annotations

import sqlalchemy as sa

from casesys.auth.permissions import can_view_case, get_or_abort
from casesys.cases.models import Case, CaseShare
from casesys.core.database import built_once
from casesys.extensions import db


def visible_cases_clause(user):
    """The SQL form of `can_view_case`, for lists and search. Without shares
    it is a plain equality, so the (office, received_on) index also gives the
    order — SQLite cannot use it through an OR."""
    return visible_cases(user)[0]


def visible_cases(user):
    """`visible_cases_clause`, and the office whose cases are all the user
    sees (None: province-wide, or cases shared with the office) — the search
    index can filter by that office itself."""
    if user.province_wide:
        return sa.true(), None
    if db.session.scalar(_any_share_statement(), {"office_id": user.office_id}) is None:
        return Case.office_id == user.office_id, user.office_id
    shared = sa.select(CaseShare.case_id).where(CaseShare.office_id == user.office_id)
    return sa.or_(Case.office_id == user.office_id, Case.id.in_(shared)), None


@built_once
def _any_share_statement() -> sa.Select:
    return sa.select(CaseShare.case_id).where(CaseShare.office_id == sa.bindparam("office_id")).limit(1)


def get_case_or_abort(case_id: int, predicate=can_view_case) -> Case:
    """The case, if the user may see it (else 404) and `predicate` allows (else 403)."""
    return get_or_abort(Case, case_id, can_view_case, predicate)
