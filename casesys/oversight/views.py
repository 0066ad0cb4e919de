"""Oversight pages: the dashboard and monthly report (SPEC §10), the ledger import."""
from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from casesys.auth.models import Office
from casesys.auth.permissions import (
    can_import_ledger,
    can_view_dashboard,
    dashboard_office,
    require_roles,
)
from casesys.casepage.search import CaseFilters
from casesys.core import clock
from casesys.core.fragments import fragment_store, kept_for_epoch
from casesys.core.inputs import db_int
from casesys.core.timefmt import local_datetime
from casesys.core.units import unit_of_work
from casesys.documents.rendering import require_cjk_font, write_pdf
from casesys.domain.enums import Role
from casesys.domain.untrusted import clean_filename
from casesys.exports import (
    Column,
    audit_export,
    export_format,
    export_response,
    table_export,
    table_sheet,
)
from casesys.extensions import db
from casesys.forms.oversight import (
    DashboardFilterForm,
    LedgerUploadForm,
    MonthlyReportForm,
    ledger_mapping_form,
    mapping_of,
)
from casesys.jobs import enqueue
from casesys.jobs.models import Job
from casesys.oversight import bp
from casesys.oversight.ledger import FIELDS, LedgerRefused, iter_template_rows, read_headers, suggest_mapping
from casesys.oversight.services import (
    fresh_figures,
    get_figures,
    ledger_path,
    remember_mapping,
    remembered_mapping,
    store_ledger,
)


def _offices() -> tuple[tuple[int, str], ...]:
    """The province's own offices (the filters' choices): offices raise the display epoch."""
    return kept_for_epoch("local_offices", lambda: tuple(
        (office.id, office.name) for office in db.session.execute(
            sa.select(Office.id, Office.name).where(Office.is_partner.is_(False)).order_by(Office.id))))


def period_presets(today: date) -> dict[str, tuple[date | None, date | None]]:
    year_ago = date(today.year - 1, today.month, 1) if today.month < 12 else date(today.year, 1, 1)
    return {"本月": (today.replace(day=1), today), "本年": (date(today.year, 1, 1), today),
            "近12个月": (year_ago, today), "全部": (None, None)}


def dashboard_filters(args) -> tuple[DashboardFilterForm, CaseFilters]:
    """The dashboard's form and the case-list filters of its scope: the
    period (received between) and the office the user may see."""
    form = DashboardFilterForm(args)
    form.office_id.choices = [("", "全省")] + list(_offices())
    form.validate()
    today = clock.today()
    if not args.get("date_from") and not args.get("date_to") and "period" not in args:
        form.date_from.data, form.date_to.data = period_presets(today)["近12个月"]
    date_from = None if form.date_from.errors else form.date_from.data
    date_to = None if form.date_to.errors else form.date_to.data
    if date_from and date_to and date_to < date_from:
        date_to = None
    office_id = dashboard_office(current_user, None if form.office_id.errors else form.office_id.data)
    return form, CaseFilters(office_id=office_id, date_from=date_from, date_to=date_to)


def rendered_tables(snapshot, scope: CaseFilters) -> Markup:
    """The tables' HTML depends only on the snapshot (its key holds the scope):
    rendered once per snapshot and worker (casesys.core.fragments), as ~400
    drill-down links cost more than reading the figures."""
    key = ("dashboard", snapshot.key, snapshot.computed_at)
    store = fragment_store("pages")
    html = store.get(key) if store else None
    if html is None:
        scope_args = scope.as_args()
        export_args = scope_args if scope.date_from or scope.date_to else {**scope_args, "period": "all"}
        html = render_template("oversight/_tables.html", snapshot=snapshot, scope_args=scope_args,
                               export_args=export_args)
        if store:
            store.put(key, html)
    return Markup(html)


