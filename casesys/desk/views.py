"""The pages that gather every feature's work for one person (SPEC §10):
the to-do list (deadlines of cases and of referrals, notices) and the
approvals waiting for a supervisor (procedure steps and documents to sign).
They keep the addresses and endpoint names of the adjudication blueprint
they were first part of."""
from __future__ import annotations

from datetime import date

from flask import current_app, redirect, render_template, request, url_for
from flask_login import current_user

from casesys.adjudication import bp
from casesys.adjudication.reminders import mark_read
from casesys.adjudication.worklists import unread_reminders
from casesys.auth.permissions import CASE_ROLES, require_roles
from casesys.core import clock
from casesys.core.fragments import kept_rows
from casesys.core.inputs import db_int
from casesys.core.units import unit_of_work
from casesys.desk import waiting
from casesys.desk.badges import desk_counts
from casesys.desk.worklists import TodoItem, todo_items
from casesys.documents.types import DOC_TYPES
from casesys.domain.deadlines import urgency
from casesys.domain.enums import Role, case_state_label
from casesys.domain.workflow import Action
from casesys.exports import Column, export_format, export_list, list_export
from casesys.forms import adjudication as forms
from casesys.referrals.queries import referral_todo


@bp.get("/approvals")
@require_roles(Role.SUPERVISOR)
def approvals():
    # Each section has its own page (?steps=2&records=3 …), so none hides another's items.
    pages = {name: request.args.get(name, 1, type=db_int) or 1 for name in waiting.SECTIONS}
    sections = waiting.sections(current_user, pages, desk_counts(current_user, supervisor=True).waiting or {})
    steps = sections["steps"]
    return render_template("adjudication/approvals.html", sections=sections, Action=Action, today=clock.today(),
                           args={name: s.page for name, s in sections.items() if s.page > 1},
                           next_due=waiting.next_office_deadlines([a.case_id for a in steps.rows]),
                           recent=waiting.recent_decisions(current_user), form=forms.ApprovalDecisionForm(),
                           doc_types=DOC_TYPES)


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
    # A row shows its deadline and case (both raise the case's revision) and the days left.
    rows = kept_rows([("todo", item.deadline.id, item.revision, today) for item in items],
                     lambda missing: _todo_rows([items[index] for index in missing], today))
    # The unread count came with the user: no statement for the list when it is empty.
    reminders = unread_reminders(current_user) if desk_counts(current_user, supervisor=False).unread else []
    return render_template("adjudication/todo.html", rows=rows, counts=counts, total=counts.total, page=page,
                           per_page=TODO_PAGE_SIZE, reminders=reminders, today=today,
                           referral_items=referral_todo(current_user, today))  # SPEC §6, §10: referrals too


def _todo_rows(items: list[TodoItem], today: date) -> list[str]:
    todo_row = current_app.jinja_env.get_template("adjudication/_todo_row.html").module.todo_row  # type: ignore[attr-defined]
    return [todo_row(item, today) for item in items]


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
