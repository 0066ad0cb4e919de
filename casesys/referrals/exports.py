"""The inbox or outbox as a file (SPEC §10: every list exportable)."""
from __future__ import annotations

from datetime import date

from casesys.exports import Column, list_export
from casesys.extensions import db
from casesys.referrals.models import Referral
from casesys.referrals.queries import Filters, box_query, list_scope

REFERRAL_COLUMNS = (
    Column("编号", width=12), Column("类型", width=14), Column("事由", width=40), Column("发出机关", width=24),
    Column("接收机关", width=24), Column("状态", width=10), Column("发出日期", "date", 12),
    Column("签收日期", "date", 12), Column("答复日期", "date", 12), Column("下一期限", "date", 12),
    Column("发出方案号", width=26), Column("接收方案号", width=26),
)


@list_export("referrals", REFERRAL_COLUMNS)
def referral_rows(user, args, today: date) -> tuple[str, int, list[list]]:
    """The filtered inbox or outbox in the page's order (an office's
    referrals are hundreds, not 100,000: read at once)."""
    filters = Filters.from_args(args)
    rows = db.session.execute(box_query(list_scope(user, args), filters, today)
                              .order_by(Referral.created_at.desc(), Referral.id.desc())).all()
    title = "跨区域协作（发件箱）" if filters.box == "outbox" else "跨区域协作（收件箱）"
    return title, len(rows), [
        [r.number, r.kind.label, r.subject, r.sender_office.name, r.receiver_office.name, r.state.label,
         r.sent_on, r.received_on, r.answered_on, next_due, r.sender_case_number, r.receiver_case_number]
        for r, next_due in rows]
