"""Documents (SPEC §8): draft, preview with 「草稿」, approve (number, frozen
bytes, SHA-256, verification code), correct, serve, publish, batch print.
Functions flush; callers commit."""
from __future__ import annotations

import re
import secrets
from datetime import date
from typing import Any

import sqlalchemy as sa
from flask import current_app, render_template

from casesys.adjudication.rules import current_rules
from casesys.adjudication.services import (
    apply_action,
    record_clock_stop,
    record_decision_receipt,
    record_hearing_notice_served,
    respondents,
    served_on,
)
from casesys.adjudication.worklists import add_todo_notice
from casesys.auth.models import User
from casesys.cases.models import Case
from casesys.cases.services import ConcurrentEdit, record_event
from casesys.core import clock
from casesys.core.clock import utcnow
from casesys.core.database import next_in_sequence
from casesys.core.settings import get_setting
from casesys.documents.formatting import chinese_date
from casesys.documents.models import Document, DocumentContributor, ServiceRecord
from casesys.documents.rendering import DocumentError, page_count, qr_data_uri, require_cjk_font, sha256_of, write_pdf
from casesys.documents.types import DOC_TYPES, SERVICE_RECEIPT, DocType
from casesys.domain.anonymise import anonymise, mask_address, mask_person_name
from casesys.domain.deadlines import ReminderLevel
from casesys.domain.documents import (
    DocumentMove,
    DocumentMoveRefused,
    DocumentStatus,
    next_status,
    signing_refusal,
)
from casesys.domain.enums import PartyKind, PartyRole
from casesys.domain.events import EventKind
from casesys.domain.numbering import format_number
from casesys.extensions import db

SERVICE_METHODS = {"direct": "直接送达", "post": "邮寄送达", "electronic": "电子送达", "announcement": "公告送达"}


def doc_type(document: Document) -> DocType:
    return DOC_TYPES[document.doc_type]


def check_ready(case: Case, key: str) -> DocType:
    if key not in DOC_TYPES:
        raise DocumentError(f"未知的文书类型：{key}")
    kind = DOC_TYPES[key]
    if message := kind.ready(case):
        raise DocumentError(message)
    return kind


def create_draft(case: Case, key: str, *, actor: User | None, corrects: Document | None = None) -> Document:
    kind = check_ready(case, key)
    texts = dict(corrects.texts) if corrects else kind.defaults(case)
    document = Document(case_id=case.id, doc_type=key, texts=texts, created_by_id=actor.id if actor else None,
                        corrects_id=corrects.id if corrects else None)
    document.case = case
    db.session.add(document)
    _record_contribution(document, actor, "draft")
    return document


def _record_contribution(document: Document, actor: User | None, action: str) -> None:
    """Flush, then note who made the version the document has now (issue 11)."""
    db.session.flush()
    if actor is not None:
        db.session.add(DocumentContributor(document_id=document.id, user_id=actor.id, action=action,
                                           version=document.version))


def _judged(document: Document, move: DocumentMove) -> DocumentStatus:
    """The status `move` leads to (SPEC §8), or the refusal as a DocumentError."""
    try:
        return next_status(document.status, move)
    except DocumentMoveRefused as refused:
        raise DocumentError(str(refused)) from None


STALE_DOCUMENT = "该文书已被他人修改，请查看最新内容后再保存。您填写的内容仍保留在表单中。"


def update_texts(document: Document, texts: dict[str, str], *, expected_version: int, actor: User | None) -> None:
    """A draft's new texts; whoever changes them may not sign it (issue 11)."""
    _judged(document, DocumentMove.EDIT)  # only a draft's text changes
    if int(expected_version) != document.version:
        raise ConcurrentEdit(STALE_DOCUMENT)
    allowed = {key for key, _ in doc_type(document).texts}
    changed = {**document.texts, **{k: v for k, v in texts.items() if k in allowed}}
    if changed != document.texts:
        document.texts = changed
        _record_contribution(document, actor, "edit")


