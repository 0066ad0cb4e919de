"""Referral operations (SPEC §6). Functions check the transition table,
change objects, record the conversation, keep the deadlines current, put a
message for a partner instance in the outbox, and flush; callers commit."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa

from casesys.adjudication import services as procedure
from casesys.adjudication.calendars import current_calendar
from casesys.adjudication.models import CaseDeadline, DeadlineRule
from casesys.auth.models import Office, User
from casesys.cases.models import Case
from casesys.cases.services import EvidenceData, PartyData, PatentData, record_event, register_case
from casesys.cases.storage import StoredFile
from casesys.core import clock
from casesys.documents.rendering import DocumentError
from casesys.documents.services import create_draft
from casesys.domain.deadlines import Rule
from casesys.domain.enums import AgentAuthority, CaseState, CaseType, EvidenceKind, PartyRole
from casesys.domain.events import EventKind
from casesys.domain.referrals import (
    DEADLINE_KINDS,
    REFERRAL_RULES,
    ReferralAction,
    ReferralDates,
    ReferralFacts,
    ReferralKind,
    ReferralRefused,
    ReferralState,
    Side,
    check_referral_action,
    referral_deadlines,
)
from casesys.domain.workflow import Action, ActionRefused
from casesys.extensions import db
from casesys.referrals.models import Referral, ReferralAttachment, ReferralMessage

A = ReferralAction


# --- rules and deadlines -------------------------------------------------------

def referral_rules() -> dict[str, Rule]:
    """The administrator's values (the `deadline_rules` table), else the defaults."""
    rules = {rule.key: rule for rule in REFERRAL_RULES}
    for row in db.session.scalars(sa.select(DeadlineRule).where(DeadlineRule.key.like("ref\\_%", escape="\\"))):
        if row.key in rules:
            rules[row.key] = Rule(row.key, row.label, row.amount, row.unit, row.trigger, row.basis, row.owner)
    return rules


def refresh_referral_deadlines(referral: Referral, rules: dict[str, Rule] | None = None) -> None:
    ended = referral.closed_on if referral.state == ReferralState.WITHDRAWN else None
    computed = referral_deadlines(
        ReferralDates(referral.kind, referral.sent_on, referral.received_on, referral.answered_on, ended),
        rules or referral_rules(), current_calendar())
    existing = {d.kind: d for d in referral.deadlines if d.kind in DEADLINE_KINDS}
    for item in computed:
        row = existing.pop(item.kind, None) or CaseDeadline(kind=item.kind)
        if row.id is None:
            referral.deadlines.append(row)
        row.label, row.owner, row.due_on, row.provisional = item.label, item.owner, item.due, item.provisional
        row.paused, row.met_on, row.explanation = item.paused, item.met_on, item.explanation
    for stale in existing.values():
        referral.deadlines.remove(stale)


def recompute_referral_deadlines() -> int:
    """After a rule or the calendar changed: every referral still running."""
    rules = referral_rules()
    referrals = db.session.scalars(sa.select(Referral).where(Referral.sent_on.is_not(None),
                                                             Referral.closed_on.is_(None))).all()
    for referral in referrals:
        refresh_referral_deadlines(referral, rules)
    db.session.flush()
    return len(referrals)


# --- creating ------------------------------------------------------------------

@dataclass
class ReferralData:
    kind: ReferralKind
    receiver: Office
    subject: str
    body: str
    sender_case: Case | None = None


def create_referral(data: ReferralData, *, actor: User) -> Referral:
    """A draft of the actor's office; nothing leaves until it is sent."""
    if data.receiver.id == actor.office_id:
        raise ReferralRefused("不能向本机关发出协作事项")
    if not data.receiver.is_active:
        raise ReferralRefused("该协作机关已停用")
    case = data.sender_case
    if case is not None and case.office_id != actor.office_id:
        raise ReferralRefused("只能关联本机关的案件")
    if data.kind == ReferralKind.CASE_TRANSFER:
        if case is None:
            raise ReferralRefused("案件移送须关联本机关的案件")
        if case.case_type != CaseType.ADJUDICATION:
            raise ReferralRefused("只有行政裁决案件可以移送管辖")
        if case.state in (CaseState.CLOSED, CaseState.NOT_ACCEPTED):
            raise ReferralRefused("案件已结案，不能移送")
    referral = Referral(kind=data.kind, sender_office_id=actor.office_id, receiver_office_id=data.receiver.id,
                        subject=data.subject.strip(), body=data.body.strip(), sender_case=case,
                        sender_case_number=case.number if case else "", sender_handler_id=actor.id,
                        sender_contact=actor.full_name)
    db.session.add(referral)
    _say(referral, Side.SENDER, actor.full_name, actor.office.name, "起草协作事项", kind="action", action="draft")
    db.session.flush()
    return referral


