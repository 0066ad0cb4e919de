"""Credit record pages (SPEC §7): the register of records, one record with
its steps, a party's page, and what the case page shows."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from casesys.auth.permissions import (
    CASE_ROLES,
    can_handle_credit,
    can_review_credit,
    can_run_procedure,
    can_view_case,
    require_roles,
)
from casesys.cases.access import get_case_or_abort, visible_cases_clause
from casesys.cases.models import Case, Evidence, Party
from casesys.core import clock
from casesys.core.settings import get_setting
from casesys.core.units import commit_unit
from casesys.credit import bp
from casesys.credit.models import CreditRecord
from casesys.credit.services import (
    apply_credit_action,
    find_party_code,
    party_cases,
    party_records,
    record_forged_evidence,
    record_ruling_not_performed,
    scan_candidates,
)
from casesys.documents.models import Document
from casesys.domain.credit import CreditAction, CreditState, actions_from, display_state
from casesys.domain.enums import Role
from casesys.extensions import db
from casesys.forms.credit import (
    ConfirmRecordForm,
    ForgedEvidenceForm,
    NonPerformanceForm,
    NotifyRecordForm,
    ObjectionForm,
    ReasonForm,
)
from casesys.forms.fields import PageForm

REVIEW_ACTIONS = {CreditAction.CONFIRM, CreditAction.REJECT, CreditAction.DISMISS_OBJECTION,
                  CreditAction.SUSTAIN_OBJECTION, CreditAction.WITHDRAW}
FORMS = {CreditAction.CONFIRM: ConfirmRecordForm, CreditAction.NOTIFY: NotifyRecordForm,
         CreditAction.OBJECT: ObjectionForm}


@bp.app_template_global()
def credit_state_label(record: CreditRecord) -> str:
    return display_state(record.state, today=clock.today(), objection_due_on=record.objection_due_on,
                         publish_until=record.publish_until)


def _forms(record: CreditRecord) -> dict:
    forms = {}
    for action in actions_from(record.state):
        form = FORMS.get(action, ReasonForm)(prefix=action.value)
        if action == CreditAction.CONFIRM and form.publish_months.data is None:
            form.publish_months.data = int(get_setting("credit_publish_months"))
        if action == CreditAction.NOTIFY:
            form.document_id.choices = [(d.id, f"{d.number}（{d.issued_on}）") for d in db.session.scalars(
                sa.select(Document).where(Document.case_id == record.case_id, Document.doc_type == "credit_notice",
                                          Document.status == "approved").order_by(Document.id.desc()))]
        forms[action] = form
    return forms


def _allowed(action: CreditAction, case: Case) -> bool:
    return (can_review_credit if action in REVIEW_ACTIONS else can_handle_credit)(current_user, case)


@bp.get("/credit")
@require_roles(*CASE_ROLES)
def index():
    state = request.args.get("state", "")
    stmt = (sa.select(CreditRecord).join(Case, CreditRecord.case_id == Case.id)
            .where(visible_cases_clause(current_user)))
    if state in CreditState._value2member_map_:
        stmt = stmt.where(CreditRecord.state == state)
    else:
        state = ""
    records = db.session.scalars(stmt.order_by(CreditRecord.id.desc()).limit(300)).all()
    return render_template("credit/index.html", records=records, state=state, states=CreditState.choices(),
                           scan_form=PageForm())


@bp.post("/credit/scan")
@require_roles(Role.SUPERVISOR)
def scan():
    if PageForm().validate_on_submit():
        commit_unit(lambda: f"已检查，新增 {len(scan_candidates())} 条信用记录候选。")
    return redirect(url_for("credit.index"))


def _record_or_abort(record_id: int) -> CreditRecord:
    record = db.session.get(CreditRecord, record_id)
    if record is None:
        abort(404)
    get_case_or_abort(record.case_id)
    return record


@bp.get("/credit/records/<int:record_id>")
@require_roles(*CASE_ROLES)
def detail(record_id: int):
    record = _record_or_abort(record_id)
    return render_template("credit/detail.html", record=record, forms=_forms(record), allowed=_allowed,
                           Action=CreditAction)


@bp.post("/credit/records/<int:record_id>/<action>")
@require_roles(*CASE_ROLES)
def step(record_id: int, action: str):
    record = _record_or_abort(record_id)
    if action not in CreditAction._value2member_map_:
        abort(404)
    action = CreditAction(action)
    if not _allowed(action, record.case):
        abort(403)
    forms = _forms(record)
    form = forms.get(action) or FORMS.get(action, ReasonForm)(prefix=action.value)
    if not form.validate_on_submit():
        if action in forms:  # the page again, the typed input kept, the message at the field
            flash("请查看表单中的提示。", "danger")
            return render_template("credit/detail.html", record=record, forms=forms, allowed=_allowed,
                                   Action=CreditAction), 400
        flash(f"信用记录当前状态为“{record.state.label}”，不能{action.label}", "danger")
        return redirect(url_for("credit.detail", record_id=record.id))
    payload = {key: field.data for key, field in form._fields.items() if key != "csrf_token"}
    if action == CreditAction.NOTIFY:
        payload["notice"] = db.session.get(Document, form.document_id.data or 0)
    done = commit_unit(lambda: apply_credit_action(record, action, payload, actor=current_user)
                       or f"已{action.label}。")
    if not done and action in forms:
        return render_template("credit/detail.html", record=record, forms=forms, allowed=_allowed,
                               Action=CreditAction), 400
    return redirect(url_for("credit.detail", record_id=record.id))


@bp.get("/credit/parties/<code>")
@require_roles(*CASE_ROLES)
def party(code: str):
    """A party's cases (across offices; links only where the user may look)
    and its credit history (SPEC §7)."""
    found = find_party_code(code)
    if found is None:
        abort(404)
    code = code.strip().upper()
    rows = party_cases(code)
    records = [r for r in party_records(code) if can_view_case(current_user, r.case)]
    return render_template("credit/party.html", code=code, name=found[0], kind=found[1], rows=rows, records=records,
                           can_view=lambda case: can_view_case(current_user, case))


@bp.post("/cases/<int:case_id>/credit/not-performed")
@require_roles(*CASE_ROLES)
def not_performed(case_id: int):
    case = get_case_or_abort(case_id, can_handle_credit)
    form = NonPerformanceForm()
    party = db.session.get(Party, form.party_id.data or 0) if form.validate_on_submit() else None
    if party is None:
        flash("请选择被请求人并记录未停止侵权行为的情况。", "danger")
    else:
        commit_unit(lambda: record_ruling_not_performed(case, party, note=form.note.data, actor=current_user)
                    and "已登记拒不履行，待负责人审核。")
    return redirect(url_for("cases.detail", case_id=case.id, _anchor="credit"))


@bp.post("/cases/<int:case_id>/credit/forged-evidence")
@require_roles(*CASE_ROLES)
def forged(case_id: int):
    """SPEC §7: forged evidence, recorded by the panel (or the handler)."""
    case = get_case_or_abort(case_id, can_run_procedure)
    form = ForgedEvidenceForm()
    evidence = db.session.get(Evidence, form.evidence_id.data or 0) if form.validate_on_submit() else None
    if evidence is None or evidence.case_id != case.id:
        flash("请选择本案的证据并说明认定证据虚假的情况。", "danger")
    else:
        commit_unit(lambda: record_forged_evidence(evidence, note=form.note.data, actor=current_user)
                    and "已登记提供虚假证据，待负责人审核。")
    return redirect(url_for("cases.detail", case_id=case.id, _anchor="credit"))
