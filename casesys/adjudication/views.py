"""Procedure pages: the steps of a case, approvals, the to-do list, the
workload view and the deadline calculator."""
from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import selectinload
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from casesys.core import clock
from casesys.core.inputs import YEAR_MAX, YEAR_MIN, db_int, ids, in_date_range, iso_date, parsed_or_none
from casesys.adjudication import bp
from casesys.adjudication.calendars import current_calendar
from casesys.adjudication.rules import current_rules
from casesys.adjudication.models import Approval, ClockStop
from casesys.adjudication.services import (
    STOP_KINDS, answered_on, approve, case_facts, end_clock_stop, pending_approval, record_clock_stop,
    request_action, respondents, send_back, served_on,
)
from casesys.cases.services import store_checked_upload
from casesys.cases.storage import UploadRejected
from casesys.adjudication.worklists import todo_items, unread_reminders, workload_rows
from casesys.auth.models import User
from casesys.core.units import commit_unit, unit_of_work
from casesys.oversight.exports import export_format, export_list, export_workload
from casesys.auth.permissions import (
    CASE_ROLES, can_approve, can_run_procedure, get_case_or_abort, require_roles, visible_cases_clause,
)
from casesys.cases.models import Case
from casesys.domain.calendar import Unit
from casesys.domain.enums import OPEN_STATES, Procedure, Role
from casesys.domain.workflow import (
    ACCEPTANCE_CONDITIONS, ROUTINE, SIMPLIFIED_CONDITIONS, STEPS, Action, action_label,
    available_actions,
)
from casesys.extensions import db
from casesys.forms import adjudication as forms

ACTION_FORMS = {
    Action.ACCEPT: forms.ScreeningForm, Action.REJECT: forms.ScreeningForm,
    Action.SERVE: forms.ServeForm, Action.RECORD_ANSWER: forms.AnswerForm,
    Action.FORWARD_ANSWER: forms.ForwardAnswerForm, Action.SET_PANEL: forms.PanelForm,
    Action.SCHEDULE_HEARING: forms.HearingForm, Action.HOLD_HEARING: forms.HoldHearingForm,
    Action.DECIDE: forms.DecideForm, Action.DELIBERATE: forms.DeliberateForm, Action.SERVE_DECISION: forms.ServeDecisionForm,
    Action.SUSPEND: forms.SuspendForm, Action.RESUME: forms.ResumeForm,
    Action.CONVERT: forms.ReasonForm, Action.EXTEND: forms.ReasonForm, Action.WITHDRAW: forms.ReasonForm,
    Action.DEEM_WITHDRAWN: forms.ReasonForm, Action.REVOKE: forms.ReasonForm,
    Action.CLOSE_MEDIATED: forms.ReasonForm,
}
# The screening page serves both acceptance and refusal: one form, two buttons.
SCREENING = (Action.ACCEPT, Action.REJECT)


def respondent_choices(case: Case, action: Action) -> list[tuple[int, str]]:
    """SPEC §3: each respondent with where its service and answer stand; the
    ones the step is still open for first."""
    def still_open(party) -> bool:
        return served_on(party) is None if action == Action.SERVE else bool(served_on(party) and not answered_on(party))

    def label(party) -> str:
        state = f"已于 {served_on(party)} 收到请求书副本" if served_on(party) else "未送达"
        return f"{party.name}（{state}{f'，{answered_on(party)} 已答辩' if answered_on(party) else ''}）"

    return [(p.id, label(p)) for p in sorted(respondents(case), key=lambda p: not still_open(p))]


def stored_answer(upload) -> dict:
    stored = store_checked_upload(upload.stream, upload.filename)
    return {"sha256": stored.sha256, "size": stored.size, "content_type": stored.content_type,
            "filename": stored.filename}


def _office_officers(case: Case) -> list[User]:
    users = db.session.scalars(sa.select(User).where(User.office_id == case.office_id, User.active.is_(True))
                               .order_by(User.full_name)).all()
    return [u for u in users if u.has_role(Role.OFFICER, Role.SUPERVISOR)]


