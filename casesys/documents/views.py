"""Documents pages: per case list, drafting with preview, approval, frozen
PDFs, service ledger, publication copy, batch printing, verification."""
from __future__ import annotations

from datetime import datetime, time, timedelta

import sqlalchemy as sa
from flask import Response, abort, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy.orm import contains_eager, defer, lazyload, selectinload

from casesys.auth.permissions import (
    CASE_ROLES,
    can_approve,
    can_edit_case,
    can_view_case,
    can_view_print_batch,
    get_or_abort,
    require_roles,
)
from casesys.cases.access import get_case_or_abort
from casesys.cases.models import Case
from casesys.core import clock
from casesys.core.inputs import ids, iso_date
from casesys.core.units import commit_unit, unit_of_work
from casesys.documents import bp
from casesys.documents.batches import batch_file, start_batch
from casesys.documents.models import Document, PrintBatch, ServiceRecord
from casesys.documents.rendering import DocumentError
from casesys.documents.services import (
    SERVICE_METHODS,
    STALE_DOCUMENT,
    addressee_of,
    approve_document,
    correct,
    create_draft,
    doc_type,
    document_pdf,
    last_return,
    publication_pdf,
    record_service,
    return_document,
    service_receipt_pdf,
    submit,
    update_texts,
)
from casesys.documents.types import DOC_TYPES
from casesys.domain.enums import Role
from casesys.extensions import db
from casesys.forms.documents import BatchForm, ReturnForm, ServiceForm, VerifyForm, texts_form_class


def _pdf(data: bytes, filename: str, *, download: bool = False) -> Response:
    disposition = "attachment" if download else "inline"
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{_quote(filename)}"
    return response


def _quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)


def _document_or_abort(document_id: int, predicate=can_view_case) -> Document:
    document = db.session.get(Document, document_id)
    if document is None:
        abort(404)
    get_case_or_abort(document.case_id, predicate)
    return document


@bp.get("/cases/<int:case_id>/documents")
@require_roles(*CASE_ROLES)
def case_documents(case_id: int):
    case = get_case_or_abort(case_id)
    documents = db.session.scalars(sa.select(Document).where(Document.case_id == case.id).order_by(Document.id)).all()
    ready = [(t, t.ready(case)) for t in DOC_TYPES.values()]
    return render_template("documents/case_documents.html", case=case, documents=documents, ready=ready,
                           types=DOC_TYPES)


@bp.post("/cases/<int:case_id>/documents/new/<key>")
@require_roles(*CASE_ROLES)
def new_document(case_id: int, key: str):
    case = get_case_or_abort(case_id, can_edit_case)
    with unit_of_work() as unit:
        document = create_draft(case, key, actor=current_user)
    if not unit.ok:
        return redirect(url_for("documents.case_documents", case_id=case.id))
    return redirect(url_for("documents.detail", document_id=document.id))


@bp.route("/documents/<int:document_id>", methods=["GET", "POST"])
@require_roles(*CASE_ROLES)
def detail(document_id: int):
    """Edit the texts of a draft; 「保存并提交签发」 saves, then submits if no
    required section is empty (else each empty field says what is missing)."""
    document = _document_or_abort(document_id)
    kind = doc_type(document)
    form = texts_form_class(kind.texts, kind.text_limit_setting)(data={**document.texts, "version": document.version}
                                        if request.method == "GET" else None)
    status = 200
    if request.method == "POST":
        if not can_edit_case(current_user, document.case):
            abort(403)
        if form.validate_on_submit():
            submitting = bool(request.form.get("submit_for_signature"))
            with unit_of_work(form, stale=STALE_DOCUMENT) as unit:
                update_texts(document, form.texts(), expected_version=form.version.data, actor=current_user)
            if unit.ok and submitting:  # the texts are kept whatever the submission meets
                form.version.data = document.version
                with unit_of_work(form) as unit:
                    submit(document, actor=current_user)
                if not unit.ok:
                    flash("文书内容已保存。", "info")
                    status = 400  # each empty section says what is missing
            if unit.ok:
                flash("已提交负责人签发。" if submitting else "文书内容已保存。", "success")
                return redirect(url_for("documents.detail", document_id=document.id))
    return render_template("documents/detail.html", document=document, kind=kind, form=form,
                           service_form=_service_form(document), methods=SERVICE_METHODS, return_form=ReturnForm(),
                           returned=last_return(document)), 400 if form.errors else status


