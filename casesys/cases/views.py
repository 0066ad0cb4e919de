"""Case register pages: register, edit, parties, evidence (the list and the
case page, which show every feature's part, are casesys.casepage)."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from casesys.auth.models import User
from casesys.auth.permissions import CASE_ROLES, can_edit_case, can_register, require_roles
from casesys.auth.services import office_people
from casesys.cases import bp
from casesys.cases.access import get_case_or_abort
from casesys.cases.audit_view import describe_audit
from casesys.cases.models import Case, Evidence, Party
from casesys.cases.services import (
    ConcurrentEdit,
    EvidenceData,
    PartyData,
    PatentData,
    add_party,
    party_warnings,
    possible_duplicates,
    record_cross_examination,
    register_case,
    update_case,
    update_party,
    upload_limit,
)
from casesys.cases.storage import UploadRejected, check_upload, path_for, save_upload
from casesys.core.models import AuditLog
from casesys.core.security_headers import served_inline
from casesys.core.units import commit_unit, unit_of_work
from casesys.domain.enums import CaseType, PartyRole, party_role_label
from casesys.extensions import db
from casesys.forms.cases import (
    AddPartyForm,
    CrossExaminationForm,
    EditCaseForm,
    EditPartyForm,
    RegisterCaseForm,
    RegisterMediationForm,
)

REGISTER_FORMS = {CaseType.ADJUDICATION: RegisterCaseForm, CaseType.MEDIATION: RegisterMediationForm}


def _party_rows(form) -> list[PartyData]:
    rows = []
    for role, field in ((PartyRole.REQUESTER, form.requesters), (PartyRole.RESPONDENT, form.respondents),
                        (PartyRole.THIRD_PARTY, form.third_parties)):
        rows += [PartyData(role, e.form.party_values(), e.form.agent_values()) for e in field]
    return rows


def _store_evidence(form) -> list[EvidenceData] | None:
    """Check every upload first, then store them; None if one is refused."""
    checked, refused = [], False
    for sub in (e.form for e in form.evidence if e.form.file.data):
        try:
            checked.append((sub, check_upload(sub.file.data.stream, sub.file.data.filename, upload_limit())))
        except UploadRejected as error:
            sub.file.errors, refused = [str(error)], True
    if refused:
        return None
    return [
        EvidenceData(save_upload(sub.file.data.stream, sub.file.data.filename, content_type),
                     {"kind": sub.kind.data, "description": sub.description.data,
                      "page_count": sub.page_count.data})
        for sub, content_type in checked
    ]


@bp.route("/new/<case_type>", methods=["GET", "POST"])
@require_roles(*CASE_ROLES)
def new(case_type: str):
    if case_type not in CaseType._value2member_map_:
        abort(404)
    case_type = CaseType(case_type)
    if not can_register(current_user, case_type):
        abort(403)
    form = REGISTER_FORMS[case_type]()
    duplicates = []
    if form.validate_on_submit():
        if not request.form.get("confirm_duplicate"):
            duplicates = possible_duplicates(case_type, _party_rows(form), [e.form.number.data for e in form.patents])
        evidence = None if duplicates else _store_evidence(form)
        if evidence is not None:
            with unit_of_work(form) as unit:
                case = register_case(
                    case_type=case_type, office=current_user.office, actor=current_user,
                    received_on=form.received_on.data, fields=form.case_values(),
                    parties=_party_rows(form),
                    patents=[PatentData(e.form.number.data, e.form.claims.data, e.form.patent_values())
                             for e in form.patents],
                    evidence=evidence,
                )
            if unit.ok:
                flash(f"已登记，案号 {case.number}", "success")
                return redirect(url_for("cases.detail", case_id=case.id))
    if form.is_submitted() and form.errors:
        flash("表单中有需要更正的内容，请查看标红的字段。", "danger")
    return render_template("cases/new.html", form=form, case_type=case_type, duplicates=duplicates)


def _handler_choices(case: Case) -> list[tuple[int, str]]:
    return office_people(case.office_id, CASE_ROLES)


@bp.route("/<int:case_id>/edit", methods=["GET", "POST"])
@require_roles(*CASE_ROLES)
def edit(case_id: int):
    case = get_case_or_abort(case_id, can_edit_case)
    form = EditCaseForm(obj=case if request.method == "GET" else None)
    form.handler_id.choices = _handler_choices(case)
    if request.method == "GET":
        form.infringing_acts.data = [a.value for a in case.acts]
        form.handler_id.data = case.handler_id
        form.version.data = case.version
    if form.validate_on_submit():
        with unit_of_work(form, stale=ConcurrentEdit.message) as unit:
            update_case(case, expected_version=form.version.data, fields=form.case_values(),
                        handler=db.session.get(User, form.handler_id.data), actor=current_user)
        if unit.ok:
            flash("已保存。", "success")
            return redirect(url_for("cases.detail", case_id=case.id))
    return render_template("cases/edit.html", case=case, form=form), 400 if form.errors else 200


@bp.route("/<int:case_id>/parties/<int:party_id>/edit", methods=["GET", "POST"])
@require_roles(*CASE_ROLES)
def edit_party(case_id: int, party_id: int):
    case = get_case_or_abort(case_id, can_edit_case)
    party = db.session.get(Party, party_id)
    if party is None or party.case_id != case.id:
        abort(404)
    form = EditPartyForm(obj=party if request.method == "GET" else None)
    form.code_required = party.role == PartyRole.REQUESTER
    if request.method == "GET":
        form.version.data = case.version
    if form.validate_on_submit() and _save_party(case, lambda: update_party(
            party, expected_version=form.version.data, values=form.party_values(),
            agents=form.agents_values(), actor=current_user)):
        flash("当事人信息已保存。", "success")
        return redirect(url_for("cases.detail", case_id=case.id))
    return render_template("cases/edit_party.html", case=case, party=party, form=form), 400 if form.errors else 200


@bp.route("/<int:case_id>/parties/new", methods=["GET", "POST"])
@require_roles(*CASE_ROLES)
def add_party_page(case_id: int):
    """SPEC §2: a party or 第三人 joined after registration."""
    case = get_case_or_abort(case_id, can_edit_case)
    form = AddPartyForm()
    form.role.choices = [(r.value, party_role_label(r, case.case_type)) for r in
                         (PartyRole.THIRD_PARTY, PartyRole.RESPONDENT, PartyRole.REQUESTER)]
    form.code_required = form.role.data == PartyRole.REQUESTER.value
    if request.method == "GET":
        form.version.data = case.version
    if form.validate_on_submit():
        role = PartyRole(form.role.data)
        if _save_party(case, lambda: add_party(
                case, PartyData(role, form.party_values()), expected_version=form.version.data,
                agents=form.agents_values(), actor=current_user)):
            flash(f"已追加{party_role_label(role, case.case_type)}。", "success")
            return redirect(url_for("cases.detail", case_id=case.id))
    return render_template("cases/edit_party.html", case=case, party=None, form=form), 400 if form.errors else 200


def _save_party(case: Case, change) -> bool:
    """Run a party change as one unit of work; warn when a mediator of the
    open mediation must now withdraw (回避) because of it."""
    with unit_of_work(stale=ConcurrentEdit.message) as unit:
        change()
        warnings = [w for answer in party_warnings(case) for w in answer]
    if not unit.ok:
        return False
    for warning in warnings:
        flash(warning, "warning")
    return True


@bp.post("/<int:case_id>/evidence/<int:evidence_id>/cross-examination")
@require_roles(*CASE_ROLES)
def cross_examination(case_id: int, evidence_id: int):
    """SPEC §2: the other side's opinion on a piece of evidence (质证意见)."""
    case = get_case_or_abort(case_id, can_edit_case)
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None or evidence.case_id != case.id:
        abort(404)
    form = CrossExaminationForm()
    if form.validate_on_submit():
        commit_unit(lambda: record_cross_examination(evidence, form.opinion.data, actor=current_user)
                    or "质证意见已保存。")
    else:
        flash("；".join(e for errors in form.errors.values() for e in errors), "danger")
    return redirect(url_for("cases.detail", case_id=case.id, _anchor="evidence"))


@bp.get("/<int:case_id>/evidence/<int:evidence_id>")
@require_roles(*CASE_ROLES)
def evidence_file(case_id: int, evidence_id: int):
    case = get_case_or_abort(case_id)
    evidence = db.session.get(Evidence, evidence_id)
    if evidence is None or evidence.case_id != case.id or not evidence.sha256:
        abort(404)
    path = path_for(evidence.sha256)
    if not path.exists():
        abort(404)
    return send_file(path, mimetype=evidence.content_type, download_name=evidence.filename,
                     as_attachment=not served_inline(evidence.content_type))


@bp.get("/<int:case_id>/audit")
@require_roles(*CASE_ROLES)
def audit(case_id: int):
    case = get_case_or_abort(case_id)
    rows = db.session.scalars(
        sa.select(AuditLog).where(AuditLog.case_id == case.id).order_by(AuditLog.at.desc(), AuditLog.id.desc())
    ).all()
    return render_template("cases/audit.html", case=case, entries=describe_audit(rows, case.procedure))
