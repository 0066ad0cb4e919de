"""The register's list and the case page (SPEC §2): the one place that
puts the features together on a case — its procedure (adjudication), its
mediation, documents, referrals and credit records are shown from here.
Their addresses and endpoint names stay those of the `cases` blueprint."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date

import sqlalchemy as sa
from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from markupsafe import Markup

from casesys.adjudication.models import CaseDeadline
from casesys.adjudication.page import procedure_context
from casesys.auth.models import Office, User
from casesys.auth.permissions import CASE_ROLES, can_edit_case, require_roles
from casesys.auth.services import office_people
from casesys.casepage.cache import case_page_content
from casesys.casepage.search import SORTS, CaseFilters, CaseRow, fill_party_names, filtered_cases, search_cases
from casesys.cases import bp
from casesys.cases.access import get_case_or_abort
from casesys.cases.models import Case, Party
from casesys.cases.services import EvidenceData, add_evidence, store_checked_upload
from casesys.cases.storage import UploadRejected
from casesys.core.database import built_once
from casesys.core.fragments import display_epoch, kept_rows
from casesys.core.units import unit_of_work
from casesys.credit.panel import CasePanel
from casesys.domain.enums import CaseType, PartyRole, case_state_label
from casesys.exports import Column, export_format, export_list, list_export
from casesys.extensions import db
from casesys.forms.cases import EvidenceUploadForm


@bp.get("")
@require_roles(*CASE_ROLES)
def index():
    if fmt := export_format():
        return export_list("cases", fmt)
    filters = CaseFilters.from_args(request.args)
    epoch = display_epoch()  # before the rows: the names joined to them are at least as new
    result = search_cases(current_user, filters, current_app.config["CASES_PER_PAGE"],
                          count_up_to=current_app.config["CASE_LIST_COUNT_UP_TO"])
    rows = kept_rows([("case", row.id, row.revision, epoch, current_user.office_id) for row in result.items],
                     lambda missing: _case_rows([result.items[index] for index in missing]))
    offices = (db.session.execute(sa.select(Office.id, Office.name).where(Office.is_partner.is_(False))
                                  .order_by(Office.id)).all() if current_user.province_wide else [])
    # 承办人 of the filter: people who handle cases (not administrators), former ones too.
    handlers = office_people(current_user.office_id, CASE_ROLES, active_only=False)
    return render_template("cases/index.html", result=result, filters=filters, sorts=SORTS,
                           offices=offices, handlers=handlers, rows=rows)


def _case_rows(items: list[CaseRow]) -> list[str]:
    """The list's rows not kept: their party names and next deadlines read at once."""
    fill_party_names(items)
    deadlines = next_deadlines([row.id for row in items])
    case_row = current_app.jinja_env.get_template("cases/_case_row.html").module.case_row  # type: ignore[attr-defined]
    return [case_row(row, deadlines.get(row.id), current_user.office_id) for row in items]


def next_deadlines(case_ids: list[int]) -> dict[int, tuple]:
    """Each listed case's nearest open deadline of the office (one query for the page)."""
    if not case_ids:
        return {}
    found: dict[int, tuple] = {}
    for case_id, label, due_on, paused in db.session.execute(_next_deadlines_statement(), {"ids": case_ids}):
        found.setdefault(case_id, (label, due_on, paused))
    return found


@built_once
def _next_deadlines_statement() -> sa.Select:
    return (sa.select(CaseDeadline.case_id, CaseDeadline.label, CaseDeadline.due_on, CaseDeadline.paused)
            .where(CaseDeadline.case_id.in_(sa.bindparam("ids", expanding=True)), CaseDeadline.met_on.is_(None),
                   CaseDeadline.owner == "office")
            .order_by(CaseDeadline.case_id, CaseDeadline.due_on))


@bp.get("/<int:case_id>")
@require_roles(*CASE_ROLES)
def detail(case_id: int):
    epoch = display_epoch()  # before the case: what is joined to it is at least as new
    case = get_case_or_abort(case_id)
    return render_template("cases/detail.html", case=case, content=_content(case, epoch))


