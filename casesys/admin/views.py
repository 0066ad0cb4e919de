"""Administration: users, offices, configurable settings (SPEC §1)."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import joinedload, selectinload

from casesys.adjudication.models import CalendarDay, CalendarYear, DeadlineRule
from casesys.admin import bp, services
from casesys.auth.models import Office, User
from casesys.auth.permissions import require_roles
from casesys.auth.services import PasswordRefused, locked_usernames, unlock_account
from casesys.core.inputs import calendar_year
from casesys.core.settings import SETTINGS, get_setting
from casesys.core.units import unit_of_work
from casesys.domain.enums import Role
from casesys.extensions import db
from casesys.forms.admin import OfficeForm, UserForm, settings_form_class
from casesys.mediation.models import MediationOrganisation, Mediator
from casesys.referrals.models import ExchangeRefusal


@bp.get("/users")
@require_roles(Role.ADMIN)
def users():
    rows = db.session.scalars(sa.select(User).options(joinedload(User.office), selectinload(User.role_rows))
                              .order_by(User.office_id, User.username)).all()
    return render_template("admin/users.html", users=rows, locked=locked_usernames())


@bp.route("/users/new", methods=["GET", "POST"], defaults={"user_id": None})
@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@require_roles(Role.ADMIN)
def user_form(user_id: int | None):
    user = db.session.get(User, user_id) if user_id else None
    if user_id and user is None:
        abort(404)
    form = UserForm(obj=user if request.method == "GET" else None)
    form.office_id.choices = [(o.id, o.name) for o in db.session.scalars(sa.select(Office).order_by(Office.id))]
    if request.method == "GET" and user:
        form.roles.data = [r.value for r in user.roles]
    if form.validate_on_submit():
        clash = db.session.scalar(sa.select(User).where(User.username == form.username.data))
        if clash is not None and clash is not user:
            form.username.errors.append("该用户名已被使用")
        elif user is None and not form.password.data:
            form.password.errors.append("新建用户必须设置密码")
        else:
            with unit_of_work(form, at={PasswordRefused: "password"}) as unit:
                saved = services.save_user(
                    user, {key: form[key].data for key in ("username", "full_name", "email", "office_id",
                                                           "province_wide", "active")},
                    roles=form.roles.data, password=form.password.data, actor=current_user)
            if unit.ok:
                flash(f"用户 {saved.username} 已保存。", "success")
                return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user)


@bp.post("/users/<int:user_id>/unlock")
@require_roles(Role.ADMIN)
def unlock_user(user_id: int):
    """解除锁定: failures, maybe others', locked the account (issue 11)."""
    user = db.get_or_404(User, user_id)
    with unit_of_work() as unit:
        unlock_account(user, actor=current_user)
    if unit.ok:
        flash(f"已解除用户 {user.username} 的登录锁定。", "success")
    return redirect(url_for("admin.users"))


@bp.get("/offices")
@require_roles(Role.ADMIN)
def offices():
    rows = db.session.scalars(sa.select(Office).order_by(Office.is_partner, Office.province, Office.id)).all()
    # SPEC §6: messages from other instances refused at the door (signature, sender, replay, size …)
    refusals = db.session.scalars(sa.select(ExchangeRefusal).order_by(ExchangeRefusal.id.desc()).limit(20)).all()
    return render_template("admin/offices.html", offices=rows, refusals=refusals)


@bp.route("/offices/new", methods=["GET", "POST"], defaults={"office_id": None})
@bp.route("/offices/<int:office_id>/edit", methods=["GET", "POST"])
@require_roles(Role.ADMIN)
def office_form(office_id: int | None):
    office = db.session.get(Office, office_id) if office_id else None
    if office_id and office is None:
        abort(404)
    form = OfficeForm(obj=office if request.method == "GET" else None)
    form.entrusted_by_id.choices = [(0, "（无）")] + [
        (o.id, o.name) for o in db.session.scalars(sa.select(Office).where(Office.is_partner.is_(False))
                                                     .order_by(Office.id)) if o is not office]
    if request.method == "GET" and office is not None:
        form.entrusted_by_id.data = office.entrusted_by_id or 0
    if form.validate_on_submit():
        clash = db.session.scalar(sa.select(Office).where(Office.code == form.code.data))
        prefix_clash = db.session.scalar(sa.select(Office).where(Office.case_prefix == form.case_prefix.data))
        if clash is not None and clash is not office:
            form.code.errors.append("该机关代码已被使用")
        elif prefix_clash is not None and prefix_clash is not office:
            # SPEC §2: numbers run per office; a shared prefix would give two cases one number.
            form.case_prefix.errors.append(f"案号简称已由{prefix_clash.name}使用")
        else:
            values = {name: field.data for name, field in form._fields.items() if name != "csrf_token"}
            with unit_of_work(form) as unit:
                office = services.save_office(office, {**values, "entrusted_by_id": values["entrusted_by_id"] or None},
                                              actor=current_user)
            if unit.ok:
                flash(f"{office.name} 已保存。", "success")
                return redirect(url_for("admin.offices"))
    return render_template("admin/office_form.html", form=form, office=office)


