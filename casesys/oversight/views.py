"""Oversight pages: the dashboard (SPEC §10)."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from casesys.auth.models import Office
from casesys.auth.permissions import can_view_dashboard, dashboard_office, require_roles
from casesys.cases.search import CaseFilters
from casesys.core import clock
from casesys.domain.enums import Role
from casesys.extensions import db
from casesys.forms.oversight import DashboardFilterForm
from casesys.oversight import bp
from casesys.oversight.exports import export_format, table_export
from casesys.oversight.services import get_figures


def _offices() -> list[tuple[int, str]]:
    return db.session.execute(sa.select(Office.id, Office.name).where(Office.is_partner.is_(False))
                              .order_by(Office.id)).all()


def period_presets(today: date) -> dict[str, tuple[date | None, date | None]]:
    year_ago = date(today.year - 1, today.month, 1) if today.month < 12 else date(today.year, 1, 1)
    return {"本月": (today.replace(day=1), today), "本年": (date(today.year, 1, 1), today),
            "近12个月": (year_ago, today), "全部": (None, None)}


def dashboard_filters(args) -> tuple[DashboardFilterForm, CaseFilters]:
    """The dashboard's form and the case-list filters of its scope: the
    period (received between) and the office the user may see."""
    form = DashboardFilterForm(args)
    form.office_id.choices = [("", "全省")] + [(o.id, o.name) for o in _offices()]
    form.validate()
    today = clock.today()
    if not args.get("date_from") and not args.get("date_to") and "period" not in args:
        form.date_from.data, form.date_to.data = period_presets(today)["近12个月"]
    date_from = None if form.date_from.errors else form.date_from.data
    date_to = None if form.date_to.errors else form.date_to.data
    if date_from and date_to and date_to < date_from:
        date_to = None
    office_id = dashboard_office(current_user, form.office_id.data)
    return form, CaseFilters(office_id=office_id, date_from=date_from, date_to=date_to)


@bp.get("/dashboard")
@require_roles(Role.SUPERVISOR)
def dashboard():
    if not can_view_dashboard(current_user):
        abort(403)
    form, scope = dashboard_filters(request.args)
    snapshot = get_figures(current_user, scope)
    db.session.commit()
    if fmt := export_format():
        table = snapshot.table(request.args.get("table", ""))
        if table is None:
            abort(404)
        return table_export(table, fmt)
    office_name = (db.session.get(Office, scope.office_id).name if scope.office_id else "全省")
    return render_template("oversight/dashboard.html", form=form, scope=scope, snapshot=snapshot,
                           scope_args=scope.as_args(), office_name=office_name,
                           presets=period_presets(clock.today()))


@bp.post("/dashboard/refresh")
@require_roles(Role.SUPERVISOR)
def refresh_dashboard():
    """Recompute the figures now (a supervisor's button; CSRF-checked)."""
    form, scope = dashboard_filters(request.form)
    get_figures(current_user, scope, refresh=True)
    db.session.commit()
    args = {k: v for k, v in request.form.items() if k in ("date_from", "date_to", "office_id", "period") and v}
    return redirect(url_for("oversight.dashboard", **args))