def _paragraphs(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _context(document: Document, *, draft: bool, anonymous: bool = False) -> dict[str, Any]:
    case = document.case
    kind = doc_type(document)
    parties = list(case.parties)
    requesters = [p for p in parties if p.role == PartyRole.REQUESTER]
    respondents = [p for p in parties if p.role == PartyRole.RESPONDENT]
    texts = dict(document.texts)
    names = person_names(case)
    if anonymous:
        addresses = [p.address for p in parties]
        texts = {k: anonymise(v, person_names=names, addresses=addresses) for k, v in texts.items()}
        parties = [_masked(p) for p in parties]
    closing = next((d for d in case.deadlines if d.kind == "closing"), None)
    verify_url = None
    if document.verify_code and not draft:
        verify_url = current_app.config.get("PUBLIC_BASE_URL", "").rstrip("/") + f"/verify/{document.verify_code}"
    display = (lambda name: mask_person_name(name) if anonymous and name in names else name)
    context = {
        "title": kind.title, "font": require_cjk_font(), "draft": draft, "case": case, "office": case.office,
        "texts": texts, "paragraphs": _paragraphs, "number": document.number, "corrects": document.corrects,
        "issued": chinese_date(document.issued_on or (None if draft else clock.today())),
        "parties": parties, "requesters": "、".join(display(p.name) for p in requesters),
        "respondents": "、".join(display(p.name) for p in respondents),
        "addressee": kind.addressee(case) if kind.addressee else
        "、".join(display(p.name) for p in (requesters if document.doc_type != "answer_notice" else respondents)),
        "received": chinese_date(case.received_on), "accepted": chinese_date(case.accepted_on),
        "procedure": case.procedure.label if case.procedure else "", "closing_due": closing.due_on if closing else "",
        "handler": case.handler.full_name if case.handler else "",
        "verify_url": verify_url, "qr": qr_data_uri(verify_url) if verify_url else None,
        **kind.context(case),
    }
    if document.doc_type == "ruling":
        from casesys.documents.ruling import ruling_context

        extra = ruling_context(case, current_rules()["right_to_sue"].amount)
        if anonymous:  # SPEC §7: the paragraphs built from the parties are masked like the texts
            extra["hearing_paragraphs"] = [anonymise(p, person_names=names, addresses=addresses)
                                           for p in extra["hearing_paragraphs"]]
            extra["third_parties"] = anonymise(extra["third_parties"], person_names=names, addresses=addresses)
            # the officials are natural persons too: masked in the published copy
            officials = {name for _, name in extra["panel_lines"]}
            extra["panel_sentence"] = anonymise(extra["panel_sentence"], person_names=officials, addresses=[])
            extra["panel_lines"] = [(role, mask_person_name(name)) for role, name in extra["panel_lines"]]
        context.update(extra)
        context["docno"] = document.number  # the document's own number, kept beside the case number
    if document.doc_type == "rejection_notice":  # SPEC §3: the remedies, always stated
        context["remedies"] = get_setting("remedy_rejection_notice")
    return context


def person_names(case: Case) -> set[str]:
    """SPEC §7: every natural person named in a case — parties who are
    persons, legal representatives and agents."""
    names = {p.name for p in case.parties if p.kind == PartyKind.PERSON}
    names |= {p.legal_representative for p in case.parties if p.legal_representative}
    return names | {agent.name for p in case.parties for agent in p.agents}


class _MaskedAgent:
    def __init__(self, agent):
        self._agent = agent

    def __getattr__(self, name):
        value = getattr(self._agent, name)
        return mask_person_name(value) if name == "name" else "" if name == "phone" else value


class _MaskedParty:
    def __init__(self, party):
        self._party = party

    def __getattr__(self, name):
        value = getattr(self._party, name)
        if name == "legal_representative":
            return mask_person_name(value) if value else value
        if name == "agents":  # agents are natural persons (SPEC §7): names masked, phones absent
            return [_MaskedAgent(agent) for agent in value]
        if self._party.kind != PartyKind.PERSON:
            return value
        if name == "name":
            return mask_person_name(value)
        if name == "id_number":
            return (value[:6] + "************") if value else value
        if name == "address":
            return mask_address(value)
        if name == "phone":
            return ""
        return value


def _masked(party):
    return _MaskedParty(party)


def render_pdf(document: Document, *, draft: bool, anonymous: bool = False, cached: bool = True) -> bytes:
    html = render_template(f"pdf/{doc_type(document).template}", **_context(document, draft=draft, anonymous=anonymous))
    return write_pdf(html, cached=cached)


def document_pdf(document: Document) -> bytes:
    """The frozen bytes once approved; a watermarked draft before."""
    return document.pdf if document.frozen else render_pdf(document, draft=True)


class MissingSections(DocumentError):
    """SPEC §8: a document cannot be submitted while a required section is
    empty; `missing` says, per section, what to write."""

    def __init__(self, missing: dict[str, str]):
        self.missing = missing
        super().__init__("尚有必填内容未填写，不能提交签发：" + "；".join(missing.values()), fields=missing)


#: Lead-ins a section starts with by default; a section holding only its lead-in is empty.
LEAD_INS = re.compile(r"^\s*(请求人称|被请求人辩称|经审理查明|本机关认为|裁决如下|协议内容|正文)\s*[：:，,]?\s*")
MISSING_MESSAGES = {"answer": "请填写被请求人的答辩意见；被请求人未提交答辩书的，请写明“被请求人未在答辩期内提交答辩书”"}


def missing_sections(document: Document) -> dict[str, str]:
    kind = doc_type(document)
    missing = {}
    for key, label in kind.required_texts():
        text = LEAD_INS.sub("", document.texts.get(key) or "").strip()
        if not text:
            missing[key] = MISSING_MESSAGES.get(key, f"请填写“{label}”")
    return missing


def submit(document: Document, *, actor: User) -> None:
    status = _judged(document, DocumentMove.SUBMIT)
    if missing := missing_sections(document):
        raise MissingSections(missing)
    document.status = status
    document.created_by_id = document.created_by_id or actor.id
    record_event(document.case, EventKind.APPROVAL_REQUESTED, f"提请签发{doc_type(document).title}", actor=actor,
                 document_id=document.id)
    _record_contribution(document, actor, "submit")


def assign_document_number(document: Document, year: int) -> str:
    case = document.case
    kind = doc_type(document)
    seq = next_in_sequence(case.office_id, f"doc:{kind.key}", year)
    return format_number(get_setting("document_number_format"), prefix=case.office.case_prefix,
                         type_word=kind.number_word, year=year, seq=seq)


def approve_document(document: Document, *, actor: User, today: date | None = None) -> None:
    """Number, freeze and fingerprint (SPEC §8). The approver is none of
    the document's writers (issue 11)."""
    today = today or clock.today()
    status = _judged(document, DocumentMove.APPROVE)
    if refusal := signing_refusal(actor.id, document.writer_ids()):
        raise DocumentError(refusal)
    check_ready(document.case, document.doc_type)
    document.number = assign_document_number(document, today.year)
    document.verify_code = secrets.token_urlsafe(9)[:12]
    document.issued_on = today
    document.status = status
    document.approved_by_id, document.approved_at = actor.id, utcnow()
    data = render_pdf(document, draft=False, cached=False)  # made once, then kept in the document
    document.pdf, document.sha256, document.page_count = data, sha256_of(data), page_count(data)
    record_event(document.case, EventKind.DOCUMENT_ISSUED, f"签发{doc_type(document).title} {document.number}",
                 actor=actor, document_id=document.id)
    db.session.flush()


def return_document(document: Document, *, actor: User, comment: str) -> None:
    status = _judged(document, DocumentMove.RETURN)
    if not comment.strip():
        raise DocumentError("退回时请说明理由")
    document.status = status
    title = doc_type(document).title
    record_event(document.case, EventKind.APPROVAL_RETURNED, f"退回{title}：{comment}", actor=actor,
                 document_id=document.id, comment=comment)
    if document.created_by_id:  # the drafter finds it among the to-do items
        add_todo_notice(document.created_by_id, document.case, kind=f"document_returned:{document.id}",
                        message=f"{document.case.number} {title}被退回：{comment}", level=ReminderLevel.RETURNED)
    db.session.flush()


def addressee_of(document: Document):
    """The party a document is addressed to first: the respondent for the
    答辩通知书, otherwise the (first) requester."""
    case = document.case
    role = PartyRole.RESPONDENT if document.doc_type == "answer_notice" else PartyRole.REQUESTER
    return next(iter(case.parties_in(role)), None)


def last_return(document: Document) -> str | None:
    """The supervisor's reason, while the returned document is a draft again."""
    if document.status != "draft":
        return None
    for event in reversed(document.case.events):
        if (event.details or {}).get("document_id") != document.id:
            continue
        if event.kind == EventKind.APPROVAL_RETURNED.value:
            return (event.details or {}).get("comment") or event.summary
        if event.kind == EventKind.APPROVAL_REQUESTED.value:
            return None
    return None


def correct(document: Document, *, actor: User) -> Document:
    """A frozen document never changes; a correction is a new, linked one."""
    if not document.frozen:
        raise DocumentError("草稿可直接修改，无需补正")
    return create_draft(document.case, document.doc_type, actor=actor, corrects=document)


def record_service(document: Document, *, recipient: str, party_id: int | None, method: str, address: str,
                   sent_on: date, received_on: date | None, note: str, actor: User,
                   today: date | None = None) -> ServiceRecord:
    """SPEC §8: the service ledger. Public announcement stops the case clock;
    the receipt of the request or of the ruling starts the periods that run
    from service (answer, right to sue)."""
    from casesys.domain.workflow import ActionRefused

    today = today or clock.today()
    if method not in SERVICE_METHODS:
        raise DocumentError("请选择送达方式")
    if not document.frozen:
        raise DocumentError("文书签发后才能送达")
    if sent_on > today or (received_on and received_on > today):
        raise DocumentError("送达日期不能晚于今天")
    if sent_on < document.issued_on:
        raise DocumentError("送达日期不能早于文书签发日期")
    if received_on and received_on < sent_on:
        raise DocumentError("收到日期不能早于发出日期")
    record = ServiceRecord(document=document, recipient=recipient, party_id=party_id, method=method,
                           address=address, sent_on=sent_on, received_on=received_on, note=note,
                           recorded_by_id=actor.id)
    db.session.add(record)
    case = document.case
    try:
        if method == "announcement":
            record_clock_stop(case, kind="announcement", started_on=sent_on, ended_on=received_on,
                              reason=f"公告送达{doc_type(document).title}", actor=actor, today=today)
        if received_on:
            _record_receipt(document, party_id, received_on, actor=actor, today=today)
    except ActionRefused as refused:
        raise DocumentError(str(refused)) from refused
    record_event(case, EventKind.DOCUMENT_SERVED,
                 f"{SERVICE_METHODS[method]}{doc_type(document).title}给{recipient}"
                 + (f"，{received_on.isoformat()}收到" if received_on else ""), actor=actor)
    db.session.flush()
    return record


def _record_receipt(document: Document, party_id: int | None, received_on: date, *, actor: User,
                    today: date) -> None:
    """What a recorded receipt starts (SPEC §3): a respondent's answer period
    (per respondent), a party's period to sue, the hearing notice's lead time."""
    from casesys.domain.workflow import Action

    case = document.case
    if document.doc_type == "answer_notice" and case.state.value in ("accepted", "answer_period"):
        unserved = [p for p in respondents(case) if served_on(p) is None and party_id in (None, p.id)]
        if len(unserved) == 1:
            apply_action(case, Action.SERVE, {"served_on": received_on.isoformat(), "party_id": unserved[0].id},
                         actor=actor, today=today)
    if document.doc_type == "ruling":
        record_decision_receipt(case, party_id, received_on, actor=actor, today=today)
    if document.doc_type == "hearing_notice":
        record_hearing_notice_served(case, received_on, today=today)


def service_receipt_pdf(record: ServiceRecord) -> bytes:
    document = record.document
    context = _context(document, draft=False)
    context.update(title=SERVICE_RECEIPT.title, number=None, served=doc_type(document), record=record,
                   method=SERVICE_METHODS[record.method], sent=chinese_date(record.sent_on),
                   received=chinese_date(record.received_on) if record.received_on else "", verify_url=None, qr=None)
    context["served"] = type("Served", (), {"title": doc_type(document).title, "number": document.number})
    return write_pdf(render_template("pdf/service_receipt.html", **context))


def publication_pdf(document: Document) -> bytes:
    """SPEC §7: an anonymised copy of a final ruling."""
    if document.doc_type != "ruling" or not document.frozen:
        raise DocumentError("只有已签发的行政裁决书可以生成公开版本")
    return render_pdf(document, draft=False, anonymous=True)


def find_case_by_number(number: str) -> Case | None:
    from casesys.domain.codes import normalize_case_number_query

    return db.session.scalar(sa.select(Case).where(Case.number == normalize_case_number_query(number)))


def latest_document(case: Case, key: str) -> Document | None:
    return db.session.scalar(sa.select(Document).where(Document.case_id == case.id, Document.doc_type == key)
                             .order_by(Document.status == "approved", Document.id.desc()).limit(1))
