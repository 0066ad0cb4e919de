"""Internal pages of publication (SPEC §7): officers ask for a ruling or a
typical case to be published, supervisors approve, send back or withdraw."""
from __future__ import annotations

import sqlalchemy as sa
from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user

from casesys.auth.permissions import CASE_ROLES, can_publish, can_request_publication, require_roles
from casesys.cases.access import get_case_or_abort, visible_cases_clause
from casesys.cases.models import Case
from casesys.core.units import commit_unit
from casesys.documents.models import Document
from casesys.documents.services import find_case_by_number
from casesys.extensions import db
from casesys.forms.public import PublicationDecisionForm, PublishForm, TypicalCaseForm, WithdrawPublicationForm
from casesys.public import manage_bp as bp
from casesys.public.models import Publication
from casesys.public.services import (
    approve_publication,
    request_ruling_publication,
    request_typical_case,
    return_publication,
    withdraw_publication,
)


def _visible(stmt):
    stmt = stmt.join(Case, Publication.case_id == Case.id).where(visible_cases_clause(current_user))
    return stmt


def _index(typical_form: TypicalCaseForm | None = None, status: int = 200):
    publications = db.session.scalars(_visible(sa.select(Publication)).order_by(
        Publication.state != "pending", Publication.id.desc()).limit(200)).all()
    published_documents = sa.select(Publication.document_id).where(
        Publication.document_id.is_not(None), Publication.state.in_(("pending", "published")))
    rulings = db.session.scalars(
        sa.select(Document).join(Case, Document.case_id == Case.id)
        .where(Document.doc_type == "ruling", Document.status == "approved", visible_cases_clause(current_user),
               Document.id.not_in(published_documents))
        .order_by(Document.approved_at.desc()).limit(30)).all()
    return render_template("public/manage.html", publications=publications, rulings=rulings,
                           typical_form=typical_form or TypicalCaseForm(), publish_form=PublishForm(),
                           decision_form=PublicationDecisionForm(), withdraw_form=WithdrawPublicationForm()), status


@bp.get("")
@require_roles(*CASE_ROLES)
def index():
    return _index()


def _publish_now_or_ask(publication: Publication) -> str:
    if can_publish(current_user, publication.case):
        approve_publication(publication, actor=current_user)
        return f"已公开：{publication.title}"
    return "已提请负责人审批公开。"


@bp.post("/rulings/<int:document_id>")
@require_roles(*CASE_ROLES)
def publish_ruling(document_id: int):
    document = db.session.get(Document, document_id)
    if document is None:
        abort(404)
    case = get_case_or_abort(document.case_id)
    if not can_request_publication(current_user, case):
        abort(403)
    if PublishForm().validate_on_submit():
        commit_unit(lambda: _publish_now_or_ask(request_ruling_publication(document, actor=current_user)))
    return redirect(url_for("publishing.index"))


@bp.post("/typical")
@require_roles(*CASE_ROLES)
def publish_typical():
    form = TypicalCaseForm()
    if not form.validate_on_submit():
        return _index(form, 400)
    case = find_case_by_number(form.case_number.data)
    if case is None:
        form.case_number.errors.append("未找到该案号的案件")
        return _index(form, 400)
    get_case_or_abort(case.id)
    if not can_request_publication(current_user, case):
        form.case_number.errors.append("只能选择本机关的案件")
        return _index(form, 400)
    done = commit_unit(lambda: _publish_now_or_ask(request_typical_case(
        case, title=form.title.data, summary=form.summary.data, actor=current_user)))
    if not done:
        return _index(form, 400)
    return redirect(url_for("publishing.index"))


def _publication_or_abort(publication_id: int) -> Publication:
    publication = db.session.get(Publication, publication_id)
    if publication is None:
        abort(404)
    get_case_or_abort(publication.case_id)
    if not can_publish(current_user, publication.case):
        abort(403)
    return publication


@bp.post("/<int:publication_id>/<decision>")
@require_roles(*CASE_ROLES)
def decide(publication_id: int, decision: str):
    if decision not in ("approve", "return", "withdraw"):
        abort(404)
    publication = _publication_or_abort(publication_id)
    if decision == "withdraw":
        form = WithdrawPublicationForm()
        if form.validate_on_submit():
            commit_unit(lambda: withdraw_publication(publication, actor=current_user, reason=form.reason.data)
                        or f"已撤回：{publication.title}")
        else:
            flash("撤回时请说明理由。", "danger")
        return redirect(url_for("publishing.index"))
    form = PublicationDecisionForm()
    if form.validate_on_submit():
        if decision == "approve":
            commit_unit(lambda: approve_publication(publication, actor=current_user) or f"已公开：{publication.title}")
        else:
            commit_unit(lambda: return_publication(publication, actor=current_user, comment=form.comment.data)
                        or "已退回公开申请。")
    return redirect(url_for("publishing.index"))
