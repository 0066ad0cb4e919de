"""Mediation pages (SPEC §5): one page per case's mediation, with small
forms for each step; the mediators' dashboard."""
from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from casesys.auth.permissions import CASE_ROLES, can_mediate, require_roles
from casesys.cases.access import get_case_or_abort
from casesys.core import clock
from casesys.core.formsets import blank_row
from casesys.core.inputs import optional_id
from casesys.core.units import commit_unit, unit_of_work
from casesys.domain.enums import Role
from casesys.domain.mediation import Consent, Position, TermKind
from casesys.extensions import db
from casesys.forms import mediation as forms
from casesys.mediation import bp, services
from casesys.mediation.figures import mediation_figures
from casesys.mediation.models import (
    Agreement,
    AgreementTerm,
    Mediation,
    MediationOrganisation,
    MediationSession,
    Mediator,
)
from casesys.mediation.services import MediationError, ProposalData, TermData


def _mediation_or_abort(mediation_id: int) -> Mediation:
    mediation = db.session.get(Mediation, mediation_id)
    if mediation is None:
        abort(404)
    get_case_or_abort(mediation.case_id, can_mediate)
    return mediation


def _back(mediation_or_case_id: int, anchor: str = ""):
    return redirect(url_for("mediation.page", case_id=mediation_or_case_id, _anchor=anchor))


def _run(case_id: int, form, action: Callable[[], str], anchor: str = ""):
    """Validate, run the service, commit, and come back with its message."""
    if not form.validate_on_submit():
        flash("；".join(e for errors in form.errors.values() for e in (errors if isinstance(errors, list) else [str(errors)])), "danger")
        return _back(case_id, anchor)
    commit_unit(action)
    return _back(case_id, anchor)


def _party_choices(mediation: Mediation) -> list[tuple[int, str]]:
    return [(p.party_id, f"{p.party.role_label} {p.party.name}") for p in mediation.parties]


@bp.get("/cases/<int:case_id>/mediation")
@require_roles(*CASE_ROLES)
def page(case_id: int):
    case = get_case_or_abort(case_id)
    mediations = db.session.scalars(sa.select(Mediation).where(Mediation.case_id == case.id).order_by(Mediation.id)).all()
    current = mediations[-1] if mediations else None
    context = {"case": case, "mediations": mediations, "m": current, "start_form": forms.StartMediationForm(),
               "can_mediate": can_mediate(current_user, case), "today": clock.today(), "Consent": Consent}
    if current is not None:
        context.update(_forms(current))
    return render_template("mediation/page.html", **context)


def _forms(mediation: Mediation) -> dict:
    parties = _party_choices(mediation)
    consent = forms.ConsentForm()
    consent.party_id.choices = [(p.party_id, p.party.name) for p in mediation.parties if p.consent == Consent.PENDING]
    assign = forms.AssignMediatorForm()
    assign.mediator_id.choices = [(m.id, f"{m.name}（{m.organisation.name}）") for m in db.session.scalars(
        sa.select(Mediator).where(Mediator.is_active.is_(True)).order_by(Mediator.name))]
    organisation = forms.OrganisationForm()
    organisation.organisation_id.choices = [(o.id, o.name) for o in db.session.scalars(
        sa.select(MediationOrganisation).where(MediationOrganisation.is_active.is_(True)).order_by(MediationOrganisation.name))]
    record = forms.SessionRecordForm()
    record.attended.choices = parties
    extend = forms.ExtendForm()
    extend.consenting.choices = parties
    return {"consent_form": consent, "assign_form": assign, "organisation_form": organisation,
            "session_form": forms.SessionForm(), "service_form": forms.RequestServiceForm(),
            "may_confirm": services.may_seek_confirmation(mediation), "record_form": record, "fail_form": forms.FailForm(),
            "extend_form": extend, "confirmation_form": forms.ConfirmationForm(),
            "result_form": forms.ConfirmationResultForm(), "performance_form": forms.PerformanceForm(),
            "Position": Position, "TermKind": TermKind}


@bp.post("/cases/<int:case_id>/mediation/start")
@require_roles(*CASE_ROLES)
def start(case_id: int):
    case = get_case_or_abort(case_id, can_mediate)
    form = forms.StartMediationForm()
    return _run(case.id, form, lambda: (services.start_mediation(
        case, actor=current_user, court_name=form.court_name.data, court_reference=form.court_reference.data,
        request_served_on=form.request_served_on.data)
        and "已启动调解，正在征询各方意愿。"))


