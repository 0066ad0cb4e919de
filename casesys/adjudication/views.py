"""Procedure pages: the steps of a case, approvals, the to-do list, the
workload view and the deadline calculator."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from casesys.adjudication import bp
from casesys.adjudication.calendars import current_calendar
from casesys.adjudication.models import Approval, ClockStop
from casesys.adjudication.rules import current_rules
from casesys.adjudication.services import (
    answered_on,
    approve,
    end_clock_stop,
    record_clock_stop,
    request_action,
    respondents,
    send_back,
    served_on,
)
from casesys.adjudication.workload import workload_rows
from casesys.auth.models import User
from casesys.auth.permissions import CASE_ROLES, can_approve, can_run_procedure, require_roles
from casesys.auth.services import office_people
from casesys.cases.access import get_case_or_abort
from casesys.cases.models import Case
from casesys.cases.services import store_checked_upload
from casesys.cases.storage import UploadRejected
from casesys.core import clock
from casesys.core.inputs import YEAR_MAX, YEAR_MIN, db_int, ids, in_date_range, iso_date, parsed_or_none
from casesys.core.units import commit_unit, unit_of_work
from casesys.domain.calendar import Unit
from casesys.domain.enums import OPEN_STATES, Role
from casesys.domain.workflow import (
    ACCEPTANCE_CONDITIONS,
    SIMPLIFIED_CONDITIONS,
    STEPS,
    Action,
    action_label,
)
from casesys.exports import Column, export_format, export_response
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


def _action_form(case: Case, action: Action):
    form = ACTION_FORMS.get(action, forms.ActionForm)()
    if action == Action.SET_PANEL:
        choices = office_people(case.office_id, (Role.OFFICER, Role.SUPERVISOR))
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
    # Back to the page of requests the supervisor was working through.
    return redirect(url_for("adjudication.approvals", steps=request.args.get("steps", type=db_int)))


# --- to-do, workload -------------------------------------------------------------

@bp.route("/workload", methods=["GET", "POST"])
@require_roles(Role.SUPERVISOR)
def workload():
    office_id = current_user.office_id
    form = forms.AssignForm()
    form.handler_id.choices = office_people(office_id, CASE_ROLES)
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
        return _export_workload(workload_rows(office_id, clock.today()), fmt)
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


def _export_workload(rows, fmt: str):
    columns = (Column("承办人", width=14), Column("在办案件", "int"), Column("平均天数", "days"),
               Column("最长天数", "int"), Column("逾期期限", "int"))
    return export_response("workload", "承办人工作量", columns,
                           [[r.user.full_name, r.open_cases, round(r.average_age_days, 1), r.oldest_age_days,
                             r.overdue] for r in rows], fmt)
