"""Referral pages (SPEC §6): inbox and outbox with figures, a new referral,
the referral page with its steps and conversation; and the machine-to-machine
exchange endpoint of partner instances."""
from __future__ import annotations

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from casesys.adjudication.services import pending_approval
from casesys.auth.models import Office
from casesys.auth.permissions import (
    REFERRAL_ROLES,
    can_edit_case,
    proxy_referral_side,
    referral_side,
    require_roles,
)
from casesys.cases.models import Case
from casesys.cases.services import store_checked_upload
from casesys.cases.storage import UploadRejected, path_for
from casesys.core import clock
from casesys.core.inputs import db_int
from casesys.core.units import commit_unit
from casesys.documents.services import find_case_by_number
from casesys.domain.referrals import (
    ACTION_SIDE,
    ReferralAction,
    ReferralKind,
    ReferralState,
    Side,
    available_referral_actions,
    letter_title,
)
from casesys.exports import export_format, export_list
from casesys.extensions import csrf, db
from casesys.forms.referrals import LinkCaseForm, ReferralActionForm, ReferralFilterForm, ReferralForm, ReferralNoteForm
from casesys.referrals import bp, exchange_bp, services
from casesys.referrals.access import get_referral_or_abort
from casesys.referrals.exchange import Transport, receive_message, refuse_oversized
from casesys.referrals.models import ReferralAttachment
from casesys.referrals.queries import PROVINCE, Filters, list_box, list_scope, office_figures, partners_of

PER_PAGE = 30


@bp.get("")
@require_roles(*REFERRAL_ROLES)
def index():
    office_id = list_scope(current_user, request.args)
    office = db.session.get(Office, office_id) if office_id is not PROVINCE else None
    if office_id is not PROVINCE and office is None:
        abort(404)
    scope_name = office.name if office else "全省（与湖南、江西协作机关）"
    form = ReferralFilterForm(request.args)
    partners = partners_of(office_id)
    form.partner.choices = [(0, "全部协作机关")] + [(o.id, o.name) for o in partners]
    form.validate()
    args = request.args
    filters = Filters.from_args(args)
    today = clock.today()
    if fmt := export_format():
        return export_list("referrals", fmt)
    page = max(1, request.args.get("page", 1, type=db_int) or 1)
    rows, total = list_box(office_id, filters, today, page=page, per_page=PER_PAGE)
    # What keeps this list's scope and drill-down when a tab or the filter form changes the rest.
    kept = {k: v for k, v in args.items() if k in ("province", "office_id", *Filters.DRILL_DOWN)}
    if office_id == current_user.office_id:
        kept.pop("office_id", None)
        kept.pop("province", None)
    return render_template("referrals/index.html", form=form, rows=rows, total=total, page=page, per_page=PER_PAGE,
                           filters=filters, figures=office_figures(office_id, today), today=today,
                           args={k: v for k, v in args.items() if k != "page"}, kept=kept, scope_name=scope_name,
                           office=office)


def _find_own_case(number: str) -> Case | None:
    case = find_case_by_number(number) if number else None
    if case is not None and case.office_id != current_user.office_id:
        return None
    return case


@bp.route("/new", methods=["GET", "POST"])
@require_roles(*REFERRAL_ROLES)
def new():
    form = ReferralForm()
    form.receiver_id.choices = [(0, "请选择")] + [(o.id, f"{o.name}（{o.province}）")
                                                for o in partners_of(current_user.office_id)]
    if request.method == "GET" and request.args.get("case", type=db_int):
        case = db.session.get(Case, request.args.get("case", type=db_int))
        if case is not None and can_edit_case(current_user, case):
            form.case_number.data = case.number
            form.subject.data = case.title
    if form.validate_on_submit():
        case = _find_own_case(form.case_number.data)
        receiver = db.session.get(Office, form.receiver_id.data)
        if form.case_number.data and case is None:
            form.case_number.errors.append("未找到本机关的该案件，请核对案号")
        elif receiver is None:
            form.receiver_id.errors.append("请选择接收机关")
        else:
            stored = None
            if form.file.data:
                try:
                    stored = store_checked_upload(form.file.data.stream, form.file.data.filename)
                except UploadRejected as error:
                    form.file.errors.append(str(error))
            if not form.file.errors:
                created = {}

                def work():
                    referral = services.create_referral(services.ReferralData(
                        ReferralKind(form.kind.data), receiver, form.subject.data, form.body.data, case),
                        actor=current_user)
                    if stored is not None:
                        services.add_attachment(referral, stored, side=Side.SENDER)
                    created["id"] = referral.id
                    return "协作事项草稿已保存，核对后请点击“发送”。"

                if commit_unit(work):
                    return redirect(url_for("referrals.detail", referral_id=created["id"]))
    return render_template("referrals/new.html", form=form), 400 if request.method == "POST" else 200


def _sides(referral):
    own = referral_side(current_user, referral)
    proxy = proxy_referral_side(current_user, referral)
    return own, proxy