def add_attachment(referral: Referral, stored: StoredFile, *, side: Side, description: str = "",
                   message: ReferralMessage | None = None) -> ReferralAttachment:
    attachment = ReferralAttachment(side=side, sha256=stored.sha256, size=stored.size, filename=stored.filename,
                                    content_type=stored.content_type, description=description[:200])
    referral.attachments.append(attachment)
    attachment.message = message
    return attachment


def _say(referral: Referral, side: Side, author: str, office: str, body: str, *, kind: str = "note",
         action: str = "", uid: str | None = None, at=None) -> ReferralMessage:
    message = ReferralMessage(side=side, kind=kind, action=action, author_name=author, office_name=office,
                              body=body, created_at=at or clock.utcnow())
    if uid:
        message.uid = uid
    referral.messages.append(message)
    return message


# --- who acts ----------------------------------------------------------------

# --- the lifecycle ---------------------------------------------------------------

@dataclass
class ActionInput:
    text: str = ""
    on: date | None = None               # the day it happened (a paper answer: the letter's date)
    attachments: tuple[StoredFile, ...] = ()
    handler: User | None = None


def facts_of(referral: Referral, side: Side, text: str = "") -> ReferralFacts:
    return ReferralFacts(state=referral.state, kind=referral.kind, side=side,
                         has_sender_case=bool(referral.sender_case_id or referral.sender_case_number), text=text)


def act_on_referral(referral: Referral, action: ReferralAction, *, side: Side, actor: User | None,
                    data: ActionInput | None = None, author: str = "", remote: bool = False) -> str:
    """Apply one step of the lifecycle; returns what happened, for the page.

    A case transfer is sent only with the supervisor's approval, since it ends
    the sender's case (移送结案, SPEC §6): sending asks for it, and approving
    sends. `remote` marks a step reported by the partner's instance."""
    data = data or ActionInput()
    check_referral_action(action, facts_of(referral, side, data.text))
    if action == A.SEND and referral.kind == ReferralKind.CASE_TRANSFER and not remote:
        case = referral.sender_case
        if case is not None and case.state not in (CaseState.CLOSED, CaseState.NOT_ACCEPTED):
            try:
                procedure.request_action(case, Action.TRANSFER, {"referral_id": referral.id,
                                                                 "reason": f"移送{referral.receiver_office.name}管辖"},
                                         actor=actor, today=clock.today())
            except ActionRefused as error:
                raise ReferralRefused(str(error)) from None
            _say(referral, side, actor.full_name, actor.office.name, "提请负责人审批移送结案", kind="note")
            db.session.flush()
            return "已提请负责人审批；批准后本案以移送结案，移送函随即发出。"
    return _apply(referral, action, side=side, actor=actor, data=data, author=author, remote=remote)


def _apply(referral: Referral, action: ReferralAction, *, side: Side, actor: User | None, data: ActionInput,
           author: str, remote: bool) -> str:
    today = data.on or clock.today()
    target = check_referral_action(action, facts_of(referral, side, data.text))
    if action == A.SEND:
        referral.sent_on = today
        if referral.kind == ReferralKind.CASE_TRANSFER and referral.sender_case is not None:
            _take_snapshot(referral)
    elif action == A.RECEIVE:
        referral.received_on = today
        if data.handler is not None:
            referral.receiver_handler_id = data.handler.id
    elif action == A.ACCEPT:
        referral.accepted_on = today
        if (referral.kind == ReferralKind.CASE_TRANSFER and not remote
                and not referral.receiver_office.is_partner and referral.receiver_case_id is None):
            _open_transferred_case(referral, actor)
    elif action in (A.DECLINE, A.REPLY):
        referral.answered_on = today
        if action == A.DECLINE:
            referral.reason = data.text[:500]
    elif action in (A.CLOSE, A.WITHDRAW):
        referral.closed_on = today
        if action == A.WITHDRAW:
            referral.reason = data.text[:500]
    referral.state = target
    office = (referral.sender_office if side == Side.SENDER else referral.receiver_office).name
    who = author or (actor.full_name if actor else office)
    line = action.label + (f"：{data.text.strip()}" if data.text.strip() else "")
    message = _say(referral, side, who, office, line, kind="action", action=action.value)
    for stored in data.attachments:
        add_attachment(referral, stored, side=side, message=message)
    refresh_referral_deadlines(referral)
    _note_on_cases(referral, f"{referral.kind.label}“{referral.subject}”：{office}{action.label}", actor)
    db.session.flush()
    if not remote:
        from casesys.referrals.exchange import report_action

        report_action(referral, action, side=side, message=message, on=today, text=data.text)
    return f"已{action.label}。"