def _content(case: Case, epoch: int | None, upload_form: EvidenceUploadForm | None = None) -> Markup:
    """The page's content; kept for the next view unless it shows a form's errors (`epoch` None)."""
    def render(seen_elsewhere: dict, repeat: dict) -> str:
        return render_template("cases/_detail_content.html", case=case, upload_form=upload_form or _evidence_form(case),
                               proc=_procedure_context(case), seen_elsewhere=seen_elsewhere,
                               credit=CasePanel(case, repeat=repeat))
    return case_page_content(case, epoch, render)


def _procedure_context(case: Case) -> dict | None:
    return procedure_context(case) if case.case_type == CaseType.ADJUDICATION else None


def _evidence_form(case: Case) -> EvidenceUploadForm:
    form = EvidenceUploadForm()
    form.party_id.choices = [(p.id, f"{p.role_label} {p.name}") for p in case.parties]
    return form


@bp.post("/<int:case_id>/evidence")
@require_roles(*CASE_ROLES)
def upload_evidence(case_id: int):
    case = get_case_or_abort(case_id, can_edit_case)
    form = _evidence_form(case)
    if form.validate_on_submit():
        try:
            stored = store_checked_upload(form.file.data.stream, form.file.data.filename)
        except UploadRejected as error:
            form.file.errors.append(str(error))
        else:
            with unit_of_work(form) as unit:
                add_evidence(case, EvidenceData(stored, {
                    "kind": form.kind.data, "description": form.description.data,
                    "page_count": form.page_count.data, "party_id": form.party_id.data,
                }), actor=current_user)
            if unit.ok:
                flash("证据已上传。", "success")
                return redirect(url_for("cases.detail", case_id=case.id, _anchor="evidence"))
    flash("证据未上传，请查看表单中的提示。", "danger")
    return render_template("cases/detail.html", case=case, content=_content(case, None, form)), 400


# --- the list as a file ---------------------------------------------------------------

CASE_COLUMNS = (
    Column("案号", width=26), Column("案件类型", width=10), Column("程序", width=10), Column("状态", width=12),
    Column("案由", width=48), Column("请求人（申请人）", width=36), Column("被请求人（被申请人）", width=36),
    Column("收案日期", "date", 12), Column("受理日期", "date", 12), Column("结案日期", "date", 12),
    Column("办案机关", width=28), Column("承办人", width=10),
)
CASES_PER_READ = 1000


@list_export("cases", CASE_COLUMNS)
def case_rows(user, args, today: date) -> tuple[str, int, Iterator[list]]:
    """The filtered case list in its order. The ids are read first (one
    column, in the list's order); then each thousand cases with their party
    names. No cursor stays open across the rows, so a job may commit its
    progress between them."""
    filters = CaseFilters.from_args(args)
    ids = list(db.session.scalars(filtered_cases(user, filters, today).with_only_columns(Case.id)
                                  .order_by(*SORTS.get(filters.sort, SORTS["received_desc"])[1])))
    return "案件", len(ids), _case_chunks(ids)


def _case_chunks(ids: list[int]) -> Iterator[list]:
    for start in range(0, len(ids), CASES_PER_READ):
        chunk = ids[start:start + CASES_PER_READ]
        cases = {row[0]: row for row in db.session.execute(
            sa.select(Case.id, Case.number, Case.case_type, Case.procedure, Case.state, Case.title,
                      Case.received_on, Case.accepted_on, Case.closed_on, Office.name, User.full_name)
            .join(Office, Case.office_id == Office.id).outerjoin(User, Case.handler_id == User.id)
            .where(Case.id.in_(chunk)))}
        names: dict[int, tuple[list, list]] = defaultdict(lambda: ([], []))
        for case_id, role, name in db.session.execute(
                sa.select(Party.case_id, Party.role, Party.name)
                .where(Party.case_id.in_(chunk), Party.role.in_((PartyRole.REQUESTER, PartyRole.RESPONDENT)))
                .order_by(Party.case_id, Party.position)):
            names[case_id][0 if role == PartyRole.REQUESTER else 1].append(name)
        for case_id in chunk:
            if case_id not in cases:  # deleted meanwhile (never in practice: cases are not deleted)
                continue
            (_, number, case_type, procedure, state, title, received, accepted, closed, office,
             handler) = cases[case_id]
            requesters, respondents = names[case_id]
            yield [number, case_type.label, procedure.label if procedure else "",
                   case_state_label(state, procedure), title, "、".join(requesters), "、".join(respondents),
                   received, accepted, closed, office, handler or ""]
