"""Every list as CSV or XLSX (SPEC §10: all exportable), from one place.

A page asks `export_format()`; if the URL carries `?format=csv|xlsx` it
returns `export_response(...)` with its Chinese column headers and an
iterable of rows. Rows are consumed one at a time:
- CSV (UTF-8 with BOM, so Excel opens Chinese correctly) is streamed to the
  client as it is produced;
- XLSX is written by openpyxl in write-only mode, which flushes each row to
  a temporary file, and that file is then streamed in chunks.
So 100,000 rows are never held in memory. Every export is audited: who
exported what (page, filters, format).
"""
from __future__ import annotations

import csv
import io
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from flask import Response, request, stream_with_context
from flask_login import current_user

from casesys.core import clock
from casesys.extensions import db

FORMATS = ("csv", "xlsx")
CHUNK = 64 * 1024
ROWS_PER_CHUNK = 500
MIME = {"csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"  # text | int | date | pct | days
    width: int = 14


def export_format(args=None) -> str | None:
    value = (args if args is not None else request.args).get("format", "")
    return value if value in FORMATS else None


def _csv_value(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == "pct":
        return f"{value * 100:.1f}%"
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return str(value)


def csv_chunks(columns: Sequence[Column], rows: Iterable[Sequence]) -> Iterator[bytes]:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write("\ufeff")
    writer.writerow([c.header for c in columns])
    for count, row in enumerate(rows, 1):
        writer.writerow([_csv_value(v, c.kind) for v, c in zip(row, columns)])
        if count % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


Sheet = tuple  # (title, columns, rows)


def write_xlsx(path: str, sheets: Iterable[Sheet]) -> int:
    """Write the sheets to an XLSX file (write-only: each row goes to disk as
    it is appended); returns the number of rows written."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook(write_only=True)
    formats = {"pct": "0.0%", "days": "0.0"}
    count = 0
    for title, columns, rows in sheets:
        sheet = workbook.create_sheet(title=re.sub(r"[\\/*?:\[\]]", "", title)[:31] or "Sheet")
        for index, column in enumerate(columns, 1):
            sheet.column_dimensions[get_column_letter(index)].width = column.width
        sheet.freeze_panes = "A2"
        header = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=column.header)
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        special = [(i, formats[c.kind]) for i, c in enumerate(columns) if c.kind in formats]
        for row in rows:
            values = list(row)
            for index, number_format in special:
                if values[index] is not None:
                    cell = WriteOnlyCell(sheet, value=values[index])
                    cell.number_format = number_format
                    values[index] = cell
            # Dates are written as dates (openpyxl gives them the yyyy-mm-dd format).
            sheet.append(values)
            count += 1
    workbook.save(path)
    return count


def _file_chunks(path: str) -> Iterator[bytes]:
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(CHUNK):
                yield chunk
    finally:
        os.unlink(path)


def audit_export(what: str, fmt: str) -> None:
    """SPEC §2: who took what out of the register, and when."""
    from casesys.core.audit import record_audit

    record_audit("exports", "export", {"what": what, "format": fmt, "url": request.full_path.rstrip("?")},
                 actor_id=current_user.id if current_user.is_authenticated else None)


def export_response(name: str, title: str, columns: Sequence[Column], rows: Iterable[Sequence],
                    fmt: str, *, more_sheets: Sequence[Sheet] = (), sheet_title: str = "") -> Response:
    """The file download of a page's list (XLSX: and `more_sheets`); the
    audit row is committed first."""
    audit_export(title, fmt)
    db.session.commit()
    filename = f"{name}-{clock.today().isoformat()}.{fmt}"
    if fmt == "csv":
        body = stream_with_context(csv_chunks(columns, rows))
    else:
        handle = tempfile.NamedTemporaryFile(prefix="casesys-export-", suffix=".xlsx", delete=False)
        handle.close()
        try:
            write_xlsx(handle.name, [(sheet_title or title, columns, rows), *more_sheets])
        except BaseException:
            os.unlink(handle.name)
            raise
        body = _file_chunks(handle.name)
    from urllib.parse import quote

    response = Response(body, mimetype=MIME[fmt].split(";")[0], content_type=MIME[fmt])
    response.headers["Content-Disposition"] = (
        f"attachment; filename=\"{name}.{fmt}\"; filename*=UTF-8''{quote(f'{title}-{filename}')}")
    response.headers["Cache-Control"] = "no-store"
    return response


# --- what each page exports -----------------------------------------------------------

def table_sheet(table: dict) -> Sheet:
    """A dashboard (or report) table as a sheet: its headers and the values of
    its cells; a column mixing counts and a rate is written as text."""
    columns = []
    for index, header in enumerate(table["headers"]):
        kinds = {row[index].get("fmt", "text") for row in table["rows"] if index < len(row)}
        kind = kinds.pop() if len(kinds) == 1 else "text"
        columns.append(Column(header, kind, 24 if index == 0 else 14))

    def typed(c: dict, column: Column):
        value = c.get("v")
        if value is None:
            return None
        if column.kind == "date":
            return date.fromisoformat(value)
        if column.kind == "text":
            return _csv_value(value, c.get("fmt", "text"))
        return value

    rows = ([typed(c, column) for c, column in zip(row, columns)] for row in table["rows"])
    return table["title"], columns, rows


def table_export(table: dict, fmt: str) -> Response:
    title, columns, rows = table_sheet(table)
    return export_response(f"dashboard-{table['key']}", title, columns, rows, fmt)


CASE_COLUMNS = (
    Column("案号", width=26), Column("案件类型", width=10), Column("程序", width=10), Column("状态", width=12),
    Column("案由", width=48), Column("请求人（申请人）", width=36), Column("被请求人（被申请人）", width=36),
    Column("收案日期", "date", 12), Column("受理日期", "date", 12), Column("结案日期", "date", 12),
    Column("办案机关", width=28), Column("承办人", width=10),
)


def case_rows(user, filters) -> Iterator[list]:
    """The filtered case list in its order. The statement is built now (the
    user is read in this request); the rows are read while the file streams,
    in chunks of 1,000 (a server-side cursor on PostgreSQL), with the party
    names of each chunk."""
    from casesys.auth.models import Office, User
    from casesys.cases.models import Case
    from casesys.cases.search import SORTS, filtered_cases

    stmt = (filtered_cases(user, filters)
            .with_only_columns(Case.id, Case.number, Case.case_type, Case.procedure, Case.state, Case.title,
                               Case.received_on, Case.accepted_on, Case.closed_on, Office.name, User.full_name)
            .join(Office, Case.office_id == Office.id).outerjoin(User, Case.handler_id == User.id)
            .order_by(*SORTS.get(filters.sort, SORTS["received_desc"])[1]))
    return _stream_cases(stmt)


def _stream_cases(stmt) -> Iterator[list]:
    from collections import defaultdict

    from casesys.cases.models import Party
    from casesys.domain.enums import PartyRole

    result = db.session.execute(stmt.execution_options(yield_per=1000, stream_results=True))
    for chunk in result.partitions():
        names: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))
        for case_id, role, name in db.session.execute(
                sa.select(Party.case_id, Party.role, Party.name).where(Party.case_id.in_([r[0] for r in chunk]))
                .order_by(Party.case_id, Party.position)):
            if role in (PartyRole.REQUESTER, PartyRole.RESPONDENT):
                names[case_id][0 if role == PartyRole.REQUESTER else 1].append(name)
        for (case_id, number, case_type, procedure, state, title, received, accepted, closed, office,
             handler) in chunk:
            requesters, respondents = names[case_id]
            yield [number, case_type.label, procedure.label if procedure else "", state.label, title,
                   "、".join(requesters), "、".join(respondents), received, accepted, closed, office, handler or ""]


def export_cases(user, filters, fmt: str) -> Response:
    return export_response("cases", "案件", CASE_COLUMNS, case_rows(user, filters), fmt)


def export_todo(items, today: date, fmt: str) -> Response:
    from casesys.domain.deadlines import urgency

    words = {"overdue": "逾期", "due_today": "今日到期", "expired": "期间已届满", "open": "未到期", "met": "已完成"}
    columns = (Column("届满日", "date", 12), Column("事项", width=24), Column("案号", width=26),
               Column("案由", width=48), Column("案件状态", width=12), Column("期限状态", width=12),
               Column("临时期限", width=10))
    # Read now: the audit commit expires the objects before the file streams.
    rows = [[item.deadline.due_on, item.deadline.label, item.number, item.title,
             getattr(item.state, "label", item.state), words.get(urgency(item.deadline, today), ""),
             "是" if item.deadline.provisional else ""] for item in items]
    return export_response("todo", "我的待办", columns, rows, fmt)


def export_workload(rows, fmt: str) -> Response:
    columns = (Column("承办人", width=14), Column("在办案件", "int"), Column("平均天数", "days"),
               Column("最长天数", "int"), Column("逾期期限", "int"))
    return export_response("workload", "承办人工作量", columns,
                           [[r.user.full_name, r.open_cases, round(r.average_age_days, 1), r.oldest_age_days,
                             r.overdue] for r in rows], fmt)


REFERRAL_COLUMNS = (
    Column("编号", width=12), Column("类型", width=14), Column("事由", width=40), Column("发出机关", width=24),
    Column("接收机关", width=24), Column("状态", width=10), Column("发出日期", "date", 12),
    Column("签收日期", "date", 12), Column("答复日期", "date", 12), Column("下一期限", "date", 12),
    Column("发出方案号", width=26), Column("接收方案号", width=26),
)


def referral_rows(office_id, filters, today: date) -> list[list]:
    """The filtered inbox or outbox in the page's order (an office's
    referrals are hundreds, not 100,000: read at once)."""
    from casesys.referrals.models import Referral
    from casesys.referrals.queries import box_query

    rows = db.session.execute(box_query(office_id, filters, today)
                              .order_by(Referral.created_at.desc(), Referral.id.desc())).all()
    return [[r.number, r.kind.label, r.subject, r.sender_office.name, r.receiver_office.name, r.state.label,
             r.sent_on, r.received_on, r.answered_on, next_due, r.sender_case_number, r.receiver_case_number]
            for r, next_due in rows]


def export_referrals(office_id, filters, today: date, fmt: str) -> Response:
    title = "跨区域协作（发件箱）" if filters.box == "outbox" else "跨区域协作（收件箱）"
    return export_response(f"referrals-{filters.box}", title, REFERRAL_COLUMNS,
                           referral_rows(office_id, filters, today), fmt)