@bp.post("/mediations/<int:mediation_id>/request-service")
@require_roles(*CASE_ROLES)
def request_service(mediation_id: int):
    mediation = _mediation_or_abort(mediation_id)
    form = forms.RequestServiceForm()
    return _run(mediation.case_id, form, lambda: services.record_request_service(
        mediation, form.served_on.data, actor=current_user) or "已登记送达，意愿答复期限已计算。", "consent")


@bp.post("/mediations/<int:mediation_id>/consent")
@require_roles(*CASE_ROLES)
def consent(mediation_id: int):
    mediation = _mediation_or_abort(mediation_id)
    form = forms.ConsentForm()
    form.party_id.choices = _party_choices(mediation)

    def act():
        services.record_consent(mediation, form.party_id.data, Consent(form.consent.data), on=form.on.data,
                                actor=current_user)
        return "已登记调解意愿。"

    return _run(mediation.case_id, form, act, "consent")


@bp.post("/mediations/<int:mediation_id>/mediators")
@require_roles(*CASE_ROLES)
def assign(mediation_id: int):
    mediation = _mediation_or_abort(mediation_id)
    form = forms.AssignMediatorForm()
    form.mediator_id.choices = [(m.id, m.name) for m in db.session.scalars(sa.select(Mediator))]
    return _run(mediation.case_id, form, lambda: (services.assign_mediator(
        mediation, db.session.get(Mediator, form.mediator_id.data), actor=current_user) or "已指派调解员。"), "people")


@bp.post("/mediations/<int:mediation_id>/organisations")
@require_roles(*CASE_ROLES)
def add_organisation(mediation_id: int):
    mediation = _mediation_or_abort(mediation_id)
    form = forms.OrganisationForm()
    form.organisation_id.choices = [(o.id, o.name) for o in db.session.scalars(sa.select(MediationOrganisation))]
    return _run(mediation.case_id, form, lambda: (services.add_organisation(
        mediation, db.session.get(MediationOrganisation, form.organisation_id.data), actor=current_user)
        or "已添加参加调解的组织。"), "people")


@bp.post("/mediations/<int:mediation_id>/sessions")
@require_roles(*CASE_ROLES)
def schedule(mediation_id: int):
    mediation = _mediation_or_abort(mediation_id)
    form = forms.SessionForm()
    return _run(mediation.case_id, form, lambda: (services.schedule_session(
        mediation, scheduled_at=form.scheduled_at.data, place=form.place.data, online_link=form.online_link.data,
        actor=current_user) and "已安排调解会议。"), "sessions")


@bp.post("/mediations/<int:mediation_id>/sessions/<int:session_id>/record")
@require_roles(*CASE_ROLES)
def record(mediation_id: int, session_id: int):
    mediation = _mediation_or_abort(mediation_id)
    session = db.session.get(MediationSession, session_id)
    if session is None or session.mediation_id != mediation.id:
        abort(404)
    form = forms.SessionRecordForm()
    form.attended.choices = _party_choices(mediation)

    def act():
        positions = {}
        for member in mediation.parties:
            value = request.form.get(f"position_{member.party_id}", "")
            if value in Position._value2member_map_:
                positions[member.party_id] = Position(value)
        proposals = [ProposalData(form.proposal.data or "", positions)] if form.proposal.data else []
        services.record_session(session, attended=set(form.attended.data or []), minutes=form.minutes.data,
                                proposals=proposals, actor=current_user)
        return "已记录调解会议。"

    return _run(mediation.case_id, form, act, "sessions")


@bp.route("/mediations/<int:mediation_id>/agreement", methods=["GET", "POST"])
@require_roles(*CASE_ROLES)
def agreement(mediation_id: int):
    mediation = _mediation_or_abort(mediation_id)
    form = forms.AgreementForm()
    choices = _party_choices(mediation)
    for entry in form.terms:
        entry.form.debtor_id.choices = entry.form.creditor_id.choices = choices
    if form.validate_on_submit():
        terms = [TermData(e.form.debtor_id.data, e.form.creditor_id.data, TermKind(e.form.kind.data),
                          getattr(e.form.amount, "parsed", None), e.form.description.data, e.form.due_on.data)
                 for e in form.terms]
        with unit_of_work(form) as unit:
            services.conclude_agreement(mediation, text=form.text.data, partial=form.partial.data, terms=terms,
                                        concluded_on=form.concluded_on.data, actor=current_user)
        if unit.ok:
            flash("调解协议已拟定，请各方及调解员签署。", "success")
            return _back(mediation.case_id, "agreement")
    blank_term = blank_row(form.terms)
    blank_term.form.debtor_id.choices = blank_term.form.creditor_id.choices = choices
    return render_template("mediation/agreement.html", mediation=mediation, case=mediation.case, form=form,
                           blank_term=blank_term)


