"""The pages that gather every feature's work for one person (SPEC §10):
the to-do list (deadlines of cases and of referrals, notices) and the
approvals waiting for a supervisor (procedure steps and documents to sign).
They keep the addresses and endpoint names of the adjudication blueprint
they were first part of."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from casesys.adjudication import bp
from casesys.adjudication.models import Approval
from casesys.adjudication.reminders import mark_read
from casesys.adjudication.worklists import unread_reminders
from casesys.auth.permissions import CASE_ROLES, require_roles
from casesys.cases.access import visible_cases_clause
from casesys.cases.models import Case
from casesys.core import clock
from casesys.core.inputs import db_int
from casesys.core.units import unit_of_work
from casesys.desk.worklists import todo_items
from casesys.documents.models import Document
from casesys.documents.types import DOC_TYPES
from casesys.domain.deadlines import urgency
from casesys.domain.enums import Role, case_state_label
from casesys.domain.workflow import Action
from casesys.exports import Column, export_format, export_list, list_export
from casesys.extensions import db
from casesys.forms import adjudication as forms
from casesys.referrals.queries import referral_todo


@bp.get("/approvals")
@require_roles(Role.SUPERVISOR)
def approvals():
    stmt = (sa.select(Approval).join(Case, Approval.case_id == Case.id)
            .where(Approval.status == "pending", visible_cases_clause(current_user))
            .order_by(Approval.requested_at)
            .options(selectinload(Approval.case).selectinload(Case.deadlines)))  # no statement per row
    if not current_user.province_wide:
        stmt = stmt.where(Case.office_id == current_user.office_id)
    pending = db.session.scalars(stmt).all()
    recent = db.session.scalars(
        sa.select(Approval).join(Case, Approval.case_id == Case.id)
        .where(Approval.status != "pending", Approval.decided_by_id == current_user.id)
        .order_by(Approval.decided_at.desc()).limit(20).options(selectinload(Approval.case))).all()
    documents_stmt = (sa.select(Document).join(Case, Document.case_id == Case.id)
                      .where(Document.status == "pending").order_by(Document.updated_at)
                      .options(selectinload(Document.case)))
    if not current_user.province_wide:
        documents_stmt = documents_stmt.where(Case.office_id == current_user.office_id)
    return render_template("adjudication/approvals.html", pending=pending, recent=recent,
                           form=forms.ApprovalDecisionForm(), Action=Action, today=clock.today(),
                           documents=db.session.scalars(documents_stmt).all(), doc_types=DOC_TYPES)


# --- to-do -------------------------------------------------------------------------

TODO_PAGE_SIZE = 50


@bp.get("/todo")
@require_roles(*CASE_ROLES)
def todo():
    page = max(1, request.args.get("page", 1, type=db_int) or 1)
    today = clock.today()
    if fmt := export_format():
        return export_list("todo", fmt)
    items, counts = todo_items(current_user, page=page, per_page=TODO_PAGE_SIZE, today=today)
    return render_template("adjudication/todo.html", items=items, counts=counts, total=counts.total, page=page,
                           per_page=TODO_PAGE_SIZE, reminders=unread_reminders(current_user), today=today,
                           referral_items=referral_todo(current_user, today))  # SPEC §6, §10: referrals too


@bp.post("/todo/reminders/read")
@require_roles(*CASE_ROLES)
def read_reminders():
    with unit_of_work():
        mark_read(current_user)
    return redirect(url_for("adjudication.todo"))


TODO_COLUMNS = (Column("届满日", "date", 12), Column("事项", width=24), Column("案号", width=26),
                Column("案由", width=48), Column("案件状态", width=12), Column("期限状态", width=12),
                Column("临时期限", width=10))


@list_export("todo", TODO_COLUMNS)
def todo_rows(user, args, today: date) -> tuple[str, int, list[list]]:
    words = {"overdue": "逾期", "due_today": "今日到期", "expired": "期间已届满", "open": "未到期", "met": "已完成"}
    # A user's open limits: hundreds at most, so one read; read now, as a
    # commit expires the objects before the file streams.
    items = todo_items(user, page=1, per_page=100_000, today=today)[0]
    rows = [[item.deadline.due_on, item.deadline.label, item.number, item.title,
             case_state_label(item.state, item.procedure), words.get(urgency(item.deadline, today), ""),
             "是" if item.deadline.provisional else ""] for item in items]
    return "我的待办", len(rows), rows
