"""The counts beside 待办 and 审批 in the menu (SPEC §10): unread reminders
and, for a supervisor, what waits for them — one statement, read once per
request and shared with the approvals page, which shows the same counts."""
from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from casesys.adjudication.worklists import unread_count_column
from casesys.core.database import built_once
from casesys.core.request_memo import read_with_user, request_memo
from casesys.desk import waiting
from casesys.extensions import db


@dataclass(frozen=True)
class DeskCounts:
    unread: int
    waiting: dict[str, tuple[int, int]] | None  # section -> (all, the user's own); None: not asked

    @property
    def to_decide(self) -> int:
        """What the approvals page lists for the supervisor to decide: all but their own."""
        return sum(total - own for total, own in (self.waiting or {}).values())


def desk_counts(user, *, supervisor: bool) -> DeskCounts:
    """The user's counts; the waiting items too if `supervisor`."""
    def read() -> DeskCounts:
        row = db.session.execute(_statement(supervisor, user.province_wide),
                                 {"user_id": user.id, "office_id": user.office_id}).one()
        return DeskCounts(row.unread, waiting.counts_of(row) if supervisor else None)

    return request_memo(_memo_key(user.id, supervisor), read)


def _memo_key(user_id: int, supervisor: bool) -> tuple:
    return "desk_counts", user_id, supervisor


# Everyone's menu shows the unread count: read with the logged-in user (a supervisor's
# menu, with what waits for them, is still one statement of its own).
read_with_user("unread_reminders", unread_count_column, key=lambda user_id: _memo_key(user_id, False),
               value=lambda unread: DeskCounts(unread, None))


def waiting_approvals(user) -> int:
    """The 审批 badge."""
    return desk_counts(user, supervisor=True).to_decide


@built_once
def _statement(supervisor: bool, province_wide: bool) -> sa.Select:
    return sa.select(unread_count_column().label("unread"),
                     *(waiting.count_columns(province_wide) if supervisor else ()))