@bp.get("/<int:referral_id>")
@require_roles(*REFERRAL_ROLES)
def detail(referral_id: int):
    referral = get_referral_or_abort(referral_id)
    own, proxy = _sides(referral)
    actions = available_referral_actions(referral.state, own) if own else []
    proxy_actions = available_referral_actions(referral.state, proxy) if proxy else []
    waiting = (referral.state == ReferralState.DRAFT and referral.sender_case is not None
               and pending_approval(referral.sender_case) is not None)
    return render_template("referrals/detail.html", referral=referral, side=own, actions=actions,
                           proxy_actions=proxy_actions, action_form=ReferralActionForm(), note_form=ReferralNoteForm(),
                           link_form=LinkCaseForm(), today=clock.today(), waiting=waiting,
                           letter_title=letter_title(referral.kind))


def _stored_file(form):
    if not form.file.data:
        return ()
    return (store_checked_upload(form.file.data.stream, form.file.data.filename),)


@bp.post("/<int:referral_id>/actions/<action>")
@require_roles(*REFERRAL_ROLES)
def act(referral_id: int, action: str):
    referral = get_referral_or_abort(referral_id)
    try:
        step = ReferralAction(action)
    except ValueError:
        abort(404)
    own, proxy = _sides(referral)
    side = next((s for s in (own, proxy) if s is not None and ACTION_SIDE[step] == s), None)
    if side is None:
        abort(403)
    form = ReferralActionForm()
    if not form.validate_on_submit():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "danger")
        return redirect(url_for("referrals.detail", referral_id=referral.id))
    try:
        files = _stored_file(form)
    except UploadRejected as error:
        flash(f"附件未上传：{error}", "danger")
        return redirect(url_for("referrals.detail", referral_id=referral.id))
    on = form.on.data if side == proxy and side != own else None
    commit_unit(lambda: services.act_on_referral(
        referral, step, side=side, actor=current_user,
        data=services.ActionInput(text=form.text.data or "", on=on, attachments=files, handler=current_user),
        author=current_user.full_name + ("（据对方回函登记）" if side == proxy and side != own else "")))
    return redirect(url_for("referrals.detail", referral_id=referral.id))


@bp.post("/<int:referral_id>/notes")
@require_roles(*REFERRAL_ROLES)
def add_note(referral_id: int):
    referral = get_referral_or_abort(referral_id)
    side = referral_side(current_user, referral)
    if side is None:
        abort(403)
    form = ReferralNoteForm()
    if form.validate_on_submit():
        try:
            files = _stored_file(form)
        except UploadRejected as error:
            flash(f"附件未上传：{error}", "danger")
        else:
            commit_unit(lambda: services.add_note(referral, side=side, actor=current_user, text=form.text.data or "",
                                                  attachments=files) and "留言已发送。")
    return redirect(url_for("referrals.detail", referral_id=referral.id, _anchor="conversation"))


@bp.post("/<int:referral_id>/case")
@require_roles(*REFERRAL_ROLES)
def link_case(referral_id: int):
    """Each side links its own case (SPEC §6)."""
    referral = get_referral_or_abort(referral_id)
    side = referral_side(current_user, referral)
    if side is None:
        abort(403)
    form = LinkCaseForm()
    if form.validate_on_submit():
        case = _find_own_case(form.case_number.data)
        if form.case_number.data and case is None:
            flash("未找到本机关的该案件，请核对案号", "danger")
        else:
            commit_unit(lambda: services.link_case(referral, case, side=side, actor=current_user)
                        or "已关联本机关案件。")
    return redirect(url_for("referrals.detail", referral_id=referral.id))


@bp.post("/<int:referral_id>/letter")
@require_roles(*REFERRAL_ROLES)
def letter(referral_id: int):
    """The 移送函/协助函 for a partner without casesys, made as a document
    (numbered, approved, frozen) of the sender's case."""
    referral = get_referral_or_abort(referral_id)
    if referral_side(current_user, referral) != Side.SENDER:
        abort(403)
    made = {}

    def work():
        made["document"] = services.draft_letter(referral, actor=current_user)
        return "函件草稿已生成，请核对正文后提交负责人签发。"

    if commit_unit(work):
        return redirect(url_for("documents.detail", document_id=made["document"].id))
    return redirect(url_for("referrals.detail", referral_id=referral.id))


@bp.get("/<int:referral_id>/attachments/<int:attachment_id>")
@require_roles(*REFERRAL_ROLES)
def attachment(referral_id: int, attachment_id: int):
    referral = get_referral_or_abort(referral_id)
    item = db.session.get(ReferralAttachment, attachment_id)
    if item is None or item.referral_id != referral.id or not path_for(item.sha256).exists():
        abort(404)
    return send_file(path_for(item.sha256), mimetype=item.content_type, as_attachment=True,
                     download_name=item.filename)


# --- machine to machine ---------------------------------------------------------

@exchange_bp.post("/referrals")
@csrf.exempt  # another instance posts here: authenticated by its Ed25519 signature, not by a session
def receive():
    limit = int(current_app.config["REFERRALS_MAX_MESSAGE_BYTES"])
    if request.content_length is not None and request.content_length > limit:
        # Refused before the body is read; logged like every refusal.
        answer = refuse_oversized(request.remote_addr or "")
        return jsonify(answer.payload), answer.status
    data = request.get_data(cache=False)
    transport = Transport(request.headers.get("X-Casesys-Sent-At", ""),
                          request.headers.get("X-Casesys-Transport-Signature", ""))
    answer = receive_message(data, request.headers.get("X-Casesys-Signature", ""), transport,
                             remote_addr=request.remote_addr or "")
    return jsonify(answer.payload), answer.status