def _action_form(case: Case, action: Action):
    form = ACTION_FORMS.get(action, forms.ActionForm)()
    if action == Action.SET_PANEL:
        choices = [(u.id, u.full_name) for u in _office_officers(case)]
        form.members.choices, form.presiding.choices = choices, choices
        if request.method == "GET":
            form.members.data = [m.user_id for m in case.panel] or [case.handler_id]
            form.presiding.data = next((m.user_id for m in case.panel if m.presiding), case.handler_id)
    upcoming = next((h for h in reversed(case.hearings) if not h.held), None)
    if action == Action.SCHEDULE_HEARING and request.method == "GET" and upcoming:
        # Rescheduling starts from the hearing as it stands.
        form.scheduled_at.data, form.place.data = upcoming.scheduled_at, upcoming.place
        form.notice_served_on.data = upcoming.notice_served_on
    if action in (Action.SERVE, Action.RECORD_ANSWER):
        form.party_id.choices = respondent_choices(case, action)
    if action in SCREENING and request.method == "GET" and case.conditions:
        for key, value in case.conditions.items():
            if f"c_{key}" in form:
                form[f"c_{key}"].data = value
    return form


@bp.route("/cases/<int:case_id>/steps/<action>", methods=["GET", "POST"])
@require_roles(*CASE_ROLES)
def step(case_id: int, action: str):
    case = get_case_or_abort(case_id, can_run_procedure)
    if action not in Action._value2member_map_:
        abort(404)
    action = Action(action)
    form = _action_form(case, action)
    if form.validate_on_submit():
        if action in SCREENING and request.form.get("decision") == "reject":
            action = Action.REJECT
        with unit_of_work(form, at={UploadRejected: "answer_file"}) as unit:  # at the field, input kept
            payload = form.payload()
            if action == Action.RECORD_ANSWER and form.answer_file.data:
                payload["answer_file"] = stored_answer(form.answer_file.data)
            approval = request_action(case, action, payload, actor=current_user)
        if unit.ok:
            label = action_label(action, case.procedure)
            flash(f"“{label}”已提交负责人审批。" if approval else f"已完成：{label}。", "success")
            return redirect(url_for("cases.detail", case_id=case.id, _anchor="procedure"))
    return render_template("adjudication/step.html", case=case, action=action, form=form,
                           label=action_label(action, case.procedure),
                           needs_approval=STEPS[action].approval, screening=action in SCREENING,
                           conditions=ACCEPTANCE_CONDITIONS, simplified=SIMPLIFIED_CONDITIONS,
                           notice_rule=current_rules()["hearing_notice"])


@bp.post("/cases/<int:case_id>/clock-stops")
@require_roles(*CASE_ROLES)
def add_clock_stop(case_id: int):
    case = get_case_or_abort(case_id, can_run_procedure)
    form = forms.ClockStopForm()
    if not form.validate_on_submit():
        flash("；".join(e for errors in form.errors.values() for e in errors), "danger")
    else:
        commit_unit(lambda: record_clock_stop(
            case, kind=form.kind.data, started_on=form.started_on.data, ended_on=form.ended_on.data,
            reason=form.reason.data, actor=current_user) and "已记录期限中止，结案期限已顺延。")
    return redirect(url_for("cases.detail", case_id=case.id, _anchor="procedure"))


@bp.post("/cases/<int:case_id>/clock-stops/<int:stop_id>/end")
@require_roles(*CASE_ROLES)
def end_stop(case_id: int, stop_id: int):
    case = get_case_or_abort(case_id, can_run_procedure)
    stop = db.session.get(ClockStop, stop_id)
    if stop is None or stop.case_id != case.id:
        abort(404)
    ended = parsed_or_none(iso_date)(request.form.get("ended_on"))
    if ended is None:
        flash(f"请输入有效的结束日期（{YEAR_MIN}年至{YEAR_MAX}年之间）", "danger")
    else:
        commit_unit(lambda: end_clock_stop(case, stop, ended, actor=current_user) or "期限恢复计算。")
    return redirect(url_for("cases.detail", case_id=case.id, _anchor="procedure"))