@bp.route("/settings", methods=["GET", "POST"])
@require_roles(Role.ADMIN)
def settings():
    form = settings_form_class(SETTINGS)(data={key: get_setting(key) for key in SETTINGS})
    if form.validate_on_submit():
        with unit_of_work(form) as unit:
            services.save_settings({key: form[key].data for key in SETTINGS}, actor=current_user)
        if unit.ok:
            flash("设置已保存。", "success")
            return redirect(url_for("admin.settings"))
    return render_template("admin/settings.html", form=form, settings=SETTINGS)


# --- working-day calendar and deadline rules (SPEC §9, §3) ---------------------

@bp.route("/calendar", methods=["GET", "POST"])
@require_roles(Role.ADMIN)
def calendar():
    from casesys.domain.schedule_input import parse_schedule_lines
    from casesys.forms.adjudication import CalendarYearForm

    form = CalendarYearForm()
    year = request.args.get("year", type=calendar_year)
    if request.method == "GET" and year:
        days = db.session.scalars(sa.select(CalendarDay).where(
            CalendarDay.day.between(date(year, 1, 1), date(year, 12, 31))).order_by(CalendarDay.day)).all()
        form.year.data = year
        form.holidays.data = "\n".join(f"{d.day} {d.name}" for d in days if not d.is_working)
        form.workdays.data = "\n".join(f"{d.day} {d.name}" for d in days if d.is_working)
    if form.validate_on_submit():
        year = form.year.data
        holidays, errors_h = parse_schedule_lines(form.holidays.data, year, "节假日")
        workdays, errors_w = parse_schedule_lines(form.workdays.data, year, "调休上班")
        clash = sorted({d for d, _ in holidays} & {d for d, _ in workdays})
        if clash:
            errors_w.append("以下日期同时列为放假和上班：" + "、".join(d.isoformat() for d in clash))
        form.holidays.errors = list(errors_h)
        form.workdays.errors = list(errors_w)
        if not errors_h and not errors_w:
            with unit_of_work(form) as unit:  # the schedule and the job that recomputes the deadlines, together
                job = services.enter_calendar_year(year, holidays=holidays, workdays=workdays,
                                                   source=form.source.data, actor=current_user)
            if unit.ok:
                flash(f"{year} 年放假安排已保存（放假 {len(holidays)} 天，调休上班 {len(workdays)} 天），"
                      "正在后台重算受影响案件的期限。", "success")
                return redirect(url_for("jobs.detail", job_id=job.id))
    years = db.session.execute(
        sa.select(CalendarYear.year, CalendarYear.source, CalendarYear.entered_at).order_by(CalendarYear.year.desc())
    ).all()
    return render_template("admin/calendar.html", form=form, years=years)