def _service_form(document: Document) -> ServiceForm:
    """SPEC §8: served to the document's addressee by default, at the party's address."""
    form = ServiceForm()
    parties = document.case.parties
    form.party_id.choices = [(p.id, f"{p.role_label} {p.name}") for p in parties]
    form.addresses = {str(p.id): p.address for p in parties}
    if not form.is_submitted() and parties:
        addressee = addressee_of(document)
        form.party_id.data = addressee.id if addressee else parties[0].id
        form.address.data = form.addresses[str(form.party_id.data)]
    return form


@bp.get("/documents/<int:document_id>/pdf")
@require_roles(*CASE_ROLES)
def pdf(document_id: int):
    document = _document_or_abort(document_id)
    try:
        data = document_pdf(document)
    except DocumentError as error:
        flash(str(error), "danger")
        return redirect(url_for("documents.detail", document_id=document.id))
    name = f"{doc_type(document).title}-{document.number or '草稿'}.pdf"
    return _pdf(data, name, download=request.args.get("download") == "1")


@bp.post("/documents/<int:document_id>/<step>")
@require_roles(*CASE_ROLES)
def step(document_id: int, step: str):
    document = _document_or_abort(document_id)
    case = document.case
    allowed = {"submit": can_edit_case, "correct": can_edit_case, "approve": can_approve, "return": can_approve}
    if step not in allowed:
        abort(404)
    if not allowed[step](current_user, case):
        abort(403)
    created: list[Document] = []

    def act() -> str:
        if step == "submit":
            submit(document, actor=current_user)
            return "已提交负责人签发。"
        if step == "approve":
            approve_document(document, actor=current_user)
            return f"已签发，文书编号 {document.number}。"
        if step == "return":
            return_document(document, actor=current_user, comment=ReturnForm().comment.data or "")
            return "已退回起草人。"
        created.append(correct(document, actor=current_user))
        return "已创建补正文书草稿。"

    commit_unit(act)
    target = created[0] if created else document
    return redirect(url_for("documents.detail", document_id=target.id))


@bp.post("/documents/<int:document_id>/services")
@require_roles(*CASE_ROLES)
def add_service(document_id: int):
    document = _document_or_abort(document_id, can_edit_case)
    form = ServiceForm()
    form.party_id.choices = [(p.id, p.name) for p in document.case.parties]
    if not form.validate_on_submit():
        flash("；".join(e for errors in form.errors.values() for e in errors), "danger")
    else:
        party = next(p for p in document.case.parties if p.id == form.party_id.data)
        commit_unit(lambda: record_service(
            document, recipient=party.name, party_id=party.id, method=form.method.data,
            address=form.address.data or party.address, sent_on=form.sent_on.data,
            received_on=form.received_on.data, note=form.note.data, actor=current_user) and "送达情况已登记。")
    return redirect(url_for("documents.detail", document_id=document.id, _anchor="services"))


@bp.get("/documents/<int:document_id>/services/<int:record_id>/receipt.pdf")
@require_roles(*CASE_ROLES)
def service_receipt(document_id: int, record_id: int):
    document = _document_or_abort(document_id)
    record = db.session.get(ServiceRecord, record_id)
    if record is None or record.document_id != document.id:
        abort(404)
    try:
        return _pdf(service_receipt_pdf(record), f"送达回证-{record.recipient}.pdf")
    except DocumentError as error:
        flash(str(error), "danger")
        return redirect(url_for("documents.detail", document_id=document.id))


@bp.get("/documents/<int:document_id>/publication.pdf")
@require_roles(*CASE_ROLES)
def publication(document_id: int):
    document = _document_or_abort(document_id)
    try:
        return _pdf(publication_pdf(document), f"行政裁决书（公开版）-{document.number}.pdf")
    except DocumentError as error:
        flash(str(error), "danger")
        return redirect(url_for("documents.detail", document_id=document.id))


# --- batch printing ---------------------------------------------------------------