# --- approvals -----------------------------------------------------------------

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
    from casesys.documents.models import Document
    from casesys.documents.types import DOC_TYPES

    documents_stmt = (sa.select(Document).join(Case, Document.case_id == Case.id)
                      .where(Document.status == "pending").order_by(Document.updated_at)
                      .options(selectinload(Document.case)))
    if not current_user.province_wide:
        documents_stmt = documents_stmt.where(Case.office_id == current_user.office_id)
    return render_template("adjudication/approvals.html", pending=pending, recent=recent,
                           form=forms.ApprovalDecisionForm(), Action=Action, today=clock.today(),
                           documents=db.session.scalars(documents_stmt).all(), doc_types=DOC_TYPES)


@bp.post("/approvals/<int:approval_id>/withdraw")
@require_roles(*CASE_ROLES)
def withdraw_approval(approval_id: int):
    """The requester takes a request back before it is decided."""
    from casesys.adjudication.services import withdraw_request

    approval = db.session.get(Approval, approval_id)
    if approval is None:
        abort(404)
    get_case_or_abort(approval.case_id)
    commit_unit(lambda: withdraw_request(approval, actor=current_user) or "已撤回申请。")
    return redirect(url_for("cases.detail", case_id=approval.case_id, _anchor="procedure"))


@bp.post("/approvals/<int:approval_id>/<decision>")
@require_roles(Role.SUPERVISOR)
def decide_approval(approval_id: int, decision: str):
    approval = db.session.get(Approval, approval_id)
    if approval is None or decision not in ("approve", "return"):
        abort(404)
    if not can_approve(current_user, approval.case):
        abort(403)
    form = forms.ApprovalDecisionForm()
    if form.validate_on_submit():
        def decide():
            if decision == "approve":
                approve(approval, actor=current_user, comment=form.comment.data)
            else:
                send_back(approval, actor=current_user, comment=form.comment.data)
            verb = "已批准" if decision == "approve" else "已退回"
            return f"{verb}：{approval.case.number} {Action(approval.action).label}"

        commit_unit(decide)
    return redirect(url_for("adjudication.approvals"))


# --- to-do, workload -------------------------------------------------------------

TODO_PAGE_SIZE = 50


@bp.get("/todo")
@require_roles(*CASE_ROLES)
def todo():
    page = max(1, request.args.get("page", 1, type=db_int) or 1)
    today = clock.today()
    if fmt := export_format():
        return export_list("todo", fmt)
    items, counts = todo_items(current_user, page=page, per_page=TODO_PAGE_SIZE, today=today)
    from casesys.referrals.queries import referral_todo  # SPEC §6, §10: referral limits on the same list

    return render_template("adjudication/todo.html", items=items, counts=counts, total=counts.total, page=page,
                           per_page=TODO_PAGE_SIZE, reminders=unread_reminders(current_user), today=today,
                           referral_items=referral_todo(current_user, today))


@bp.post("/todo/reminders/read")
@require_roles(*CASE_ROLES)
def read_reminders():
    from casesys.adjudication.reminders import mark_read

    with unit_of_work():
        mark_read(current_user)
    return redirect(url_for("adjudication.todo"))


@bp.route("/workload", methods=["GET", "POST"])
@require_roles(Role.SUPERVISOR)
def workload():
    office_id = current_user.office_id
    handlers = db.session.scalars(sa.select(User).where(User.office_id == office_id, User.active.is_(True))
                                  .order_by(User.full_name)).all()
    form = forms.AssignForm()
    form.handler_id.choices = [(u.id, u.full_name) for u in handlers if u.has_role(Role.OFFICER, Role.MEDIATOR, Role.SUPERVISOR)]
    selected_handler = request.args.get("handler", type=db_int)
    if form.validate_on_submit():
        from casesys.adjudication.worklists import reassign_cases

        with unit_of_work(form) as unit:
            moved = reassign_cases(ids(request.form.getlist("case_ids")),
                                   db.session.get(User, form.handler_id.data), office_id=office_id, actor=current_user)
        if unit.ok:
            flash(f"已将 {moved} 件案件改由 {db.session.get(User, form.handler_id.data).full_name} 承办。", "success")
            return redirect(url_for("adjudication.workload", handler=selected_handler))
    if fmt := export_format():
        return export_workload(workload_rows(office_id, clock.today()), fmt)
    open_cases = []
    if selected_handler:
        open_cases = db.session.scalars(
            sa.select(Case).where(Case.office_id == office_id, Case.handler_id == selected_handler,
                                  Case.state.in_(OPEN_STATES)).order_by(Case.received_on).limit(500)).all()
    return render_template("adjudication/workload.html", rows=workload_rows(office_id, clock.today()),
                           form=form, open_cases=open_cases, selected_handler=selected_handler,
                           today=clock.today())