@bp.get("/dashboard")
@require_roles(Role.SUPERVISOR)
def dashboard():
    if not can_view_dashboard(current_user):
        abort(403)
    form, scope = dashboard_filters(request.args)
    snapshot = fresh_figures(scope)
    if snapshot is None:
        with unit_of_work():  # the figures, kept for the next pages
            snapshot = get_figures(current_user, scope)
    if fmt := export_format():
        table = snapshot.table(request.args.get("table", ""))
        if table is None:
            abort(404)
        return table_export(table, fmt)
    office_name = (db.session.get(Office, scope.office_id).name if scope.office_id else "全省")
    return render_template("oversight/dashboard.html", form=form, scope=scope, snapshot=snapshot,
                           tables=rendered_tables(snapshot, scope), office_name=office_name,
                           presets=period_presets(clock.today()), months=report_months(clock.today()))


@bp.post("/dashboard/refresh")
@require_roles(Role.SUPERVISOR)
def refresh_dashboard():
    """Recompute the figures now (a supervisor's button; CSRF-checked)."""
    form, scope = dashboard_filters(request.form)
    with unit_of_work():
        get_figures(current_user, scope, refresh=True)
    args = {k: v for k, v in request.form.items() if k in ("date_from", "date_to", "office_id", "period") and v}
    return redirect(url_for("oversight.dashboard", **args))


# --- monthly report ------------------------------------------------------------------------

REPORT_TABLES = ("by_state", "procedure_share", "closing", "days_to_close", "mediation", "overdue",
                 "repeat_respondents", "enterprise_types", "offices", "referrals")