@bp.route("/documents/batch", methods=["GET", "POST"])
@require_roles(Role.SUPERVISOR)
def batch():
    day = request.args.get("day", type=iso_date) or clock.today()
    start = datetime.combine(day, time()) - timedelta(hours=8)  # Beijing day in UTC
    stmt = (sa.select(Document).join(Case, Document.case_id == Case.id)
            .where(Document.status == "approved", Document.approved_at >= start,
                   Document.approved_at < start + timedelta(days=1)).order_by(Document.approved_at)
            # The case's number from the join (no statement per row), not its whole row with its own joins.
            .options(contains_eager(Document.case).load_only(Case.id, Case.number).lazyload("*"),
                     lazyload(Document.approved_by), defer(Document.texts)))
    if not current_user.province_wide:
        stmt = stmt.where(Case.office_id == current_user.office_id)
    documents = db.session.scalars(stmt).all()
    form = BatchForm()
    if form.validate_on_submit():
        allowed = {d.id for d in documents}
        chosen = [i for i in ids(request.form.getlist("document_ids")) if i in allowed]
        if not chosen:
            flash("请至少选择一份文书。", "warning")
        else:
            with unit_of_work() as unit:  # the batch and its job, together; the worker builds it
                job = start_batch(chosen, actor_id=current_user.id)
            if unit.ok:
                return redirect(url_for("documents.batch_status", batch_id=job.id))
    batches = db.session.scalars(sa.select(PrintBatch).where(PrintBatch.requested_by_id == current_user.id)
                                 .options(selectinload(PrintBatch.job))  # its outcome reads the job
                                 .order_by(PrintBatch.id.desc()).limit(10)).all()
    return render_template("documents/batch.html", documents=documents, day=day.isoformat(), batches=batches,
                           types=DOC_TYPES, form=form)


def _own_batch(batch_id: int) -> PrintBatch:
    return get_or_abort(PrintBatch, batch_id, can_view_print_batch)


@bp.get("/documents/batches/<int:batch_id>")
@require_roles(Role.SUPERVISOR)
def batch_status(batch_id: int):
    return render_template("documents/batch_status.html", job=_own_batch(batch_id))


@bp.get("/documents/batches/<int:batch_id>.json")
@require_roles(Role.SUPERVISOR)
def batch_progress(batch_id: int):
    job = _own_batch(batch_id)
    status, error = job.outcome
    return jsonify(status=status, done=job.done, total=job.total, error=error)


@bp.get("/documents/batches/<int:batch_id>.pdf")
@require_roles(Role.SUPERVISOR)
def batch_pdf(batch_id: int):
    job = _own_batch(batch_id)
    path = batch_file(job)
    if job.status != "finished" or not path.exists():
        abort(404)
    return send_file(path, mimetype="application/pdf", as_attachment=True,
                     download_name=f"批量打印-{job.id}.pdf")


# --- public verification ------------------------------------------------------------

@bp.route("/verify", methods=["GET", "POST"])
def verify_form():
    """Public: type or paste the code (or the printed address), or upload the
    PDF to compare its SHA-256 with the issued document's."""
    form = VerifyForm()
    if form.validate_on_submit():
        if form.file.data:
            import hashlib

            digest = hashlib.sha256(form.file.data.read()).hexdigest()
            document = db.session.scalar(sa.select(Document).where(Document.sha256 == digest,
                                                                   Document.status == "approved"))
            if document is None:
                return render_template("documents/verify_failed.html", reason="上传的文件与本系统签发的任何文书都不一致，可能已被修改。"), 404
            return render_template("documents/verify.html", document=document, kind=doc_type(document), matched=True)
        return redirect(url_for("documents.verify", code=clean_verify_code(form.code.data)))
    return render_template("documents/verify_form.html", form=form)


def clean_verify_code(text: str) -> str:
    """A pasted address keeps only its code; spaces and line breaks go. The
    code's alphabet (URL-safe Base64) tells capitals apart, so case is kept."""
    text = "".join((text or "").split())
    return text.rstrip("/").rsplit("/verify/", 1)[-1] or "-"


@bp.get("/verify/<code>")
def verify(code: str):
    """Public: number, date, hash — no party data (SPEC §7, §8)."""
    document = db.session.scalar(sa.select(Document).where(Document.verify_code == code,
                                                           Document.status == "approved"))
    if document is None:
        return render_template("documents/verify_failed.html", code=code,
                               reason="核验码不存在，或者该文书尚未签发。请核对核验码后重试。"), 404
    return render_template("documents/verify.html", document=document, kind=doc_type(document))