# --- calculator ----------------------------------------------------------------------

@bp.get("/calendar/calculator")
@login_required
def calculator():
    form = forms.CalculatorForm(request.args, meta={"csrf": False})
    due = None
    if request.args and form.validate():
        due = current_calendar().add(form.start.data, form.amount.data, Unit(form.unit.data),
                                     stopped_days=form.stopped_days.data or 0)
        if not in_date_range(due.date):
            form.amount.errors.append(f"计算结果 {due.date} 超出日历范围（{YEAR_MIN}年至{YEAR_MAX}年），请缩短期间")
            due = None
    return render_template("adjudication/calculator.html", form=form, due=due), 400 if form.errors else 200


def procedure_context(case: Case) -> dict:
    """What the case page shows of the procedure."""
    facts = case_facts(case)
    actions = [a for a in available_actions(facts) if a != Action.REJECT]  # refusal sits on the screening page
    routine = [a for a in actions if a in ROUTINE]
    step = next_step(case, routine, facts)
    if step and step.get("action") in routine:  # the next step's button comes first
        routine.remove(step["action"])
        routine.insert(0, step["action"])
    return {
        "actions": routine,
        "other_actions": [a for a in actions if a not in ROUTINE],
        "pending": pending_approval(case), "stop_kinds": STOP_KINDS,
        "stop_form": forms.ClockStopForm(), "Procedure": Procedure, "today": clock.today(),
        "next_step": step,
        "label": lambda action: action_label(action, case.procedure),
    }


#: The deadline that governs each routine step (SPEC §3 time limits).
STEP_DEADLINES = {
    Action.ACCEPT: "acceptance", Action.SERVE: "service", Action.RECORD_ANSWER: "answer",
    Action.FORWARD_ANSWER: "forward_answer", Action.SCHEDULE_HEARING: "closing", Action.HOLD_HEARING: "closing",
    Action.DELIBERATE: "closing", Action.DECIDE: "closing", Action.SET_PANEL: "closing",
}


def next_step(case: Case, routine: list[Action], facts) -> dict | None:
    """「下一步：送达请求书副本，2026-12-07 前」: the first routine step and the
    deadline it must meet; while a hearing is ahead, the hearing itself."""
    if case.state.value == "suspended":
        return {"text": "案件中止审理，审理期限暂停计算；中止原因消除后恢复审理。", "due": None}
    if facts.next_hearing_on and facts.today and facts.today < facts.next_hearing_on:
        upcoming = min((h for h in case.hearings if not h.held), key=lambda h: h.scheduled_at)
        return {"text": f"口头审理，{upcoming.scheduled_at:%Y-%m-%d %H:%M}，{upcoming.place}", "due": None}
    done = {d.kind for d in case.deadlines if d.met_on}
    # a step whose deadline is met has been taken (the answer forwarded, say)
    pending = [a for a in routine if STEP_DEADLINES.get(a) not in done or STEP_DEADLINES.get(a) == "closing"]
    if not pending:
        return None
    action = pending[0]
    deadlines = {d.kind: d for d in case.deadlines if not d.met_on}
    deadline = deadlines.get(STEP_DEADLINES.get(action, ""))
    return {"text": action_label(action, case.procedure), "due": deadline.due_on if deadline else None,
            "paused": bool(deadline and deadline.paused), "action": action}