@bp.post("/agreements/<int:agreement_id>/sign")
@require_roles(*CASE_ROLES)
def sign(agreement_id: int):
    agreement = db.session.get(Agreement, agreement_id) or abort(404)
    mediation = _mediation_or_abort(agreement.mediation_id)
    form = forms.SignForm()

    def act():
        kind, _, ident = (form.signer.data or "").partition(":")
        signer = optional_id(ident)
        if signer is None:
            raise MediationError("请选择签署人")
        services.sign_agreement(agreement, party_id=signer if kind == "party" else None,
                                mediator_id=signer if kind == "mediator" else None, actor=current_user)
        return "已记录签署。" + ("调解协议已生效。" if agreement.effective_on else "")

    return _run(mediation.case_id, form, act, "agreement")


@bp.post("/mediations/<int:mediation_id>/fail")
@require_roles(*CASE_ROLES)
def fail(mediation_id: int):
    mediation = _mediation_or_abort(mediation_id)
    form = forms.FailForm()
    return _run(mediation.case_id, form, lambda: (services.fail_mediation(
        mediation, reason=form.reason.data, actor=current_user) or "已记录调解不成。"))


@bp.post("/mediations/<int:mediation_id>/extend")
@require_roles(*CASE_ROLES)
def extend(mediation_id: int):
    mediation = _mediation_or_abort(mediation_id)
    form = forms.ExtendForm()
    form.consenting.choices = _party_choices(mediation)
    return _run(mediation.case_id, form, lambda: (services.extend_limit(
        mediation, days=form.days.data, consenting=set(form.consenting.data or []), actor=current_user)
        or "调解期限已延长。"))


@bp.post("/agreements/<int:agreement_id>/confirmation")
@require_roles(*CASE_ROLES)
def confirmation(agreement_id: int):
    agreement = db.session.get(Agreement, agreement_id) or abort(404)
    mediation = _mediation_or_abort(agreement.mediation_id)
    form = forms.ConfirmationForm()
    return _run(mediation.case_id, form, lambda: (services.apply_for_confirmation(
        agreement, applied_on=form.applied_on.data, court=form.court.data, actor=current_user)
        or "已登记司法确认申请。"), "agreement")


@bp.post("/agreements/<int:agreement_id>/confirmation-result")
@require_roles(*CASE_ROLES)
def confirmation_result(agreement_id: int):
    agreement = db.session.get(Agreement, agreement_id) or abort(404)
    mediation = _mediation_or_abort(agreement.mediation_id)
    form = forms.ConfirmationResultForm()
    return _run(mediation.case_id, form, lambda: (services.record_confirmation_result(
        agreement, result=form.result.data, on=form.on.data, extended=form.extended.data, actor=current_user)
        or "已登记法院结果。"), "agreement")


@bp.post("/terms/<int:term_id>/performance")
@require_roles(*CASE_ROLES)
def performance(term_id: int):
    term = db.session.get(AgreementTerm, term_id) or abort(404)
    mediation = _mediation_or_abort(term.agreement.mediation_id)
    form = forms.PerformanceForm()
    return _run(mediation.case_id, form, lambda: (services.record_performance(
        term, done_on=form.done_on.data, proof=form.proof.data, actor=current_user) or "已登记履行情况。"), "agreement")


@bp.get("/mediation/dashboard")
@require_roles(Role.MEDIATOR, Role.SUPERVISOR)
def dashboard():
    from casesys.domain.mediation import MediationStatus

    figures = mediation_figures(current_user, clock.today())
    # The chart beside the table, as the dashboard's charts are drawn (static/js/charts.js).
    chart = {"type": "doughnut", "labels": [s.label for s in MediationStatus],
             "series": [{"label": "调解", "data": [figures.by_status[s.value] for s in MediationStatus]}]}
    return render_template("mediation/dashboard.html", figures=figures, chart=chart, today=clock.today())