def report_months(today: date) -> list[str]:
    months, year, month = [], today.year, today.month
    for _ in range(24):
        months.append(f"{year}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months


@bp.get("/dashboard/report")
@require_roles(Role.SUPERVISOR)
def monthly_report():
    """The figures of one month and office as PDF (the documents' layout) or XLSX."""
    form = MonthlyReportForm(request.args)
    form.month.choices = [(m, m) for m in report_months(clock.today())]
    form.office_id.choices = [("", "全省")] + list(_offices())
    fmt = request.args.get("format")
    if not form.validate() or fmt not in ("pdf", "xlsx"):
        flash("请选择月份和格式（PDF 或 XLSX）。", "danger")
        return redirect(url_for("oversight.dashboard"))
    first = date.fromisoformat(form.month.data + "-01")
    last = min((first + timedelta(days=32)).replace(day=1) - timedelta(days=1), clock.today())
    scope = CaseFilters(office_id=dashboard_office(current_user, form.office_id.data), date_from=first, date_to=last)
    with unit_of_work() as unit:
        snapshot = get_figures(current_user, scope)
    if not unit.ok:
        return redirect(url_for("oversight.dashboard"))
    tables = [snapshot.table(key) for key in REPORT_TABLES]
    office = db.session.get(Office, scope.office_id) if scope.office_id else current_user.office
    title = f"{first.year}年{first.month}月专利纠纷案件办理情况"
    if fmt == "xlsx":
        first_sheet, *others = [table_sheet(t) for t in tables]
        return export_response(f"report-{form.month.data}", title, first_sheet[1], first_sheet[2], "xlsx",
                               more_sheets=others, sheet_title=first_sheet[0])
    closing = snapshot.table("closing")["rows"][-1]
    share = snapshot.table("procedure_share")["rows"][-1][1]["v"]
    summary = []
    if closing[3]["v"] is not None:
        summary.append(f"审理期限届满处理的行政裁决案件中，按期结案率 {closing[3]['v'] * 100:.1f}%。")
    if share is not None:
        summary.append(f"简易程序适用率 {share * 100:.1f}%。")
    with unit_of_work() as unit:
        pdf = write_pdf(render_template(
            "pdf/monthly_report.html", title="专利纠纷案件办理情况月报", number=f"{first.year}年第{first.month}期",
            office=office, font=require_cjk_font(), draft=False, figures=snapshot.figures, tables=tables,
            summary=summary, scope_name="全省" if not scope.office_id else office.name,
            period_text=f"{first.year}年{first.month}月", computed_at=local_datetime(snapshot.computed_at),
            issued=f"{clock.today().year}年{clock.today().month}月{clock.today().day}日"))
        audit_export(title, "pdf")
    if not unit.ok:
        return redirect(url_for("oversight.dashboard"))
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"attachment; filename=\"report-{form.month.data}.pdf\""
    return response


# --- ledger import (台账) ---------------------------------------------------------------

def _import_allowed() -> None:
    if not can_import_ledger(current_user):
        abort(403)


@bp.route("/admin/import", methods=["GET", "POST"])
@require_roles(Role.ADMIN)
def ledger_upload():
    _import_allowed()
    form = LedgerUploadForm()
    form.office_id.choices = list(_offices())
    if request.method == "GET":
        form.office_id.data = current_user.office_id
    if form.validate_on_submit():
        try:
            sha = store_ledger(form.file.data.stream)
            headers = read_headers(ledger_path(sha))
        except LedgerRefused as refused:
            form.file.errors.append(str(refused))
        else:
            if not any(headers):
                form.file.errors.append("第一行应为列标题，但它是空的。")
            else:
                return redirect(url_for("oversight.ledger_mapping", sha256=sha, office_id=form.office_id.data,
                                        filename=clean_filename(form.file.data.filename, "台账.xlsx")))
    jobs = _recent_import_jobs()
    return render_template("oversight/import.html", form=form, jobs=jobs), 400 if form.errors else 200


def _recent_import_jobs():
    from casesys.oversight.jobs import CHECK, IMPORT

    return db.session.scalars(sa.select(Job).where(Job.kind.in_([CHECK, IMPORT]))
                              .order_by(Job.id.desc()).limit(20)).all()


@bp.route("/admin/import/<sha256>", methods=["GET", "POST"])
@require_roles(Role.ADMIN)
def ledger_mapping(sha256: str):
    """Map the file's headers to case fields, then dry-run or import (each a job)."""
    from casesys.oversight.jobs import CHECK, IMPORT

    _import_allowed()
    try:
        headers = read_headers(ledger_path(sha256))
    except (FileNotFoundError, LedgerRefused):
        abort(404)
    source = request.form if request.method == "POST" else request.args
    office = db.session.get(Office, source.get("office_id", type=db_int) or current_user.office_id)
    if office is None or office.is_partner:
        abort(404)
    form = ledger_mapping_form(headers, FIELDS, suggest_mapping(headers, remembered_mapping(office.id)),
                               formdata=request.form if request.method == "POST" else None)
    form.office_id.data, form.filename.data = office.id, clean_filename(source.get("filename"), "台账.xlsx")
    if form.validate_on_submit():
        mapping = mapping_of(form, FIELDS)
        kind = IMPORT if request.form.get("run") == "import" else CHECK
        with unit_of_work(form) as unit:
            remember_mapping(office.id, mapping, actor=current_user)
            job = enqueue(kind, {"sha256": sha256, "mapping": mapping, "office_id": office.id,
                                 "filename": form.filename.data}, requested_by=current_user.id)
        if unit.ok:
            return redirect(url_for("oversight.ledger_job", job_id=job.id))
    return render_template("oversight/import_mapping.html", form=form, office=office, headers=headers,
                           fields=FIELDS, sha256=sha256)


@bp.get("/admin/import/jobs/<int:job_id>")
@require_roles(Role.ADMIN)
def ledger_job(job_id: int):
    from casesys.oversight.jobs import CHECK, IMPORT

    _import_allowed()
    job = db.session.get(Job, job_id)
    if job is None or job.kind not in (CHECK, IMPORT):
        abort(404)
    office = db.session.get(Office, job.payload["office_id"])
    return render_template("oversight/import_job.html", job=job, office=office, is_check=job.kind == CHECK,
                           result=job.result or {})


@bp.get("/admin/import/template.xlsx")
@require_roles(Role.ADMIN)
def ledger_template():
    """The ledger's columns with one example row (dates as dates)."""
    _import_allowed()
    rows = iter_template_rows()
    headers = next(rows)
    columns = [Column(h, "date" if f.kind == "date" else "text", 20 if f.kind != "text" else 30)
               for h, f in zip(headers, FIELDS)]
    return export_response("ledger-template", "台账导入模板", columns, rows, "xlsx")