@bp.route("/deadline-rules", methods=["GET", "POST"])
@require_roles(Role.ADMIN)
def deadline_rules():
    from casesys.forms.adjudication import DeadlineRuleForm

    rules = db.session.scalars(sa.select(DeadlineRule).order_by(DeadlineRule.key)).all()
    key = request.form.get("key")
    form = DeadlineRuleForm()
    if key and form.validate_on_submit():
        rule = db.session.get(DeadlineRule, key) or abort(404)
        values = {"amount": form.amount.data, "unit": form.unit.data}
        if form.basis.raw_data:  # issue 9.4: the legal source users see, corrected here
            values["basis"] = form.basis.data
        with unit_of_work(form) as unit:  # the rule and what recomputes the deadlines, together
            outcome = services.change_deadline_rule(rule, values, actor=current_user)
        if unit.ok and isinstance(outcome, int):  # SPEC §6: a referral limit, recomputed at once
            flash(f"“{rule.label}”已改为 {rule.amount} {rule.unit.label}，已重算 {outcome} 项未办结的协作事项的期限。", "success")
            return redirect(url_for("admin.deadline_rules"))
        if unit.ok:
            flash(f"“{rule.label}”已改为 {rule.amount} {rule.unit.label}，正在后台重算在办案件的期限。", "success")
            return redirect(url_for("jobs.detail", job_id=outcome.id))
    return render_template("admin/deadline_rules.html", rules=rules, form=form, failed_key=key)


# --- mediation organisations and mediators (SPEC §5) ---------------------------

@bp.get("/mediation")
@require_roles(Role.ADMIN)
def mediation_organisations():
    organisations = db.session.scalars(sa.select(MediationOrganisation).order_by(MediationOrganisation.kind,
                                                                                  MediationOrganisation.name)).all()
    mediators = db.session.scalars(sa.select(Mediator).order_by(Mediator.name)).all()
    return render_template("admin/mediation.html", organisations=organisations, mediators=mediators)


@bp.route("/mediation/organisations/new", methods=["GET", "POST"], defaults={"organisation_id": None})
@bp.route("/mediation/organisations/<int:organisation_id>/edit", methods=["GET", "POST"])
@require_roles(Role.ADMIN)
def mediation_organisation_form(organisation_id: int | None):
    from casesys.forms.mediation import MediationOrganisationForm

    organisation = db.session.get(MediationOrganisation, organisation_id) if organisation_id else None
    if organisation_id and organisation is None:
        abort(404)
    form = MediationOrganisationForm(obj=organisation if request.method == "GET" else None)
    if form.validate_on_submit():
        clash = db.session.scalar(sa.select(MediationOrganisation).where(MediationOrganisation.name == form.name.data))
        if clash is not None and clash is not organisation:
            form.name.errors.append("已有同名组织")
        else:
            with unit_of_work(form) as unit:
                organisation = services.save_mediation_organisation(organisation, {
                    name: field.data for name, field in form._fields.items() if name != "csrf_token"},
                    actor=current_user)
            if unit.ok:
                flash(f"{organisation.name} 已保存。", "success")
                return redirect(url_for("admin.mediation_organisations"))
    return render_template("admin/simple_form.html", form=form, title="调解组织",
                           back=url_for("admin.mediation_organisations"))


@bp.route("/mediation/mediators/new", methods=["GET", "POST"], defaults={"mediator_id": None})
@bp.route("/mediation/mediators/<int:mediator_id>/edit", methods=["GET", "POST"])
@require_roles(Role.ADMIN)
def mediator_form(mediator_id: int | None):
    from casesys.forms.mediation import MediatorForm

    mediator = db.session.get(Mediator, mediator_id) if mediator_id else None
    if mediator_id and mediator is None:
        abort(404)
    form = MediatorForm(obj=mediator if request.method == "GET" else None)
    form.organisation_id.choices = [(o.id, o.name) for o in db.session.scalars(
        sa.select(MediationOrganisation).order_by(MediationOrganisation.name))]
    form.user_id.choices = [(0, "（无）")] + [(u.id, f"{u.full_name}（{u.username}）") for u in db.session.scalars(
        sa.select(User).options(selectinload(User.role_rows)).order_by(User.username)) if u.has_role(Role.MEDIATOR)]
    if request.method == "GET" and mediator:
        form.user_id.data = mediator.user_id or 0
    if form.validate_on_submit():
        values = {key: form[key].data for key in ("name", "organisation_id", "phone", "declared_relations", "is_active")}
        with unit_of_work(form) as unit:
            mediator = services.save_mediator(mediator, {**values, "user_id": form.user_id.data or None},
                                              actor=current_user)
        if unit.ok:
            flash(f"调解员 {mediator.name} 已保存。", "success")
            return redirect(url_for("admin.mediation_organisations"))
    return render_template("admin/simple_form.html", form=form, title="调解员",
                           back=url_for("admin.mediation_organisations"))