def add_note(referral: Referral, *, side: Side, actor: User, text: str,
             attachments: tuple[StoredFile, ...] = ()) -> ReferralMessage:
    """A message of the conversation, with its files; travels to the partner."""
    if not text.strip() and not attachments:
        raise ReferralRefused("请填写内容或添加附件")
    if referral.state == ReferralState.DRAFT and side == Side.RECEIVER:
        raise ReferralRefused("该协作事项尚未发出")
    office = (referral.sender_office if side == Side.SENDER else referral.receiver_office).name
    message = _say(referral, side, actor.full_name, office, text.strip())
    for stored in attachments:
        add_attachment(referral, stored, side=side, message=message)
    db.session.flush()
    if referral.state != ReferralState.DRAFT:
        from casesys.referrals.exchange import report_note

        report_note(referral, side=side, message=message)
    return message


def _note_on_cases(referral: Referral, summary: str, actor: User | None) -> None:
    """The timeline of each local case shows the referral's steps (SPEC §2)."""
    for case in (referral.sender_case, referral.receiver_case):
        if case is not None:
            record_event(case, EventKind.REFERRAL, summary[:500], actor=actor, referral_id=referral.id)


# --- case transfer ------------------------------------------------------------

def apply_transfer(case: Case, payload: dict[str, Any], today: date) -> str:
    """The approved 移送结案 (SPEC §6): the case ends, the referral goes out.
    Registered as the procedure's applier of Action.TRANSFER."""
    referral = db.session.get(Referral, int(payload["referral_id"]))
    if referral is None or referral.sender_case_id != case.id:
        raise ActionRefused("移送事项不存在")
    sender = referral.sender_handler or case.handler
    _apply(referral, A.SEND, side=Side.SENDER, actor=sender, data=ActionInput(on=today), author="", remote=False)
    return f"移送{referral.receiver_office.name}管辖"


procedure.APPLIERS[Action.TRANSFER] = apply_transfer


def _take_snapshot(referral: Referral) -> None:
    """What the receiving office needs to open the case: parties with their
    agents, patents with the claims relied on, evidence with its files."""
    case = referral.sender_case
    parties = []
    for party in case.parties:
        parties.append({
            "role": party.role.value, "kind": party.kind.value, "name": party.name, "id_number": party.id_number,
            "credit_code": party.credit_code, "address": party.address, "phone": party.phone,
            "legal_representative": party.legal_representative, "enterprise_type": party.enterprise_type.value,
            "agents": [{"name": a.name, "firm": a.firm, "phone": a.phone, "authority": a.authority.value}
                       for a in party.agents]})
    patents = [{"number": cp.patent.number, "claims": cp.claims, "patent_type": cp.patent.patent_type.value,
                "title": cp.patent.title, "patentee": cp.patent.patentee,
                "filed_on": cp.patent.filed_on.isoformat() if cp.patent.filed_on else None,
                "granted_on": cp.patent.granted_on.isoformat() if cp.patent.granted_on else None,
                "legal_status": cp.patent.legal_status.value, "evaluation": cp.patent.evaluation.value}
               for cp in case.case_patents]
    evidence = []
    for item in case.evidence:
        evidence.append({"kind": item.kind.value, "description": item.description, "page_count": item.page_count,
                         "sha256": item.sha256, "filename": item.filename, "content_type": item.content_type,
                         "size": item.size})
        if item.sha256 and not any(a.sha256 == item.sha256 for a in referral.attachments):
            add_attachment(referral, StoredFile(item.sha256, item.size, item.content_type, item.filename),
                           side=Side.SENDER, description=f"证据：{item.description}")
    referral.case_snapshot = {
        "number": case.number, "title": case.title, "requests": case.requests,
        "accused_products": case.accused_products, "infringing_acts": case.infringing_acts, "places": case.places,
        "facts_and_reasons": case.facts_and_reasons, "received_on": case.received_on.isoformat(),
        "parties": parties, "patents": patents, "evidence": evidence,
    }


