"""Loading the cases a user may see (SPEC §1), by the predicates of the one
permission module (casesys.auth.permissions): the SQL form of
`can_view_case` for lists, and a case for a page — 404 when it does not
exist or the user may not see it, 403 when the predicate refuses."""
from __future__ import annotations

import sqlalchemy as sa

from casesys.auth.permissions import can_view_case, get_or_abort
from casesys.cases.models import Case, CaseShare
from casesys.core.database import built_once
from casesys.core.fragments import kept_for_epoch
from casesys.extensions import db


def visible_cases_clause(user):
    """The SQL form of `can_view_case`, for lists and search. Without shares
    it is a plain equality, so the (office, received_on) index also gives the
    order — SQLite cannot use it through an OR."""
    kind, _ = visibility(user)
    return sa.true() if kind == "all" else visibility_clause(kind).params(viewer_office=user.office_id)


def visibility(user) -> tuple[str, int | None]:
    """Which cases the user sees, as the kind of `visibility_clause` ("all":
    province-wide; "office": their office's; "shared": their office's and
    those shared with it), and the office whose cases are all they see (None
    unless "office") — the search index can filter by that office itself."""
    if user.province_wide:
        return "all", None
    if not kept_for_epoch(("office_has_shares", user.office_id), lambda: db.session.scalar(
            _any_share_statement(), {"office_id": user.office_id}) is not None):  # a share raises the epoch
        return "office", user.office_id
    return "shared", None


@built_once
def visibility_clause(kind: str) -> sa.ColumnElement[bool]:
    """The clause of a kind of `visibility`, the viewer's office bound as `viewer_office`:
    built once, so that a list's statements can be too."""
    if kind == "all":
        return sa.true()
    own = Case.office_id == sa.bindparam("viewer_office")
    if kind == "office":
        return own
    shared = sa.select(CaseShare.case_id).where(CaseShare.office_id == sa.bindparam("viewer_office"))
    return sa.or_(own, Case.id.in_(shared))


@built_once
def _any_share_statement() -> sa.Select:
    return sa.select(CaseShare.case_id).where(CaseShare.office_id == sa.bindparam("office_id")).limit(1)


def get_case_or_abort(case_id: int, predicate=can_view_case) -> Case:
    """The case, if the user may see it (else 404) and `predicate` allows (else 403)."""
    return get_or_abort(Case, case_id, can_view_case, predicate)