def _open_transferred_case(referral: Referral, actor: User | None) -> Case:
    """SPEC §6: acceptance opens a case at the receiver carrying the parties,
    agents, patents and evidence files of the transferred one."""
    snapshot = referral.case_snapshot or {}
    if not snapshot.get("parties"):
        raise ReferralRefused("移送事项未附案件材料，无法立案")
    handler = actor or referral.receiver_handler
    if handler is None or handler.office_id != referral.receiver_office_id:
        raise ReferralRefused("请由接收机关的办案人员接受移送")
    parties = [PartyData(PartyRole(p["role"]), {k: v for k, v in p.items() if k not in ("role", "agents")},
                         ({**p["agents"][0], "authority": AgentAuthority(p["agents"][0]["authority"])}
                          if p.get("agents") else None))
               for p in snapshot["parties"]]
    patents = [PatentData(p["number"], p.get("claims", ""),
                          {**{k: v for k, v in p.items() if k not in ("number", "claims")},
                           "filed_on": date.fromisoformat(p["filed_on"]) if p.get("filed_on") else None,
                           "granted_on": date.fromisoformat(p["granted_on"]) if p.get("granted_on") else None})
               for p in snapshot.get("patents", [])]
    evidence = [EvidenceData(StoredFile(e["sha256"], e["size"], e["content_type"], e["filename"]),
                             {"kind": EvidenceKind(e["kind"]), "description": e["description"],
                              "page_count": e.get("page_count")})
                for e in snapshot.get("evidence", []) if e.get("sha256")]
    fields = {k: snapshot.get(k) for k in ("title", "requests", "accused_products", "infringing_acts", "places",
                                           "facts_and_reasons")}
    fields["facts_and_reasons"] = ((fields.get("facts_and_reasons") or "")
                                   + f"\n（{referral.sender_office.name}移送，原案号 {snapshot.get('number', '')}）")
    case = register_case(case_type=CaseType.ADJUDICATION, office=referral.receiver_office, actor=handler,
                         received_on=referral.accepted_on or clock.today(), fields=fields, parties=parties,
                         patents=patents, evidence=evidence)
    referral.receiver_case = case
    referral.receiver_case_number = case.number
    record_event(case, EventKind.REFERRAL, f"受理{referral.sender_office.name}移送的案件（原案号 "
                 f"{snapshot.get('number', '')}）", actor=handler, referral_id=referral.id)
    return case


def link_case(referral: Referral, case: Case | None, *, side: Side, actor: User) -> None:
    """Each side links its own case; the sender only while the referral is a
    draft (a case transfer carries its case from the start)."""
    office_id = referral.sender_office_id if side == Side.SENDER else referral.receiver_office_id
    if case is not None and case.office_id != office_id:
        raise ReferralRefused("只能关联本机关的案件")
    if side == Side.SENDER:
        if referral.state != ReferralState.DRAFT or referral.kind == ReferralKind.CASE_TRANSFER:
            raise ReferralRefused("协作事项发出后不能更改发出方案件")
        referral.sender_case = case
        referral.sender_case_number = case.number if case else ""
    else:
        referral.receiver_case = case
        referral.receiver_case_number = case.number if case else ""
    db.session.flush()


# --- letters for partners without casesys (SPEC §6, §8) --------------------------

def draft_letter(referral: Referral, *, actor: User):
    """The 移送函 / 协助函 as a document of the sender's case: numbered,
    approved and frozen like every document, then printed and posted."""
    from casesys.domain.referrals import letter_title

    if referral.sender_case is None:
        raise ReferralRefused("请先在本协作事项中关联本机关案件，函件随案编号、签发")
    key = "referral_letter" if letter_title(referral.kind) == "移送函" else "assistance_letter"
    try:
        document = create_draft(referral.sender_case, key, actor=actor)
    except DocumentError as error:
        raise ReferralRefused(str(error)) from None
    rules = referral_rules()
    reply = rules[f"ref_reply_{referral.kind.value}"]
    document.texts = {"body": (
        f"{referral.receiver_office.name}：\n\n{referral.subject}。\n\n{referral.body}\n\n"
        f"根据鄂湘赣跨区域知识产权保护协作机制，请贵局收函后及时签收，并于签收之日起"
        f"{reply.amount}个工作日内函复。\n\n联系人：{referral.sender_contact}")}
    _say(referral, Side.SENDER, actor.full_name, actor.office.name, f"制作{letter_title(referral.kind)}（待负责人签发）")
    db.session.flush()
    return document
