"""Running a mediation (SPEC §5). Functions check the rules, change objects,
record timeline events and flush; callers commit."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa

from casesys.adjudication.calendars import current_calendar
from casesys.adjudication.models import Approval, CaseDeadline
from casesys.adjudication.services import pending_approval, request_action
from casesys.auth.models import User
from casesys.cases.models import Case
from casesys.cases.services import record_event
from casesys.core import clock
from casesys.core.settings import get_setting
from casesys.domain.calendar import Unit
from casesys.domain.deadlines import Party as Owner
from casesys.domain.enums import CaseType
from casesys.domain.errors import Refused
from casesys.domain.events import EventKind
from casesys.domain.mediation import (
    STANDALONE_CASE_STATE,
    Consent,
    MediationMove,
    MediationMoveRefused,
    MediationStatus,
    MediatorFacts,
    PartyFacts,
    Position,
    TermKind,
    conflict_reason,
    consent_outcome,
    next_mediation_status,
    start_refusal,
)
from casesys.domain.workflow import ACTIVE
from casesys.extensions import db
from casesys.mediation.models import (
    Agreement,
    AgreementTerm,
    Mediation,
    MediationOrganisation,
    MediationParty,
    MediationSession,
    Mediator,
    Proposal,
    ProposalPosition,
    SessionAttendance,
    Signature,
    mediation_mediators,
)


class MediationError(Refused):
    """The message says why, in Chinese, for the user."""


def open_mediation(case: Case) -> Mediation | None:
    return db.session.scalar(sa.select(Mediation).where(
        Mediation.case_id == case.id,
        Mediation.status.in_([MediationStatus.CONSENT_PENDING, MediationStatus.MEDIATING])))


def latest_mediation(case: Case) -> Mediation | None:
    return db.session.scalar(sa.select(Mediation).where(Mediation.case_id == case.id)
                             .order_by(Mediation.id.desc()).limit(1))


def _judged(mediation: Mediation, move: MediationMove) -> MediationStatus:
    """The status `move` leads to (SPEC §5), or the refusal as a MediationError."""
    try:
        return next_mediation_status(mediation.status, move)
    except MediationMoveRefused as refused:
        raise MediationError(str(refused)) from None


def _apply(mediation: Mediation, status: MediationStatus) -> None:
    """The mediation's status and, when it is the case itself, the case's state with it."""
    mediation.status = status
    if not mediation.within_adjudication:
        mediation.case.state = STANDALONE_CASE_STATE[status]


def start_mediation(case: Case, *, actor: User, today: date | None = None, court_name: str = "",
                    court_reference: str = "", request_served_on: date | None = None) -> Mediation:
    """Standalone (a mediation case just received) or inside an adjudication
    (an accepted case not yet decided). The requesting side has consented
    by asking; the others are asked (SPEC §5)."""
    today = today or clock.today()
    within = case.case_type == CaseType.ADJUDICATION
    if refusal := start_refusal(case.case_type, case.state, open_mediation=open_mediation(case) is not None):
        raise MediationError(refusal)
    if len(case.parties) < 2:
        raise MediationError("调解至少需要两方当事人")
    if bool(court_name) != bool(court_reference):
        raise MediationError("法院委派调解须同时填写委派法院和委派文号")
    limit = int(get_setting("court_mediation_limit_days" if court_reference else "mediation_limit_days"))
    mediation = Mediation(case_id=case.id, within_adjudication=within, requested_on=today,
                          limit_days=limit, court_name=court_name, court_reference=court_reference)
    mediation.case = case
    _apply(mediation, MediationStatus.CONSENT_PENDING)
    for party in case.parties:
        asked = party.role.value != "requester"
        mediation.parties.append(MediationParty(party_id=party.id, consent=Consent.PENDING if asked else Consent.AGREED,
                                                consent_on=None if asked else today))
    db.session.add(mediation)
    record_event(case, EventKind.CONSENT_REQUESTED,
                 "征询各方调解意愿，答复期限自对方收到调解申请书副本之日起计算"
                 + (f"（{court_name}委派调解，{court_reference}）" if court_reference else ""), actor=actor)
    db.session.flush()
    if request_served_on is not None:
        record_request_service(mediation, request_served_on, actor=actor, today=today)
    refresh_mediation_deadlines(mediation, today)
    return mediation


def record_request_service(mediation: Mediation, served_on: date, *, actor: User, today: date | None = None) -> None:
    """SPEC §5 (issue 9.9): the consent period runs from the other side's receipt
    of the request copy, not from the day the mediation was opened."""
    today = today or clock.today()
    _judged(mediation, MediationMove.RECORD_SERVICE)
    if served_on is None or served_on < mediation.requested_on or served_on > today:
        raise MediationError(f"送达日期应在征询之日（{mediation.requested_on.isoformat()}）与今天之间")
    days = int(get_setting("mediation_consent_days"))
    mediation.request_served_on = served_on
    # SPEC §5, §9: a period of days ending on a non-working day ends on the next working day
    mediation.consent_due_on = current_calendar().add(served_on, days, Unit.CALENDAR).date
    record_event(mediation.case, EventKind.MEDIATION_PROGRESS,
                 f"对方于 {served_on.isoformat()} 收到调解申请书副本，{mediation.consent_due_on.isoformat()} 前答复",
                 actor=actor)
    db.session.flush()
    refresh_mediation_deadlines(mediation, today)


def record_consent(mediation: Mediation, party_id: int, consent: Consent, *, on: date, actor: User,
                   today: date | None = None) -> None:
    today = today or clock.today()
    _judged(mediation, MediationMove.RECORD_CONSENT)
    if on > today or on < mediation.requested_on:
        raise MediationError("答复日期应在征询之日与今天之间")
    member = next((p for p in mediation.parties if p.party_id == party_id), None)
    if member is None:
        raise MediationError("该当事人不是本次调解的当事人")
    member.consent, member.consent_on = consent, on
    outcome = consent_outcome([p.consent for p in mediation.parties], due=mediation.consent_due_on or date.max,
                              today=on)
    if outcome == MediationStatus.MEDIATING:
        _apply(mediation, _judged(mediation, MediationMove.START))
        mediation.started_on = on
        record_event(mediation.case, EventKind.MEDIATION_STARTED, "各方同意调解，开始调解", actor=actor)
    elif outcome == MediationStatus.FAILED:
        fail_mediation(mediation, reason=f"{member.party.name}拒绝调解", actor=actor, on=on)
    db.session.flush()
    refresh_mediation_deadlines(mediation, today)


def mediator_recipients(case_ids: list[int]) -> list[tuple[int, int]]:
    """The mediators (with a login) of each case, reminded of its deadlines
    too (SPEC §10: mediation limit, confirmation window, terms)."""
    return db.session.execute(
        sa.select(Mediation.case_id, Mediator.user_id)
        .join(mediation_mediators, mediation_mediators.c.mediation_id == Mediation.id)
        .join(Mediator, Mediator.id == mediation_mediators.c.mediator_id)
        .where(Mediation.case_id.in_(case_ids), Mediator.user_id.is_not(None))).all()


def expire_consents(today: date | None = None) -> int:
    """SPEC §5: silence past the consent period ends the mediation (a job)."""
    today = today or clock.today()
    expired = db.session.scalars(sa.select(Mediation).where(
        Mediation.status == MediationStatus.CONSENT_PENDING, Mediation.consent_due_on.is_not(None),
        Mediation.consent_due_on < today)).all()
    for mediation in expired:
        fail_mediation(mediation, reason="对方逾期未答复，视为不同意调解", actor=None, on=today)
    return len(expired)


def fail_mediation(mediation: Mediation, *, reason: str, actor: User | None, on: date | None = None) -> None:
    """Standalone: the case ends, the parties are told of their other routes.
    Inside an adjudication: the case simply goes on (its clock never stopped)."""
    on = on or clock.today()
    if not reason.strip():
        raise MediationError("请填写调解不成的原因")
    _apply(mediation, _judged(mediation, MediationMove.FAIL))
    mediation.failure_reason, mediation.ended_on = reason, on
    case = mediation.case
    if mediation.within_adjudication:
        summary = f"调解不成（{reason}），案件继续行政裁决程序"
    else:
        case.closed_on = on
        summary = f"调解不成（{reason}）。已告知当事人可以请求行政裁决或者向人民法院起诉"
    record_event(case, EventKind.MEDIATION_FAILED, summary, actor=actor)
    db.session.flush()
    refresh_mediation_deadlines(mediation, on)


def _party_facts(mediation: Mediation) -> list[PartyFacts]:
    return [PartyFacts(m.party.name, m.party.credit_code, tuple(a.firm for a in m.party.agents))
            for m in mediation.parties]


def mediator_conflicts(case: Case) -> list[str]:
    """回避 after a change of the parties or their agents: the reasons a
    mediator of the case's open mediation must now withdraw (each a warning
    of cases.services.party_warnings)."""
    mediation = open_mediation(case)
    if mediation is None:
        return []
    db.session.flush()
    db.session.expire(mediation, ["parties"])
    parties = [PartyFacts(p.name, p.credit_code, tuple(a.firm for a in p.agents)) for p in case.parties]
    return [f"{reason}，请在调解页面更换调解员。" for m in mediation.mediators
            if (reason := conflict_reason(MediatorFacts(m.name, m.organisation.name, m.declared_relations), parties))]


def assign_mediator(mediation: Mediation, mediator: Mediator, *, actor: User) -> None:
    _judged(mediation, MediationMove.ASSIGN)
    if not mediator.is_active:
        raise MediationError("该调解员已停用")
    facts = MediatorFacts(mediator.name, mediator.organisation.name, mediator.declared_relations)
    if reason := conflict_reason(facts, _party_facts(mediation)):
        raise MediationError(reason)
    if mediator in mediation.mediators:
        raise MediationError("该调解员已在本次调解中")
    mediation.mediators.append(mediator)
    if mediator.organisation not in mediation.organisations:
        mediation.organisations.append(mediator.organisation)
    record_event(mediation.case, EventKind.MEDIATION_PROGRESS,
                 f"指派调解员 {mediator.name}（{mediator.organisation.name}）", actor=actor)
    db.session.flush()


def add_organisation(mediation: Mediation, organisation: MediationOrganisation, *, actor: User) -> None:
    if organisation not in mediation.organisations:
        mediation.organisations.append(organisation)
        record_event(mediation.case, EventKind.MEDIATION_PROGRESS, f"{organisation.name}参加调解", actor=actor)
    db.session.flush()


def schedule_session(mediation: Mediation, *, scheduled_at: datetime, place: str, online_link: str,
                     actor: User) -> MediationSession:
    if mediation.status == MediationStatus.CONSENT_PENDING:
        raise MediationError("各方同意调解之前不能安排调解会议")
    _judged(mediation, MediationMove.SCHEDULE)
    if scheduled_at.date() < mediation.started_on:
        raise MediationError("调解会议不能早于各方同意调解之日")
    if not (place.strip() or online_link.strip()):
        raise MediationError("请填写会议地点或线上会议链接")
    session = MediationSession(scheduled_at=scheduled_at, place=place, online_link=online_link)
    mediation.sessions.append(session)
    record_event(mediation.case, EventKind.MEDIATION_PROGRESS, f"安排调解会议：{scheduled_at:%Y-%m-%d %H:%M} {place or online_link}",
                 actor=actor)
    db.session.flush()
    return session


@dataclass
class ProposalData:
    text: str
    positions: dict[int, Position]


def record_session(session: MediationSession, *, attended: set[int], minutes: str, proposals: list[ProposalData],
                   actor: User, today: date | None = None) -> None:
    today = today or clock.today()
    mediation = session.mediation
    _judged(mediation, MediationMove.RECORD_SESSION)
    if session.held:  # its attendance is kept once (a unique row per party)
        raise MediationError("该次调解会议已记录，不能重复记录")
    if session.scheduled_at.date() > today:
        raise MediationError("会议尚未召开，不能记录")
    party_ids = {p.party_id for p in mediation.parties}
    session.held, session.minutes = True, minutes
    session.attendance = [SessionAttendance(party_id=pid, attended=pid in attended) for pid in sorted(party_ids)]
    for data in proposals:
        if not data.text.strip():
            continue
        unknown = set(data.positions) - party_ids
        if unknown:
            raise MediationError("方案意见只能由本次调解的当事人提出")
        session.proposals.append(Proposal(text=data.text, positions=[
            ProposalPosition(party_id=pid, position=pos) for pid, pos in data.positions.items()]))
    record_event(mediation.case, EventKind.MEDIATION_PROGRESS, f"调解会议记录（到场 {len(attended)} 方）", actor=actor)
    db.session.flush()


@dataclass
class TermData:
    debtor_id: int
    creditor_id: int
    kind: TermKind
    amount: Decimal | None
    description: str
    due_on: date | None


def conclude_agreement(mediation: Mediation, *, text: str, partial: bool, terms: list[TermData], concluded_on: date,
                       actor: User, today: date | None = None) -> Agreement:
    today = today or clock.today()
    _judged(mediation, MediationMove.DRAFT_AGREEMENT)
    if concluded_on > today or concluded_on < mediation.started_on:
        raise MediationError("协议日期应在开始调解之日与今天之间")
    if not terms:
        raise MediationError("调解协议至少应有一项条款")
    party_ids = {p.party_id for p in mediation.parties}
    agreement = Agreement(partial=partial, text=text, concluded_on=concluded_on)
    for number, term in enumerate(terms, start=1):
        where = f"第{number}项条款："
        if term.due_on is None:
            raise MediationError(where + "请填写履行期限")
        if term.due_on < concluded_on:
            raise MediationError(where + "履行期限不能早于协议日期")
        if term.debtor_id not in party_ids or term.creditor_id not in party_ids:
            raise MediationError(where + "义务人和权利人须为本次调解的当事人")
        if term.debtor_id == term.creditor_id:
            raise MediationError(where + "义务人和权利人不能是同一方")
        if term.kind == TermKind.MONEY and (term.amount is None or term.amount <= 0):
            raise MediationError(where + "支付款项须填写大于零的金额")
        if term.kind != TermKind.MONEY and not term.description.strip():
            raise MediationError(where + "请写明应当履行的行为")
        agreement.terms.append(AgreementTerm(debtor_id=term.debtor_id, creditor_id=term.creditor_id, kind=term.kind,
                                             amount=term.amount if term.kind == TermKind.MONEY else None,
                                             description=term.description, due_on=term.due_on))
    mediation.agreements.append(agreement)
    record_event(mediation.case, EventKind.AGREEMENT, f"拟定{'部分' if partial else ''}调解协议，共 {len(terms)} 项条款，待各方签署",
                 actor=actor)
    db.session.flush()
    return agreement


def _unsigned(agreement: Agreement) -> tuple[set[int], set[int]]:
    mediation = agreement.mediation
    signed_parties = {s.party_id for s in agreement.signatures if s.party_id}
    signed_mediators = {s.mediator_id for s in agreement.signatures if s.mediator_id}
    return ({p.party_id for p in mediation.parties} - signed_parties,
            {m.id for m in mediation.mediators} - signed_mediators)


def sign_agreement(agreement: Agreement, *, party_id: int | None = None, mediator_id: int | None = None,
                   actor: User, today: date | None = None) -> None:
    """Record who signed when; in force once every party and mediator signed."""
    today = today or clock.today()
    mediation = agreement.mediation
    _judged(mediation, MediationMove.SIGN)
    if mediation.mediators == []:
        raise MediationError("请先指派调解员")
    parties, mediators = _unsigned(agreement)
    if party_id is not None:
        if party_id not in {p.party_id for p in mediation.parties}:
            raise MediationError("签署人不是本次调解的当事人")
        if party_id not in parties:
            raise MediationError("该当事人已签署")
        agreement.signatures.append(Signature(party_id=party_id, recorded_by_id=actor.id))
    elif mediator_id is not None:
        if mediator_id not in {m.id for m in mediation.mediators}:
            raise MediationError("签署人不是本次调解的调解员")
        if mediator_id not in mediators:
            raise MediationError("该调解员已签署")
        agreement.signatures.append(Signature(mediator_id=mediator_id, recorded_by_id=actor.id))
    else:
        raise MediationError("请选择签署人")
    db.session.flush()
    parties, mediators = _unsigned(agreement)
    if not parties and not mediators:
        _take_effect(agreement, actor=actor, today=today)
    refresh_mediation_deadlines(mediation, today)


def _take_effect(agreement: Agreement, *, actor: User, today: date) -> None:
    from casesys.domain.workflow import Action, ActionRefused

    mediation = agreement.mediation
    agreement.effective_on = today
    _apply(mediation, _judged(mediation, MediationMove.AGREE_PARTLY if agreement.partial else MediationMove.AGREE))
    mediation.ended_on = today
    case = mediation.case
    record_event(case, EventKind.AGREEMENT, "调解协议经各方及调解员签署生效", actor=actor)
    if mediation.within_adjudication and not agreement.partial:
        # SPEC §5: success closes the adjudication, as mediated (supervisor approves the
        # closing). The agreement stays in effect whatever follows (issue 9.11): when
        # the closing cannot be asked for now, it waits for the case to be free again.
        try:
            request_action(case, Action.CLOSE_MEDIATED, {"reason": "当事人达成调解协议"}, actor=actor, today=today)
        except ActionRefused as refused:
            record_event(case, EventKind.MEDIATION_PROGRESS,
                         f"调解协议已生效；调解结案暂不能提请（{refused}），待其处理后自动提请", actor=actor)
    db.session.flush()


def request_queued_closing(case: Case, *, actor: User, today: date) -> bool:
    """Ask for the mediated closing an effective agreement is waiting for, once
    the case allows it (no other approval pending, an active state)."""
    from casesys.domain.workflow import Action

    if case.case_type != CaseType.ADJUDICATION or case.state not in ACTIVE or pending_approval(case) is not None:
        return False
    waiting = db.session.scalar(sa.select(Mediation).where(
        Mediation.case_id == case.id, Mediation.within_adjudication.is_(True),
        Mediation.status == MediationStatus.AGREED).limit(1))
    if waiting is None:
        return False
    asked = db.session.scalar(sa.select(sa.func.count(Approval.id)).where(
        Approval.case_id == case.id, Approval.action == Action.CLOSE_MEDIATED.value,
        Approval.requested_at >= datetime.combine(waiting.ended_on, datetime.min.time())))
    if asked:  # asked for once already (then returned or withdrawn): the officer decides
        return False
    request_action(case, Action.CLOSE_MEDIATED, {"reason": "当事人达成调解协议"}, actor=actor, today=today)
    return True


def extend_limit(mediation: Mediation, *, days: int, consenting: set[int], actor: User) -> None:
    """SPEC §5: the limit is extendable with everyone's consent."""
    _judged(mediation, MediationMove.EXTEND)
    if days <= 0 or days > 90:
        raise MediationError("延长天数应在1至90日之间")
    missing = [p.party.name for p in mediation.parties if p.party_id not in consenting]
    if missing:
        raise MediationError("延长调解期限须经各方当事人同意，未同意：" + "、".join(missing))
    mediation.extension_days += days
    record_event(mediation.case, EventKind.MEDIATION_PROGRESS, f"经各方同意，调解期限延长 {days} 日", actor=actor)
    db.session.flush()
    refresh_mediation_deadlines(mediation)


def apply_for_confirmation(agreement: Agreement, *, applied_on: date, court: str, actor: User,
                           today: date | None = None) -> None:
    today = today or clock.today()
    if agreement.effective_on is None:
        raise MediationError("调解协议尚未生效")
    if not may_seek_confirmation(agreement.mediation):
        raise MediationError("只有依法设立的调解组织（如人民调解委员会、行业协会调解组织）主持达成的调解协议可以申请司法确认；"
                             "行政裁决中由本机关主持达成的调解协议不适用")
    window_end = current_calendar().add(agreement.effective_on, int(get_setting("judicial_confirmation_days")),
                                        Unit.CALENDAR).date
    if applied_on > today or applied_on < agreement.effective_on:
        raise MediationError("申请日期应在协议生效之日与今天之间")
    if applied_on > window_end:
        raise MediationError(f"已超过申请司法确认的期限（{window_end.isoformat()}）")
    if not court.strip():
        raise MediationError("请填写受理申请的人民法院")
    agreement.confirmation_applied_on, agreement.confirmation_court = applied_on, court
    record_event(agreement.mediation.case, EventKind.MEDIATION_PROGRESS, f"{applied_on.isoformat()} 向{court}申请司法确认", actor=actor)
    db.session.flush()
    refresh_mediation_deadlines(agreement.mediation, today)


def may_seek_confirmation(mediation: Mediation) -> bool:
    """SPEC §5 (issue 9.10): an agreement reached by a qualifying mediation
    organisation, not one reached inside the office's own adjudication."""
    return not mediation.within_adjudication and any(o.may_seek_confirmation for o in mediation.organisations)


def record_confirmation_result(agreement: Agreement, *, result: str, on: date, actor: User,
                               extended: bool = False) -> None:
    """The court's steps, each with its own date: acceptance (decided within 3
    days), the decision (within 15 days of acceptance, extendable by 10)."""
    if agreement.confirmation_applied_on is None:
        raise MediationError("尚未申请司法确认")
    if result not in ("accepted", "confirmed", "rejected"):
        raise MediationError("请选择法院的确认结果")
    if on < agreement.confirmation_applied_on:
        raise MediationError("日期不能早于申请日期")
    if result == "accepted" or agreement.confirmation_accepted_on is None:
        agreement.confirmation_accepted_on = on if result == "accepted" else agreement.confirmation_applied_on
    if extended and not agreement.confirmation_extended:
        agreement.confirmation_extended = True
        record_event(agreement.mediation.case, EventKind.MEDIATION_PROGRESS, "人民法院决定延长司法确认审查期限", actor=actor)
    if result == "accepted":
        record_event(agreement.mediation.case, EventKind.MEDIATION_PROGRESS,
                     f"{on.isoformat()} 人民法院受理司法确认申请", actor=actor)
    else:
        if on < agreement.confirmation_accepted_on:
            raise MediationError("裁定日期不能早于受理日期")
        agreement.confirmation_result, agreement.confirmation_result_on = result, on
        label = "裁定确认调解协议有效" if result == "confirmed" else "裁定驳回申请"
        record_event(agreement.mediation.case, EventKind.MEDIATION_PROGRESS, f"人民法院{label}", actor=actor)
    db.session.flush()
    refresh_mediation_deadlines(agreement.mediation, on)


def record_performance(term: AgreementTerm, *, done_on: date, proof: str, actor: User,
                       today: date | None = None) -> None:
    today = today or clock.today()
    if term.agreement.effective_on is None:
        raise MediationError("调解协议尚未生效")
    if done_on > today or done_on < term.agreement.concluded_on:
        raise MediationError("履行日期应在协议日期与今天之间")
    if not proof.strip():
        raise MediationError("请说明履行的证明（如转账凭证、销毁记录）")
    term.done_on, term.proof = done_on, proof
    record_event(term.agreement.mediation.case, EventKind.MEDIATION_PROGRESS, f"{term.debtor.name}履行条款：{_term_text(term)}",
                 actor=actor)
    db.session.flush()
    refresh_mediation_deadlines(term.agreement.mediation, today)


def _court_deadlines(prefix: str, agreement: Agreement, calendar) -> dict:
    """SPEC §5: the court decides whether to accept within 3 days of the
    application, and decides within 15 days of accepting (extendable by 10)."""
    wanted = {}
    if agreement.confirmation_applied_on:
        accept = calendar.add(agreement.confirmation_applied_on, 3, Unit.CALENDAR)
        wanted[f"{prefix}court_accept{agreement.id}"] = ("法院决定是否受理司法确认申请", accept.date,
                                                         agreement.confirmation_accepted_on, accept.explain())
    if agreement.confirmation_accepted_on:
        days = 15 + (10 if agreement.confirmation_extended else 0)
        decide = calendar.add(agreement.confirmation_accepted_on, days, Unit.CALENDAR)
        wanted[f"{prefix}court_decide{agreement.id}"] = ("法院作出司法确认裁定", decide.date,
                                                         agreement.confirmation_result_on, decide.explain()
                                                         + ("（已决定延长 10 日）" if agreement.confirmation_extended else ""))
    return wanted


def _term_text(term: AgreementTerm) -> str:
    if term.kind == TermKind.MONEY:
        return f"向{term.creditor.name}支付 {term.amount} 元"
    return f"{term.kind.label}：{term.description}"


# --- deadlines (shared with the reminders of SPEC §10) --------------------------

def refresh_mediation_deadlines(mediation: Mediation, today: date | None = None) -> None:
    """Consent period, mediation limit, judicial-confirmation window and each
    term's due date, stored beside the adjudication deadlines."""
    calendar = current_calendar()
    case = mediation.case
    prefix = f"mediation{mediation.id}_"
    wanted: dict[str, tuple[str, date, date | None, str]] = {}
    closed = None if mediation.open else (mediation.ended_on or clock.today())
    if mediation.consent_due_on:
        consent = calendar.add(mediation.request_served_on, int(get_setting("mediation_consent_days")), Unit.CALENDAR)
        wanted[prefix + "consent"] = ("调解意愿答复期限", mediation.consent_due_on,
                                      mediation.started_on or (closed if mediation.status == MediationStatus.FAILED
                                                               else None),
                                      f"自对方收到调解申请书副本之日（{consent.start}）"
                                      + consent.explain()[len(f"自 {consent.start} "):]
                                      + "（依据：《专利纠纷行政裁决和调解办法》）")
    if mediation.started_on:
        days = mediation.limit_days + mediation.extension_days
        due = calendar.add(mediation.started_on, days, Unit.CALENDAR)
        wanted[prefix + "limit"] = ("调解期限" + ("（法院委派）" if mediation.court_entrusted else ""), due.date, closed,
                                    due.explain() + (f" 含经各方同意延长的 {mediation.extension_days} 日。" if mediation.extension_days else ""))
    for agreement in mediation.agreements:
        if agreement.effective_on:
            window = calendar.add(agreement.effective_on, int(get_setting("judicial_confirmation_days")), Unit.CALENDAR)
            if may_seek_confirmation(mediation):
                wanted[f"{prefix}confirm{agreement.id}"] = ("申请司法确认期限", window.date,
                                                            agreement.confirmation_applied_on, window.explain())
            wanted.update(_court_deadlines(prefix, agreement, calendar))
            for term in agreement.terms:
                wanted[f"{prefix}term{term.id}"] = (f"履行：{term.debtor.name}{_term_text(term)}", term.due_on,
                                                    term.done_on, f"调解协议约定的履行期限（{term.due_on}）")
    existing = {d.kind: d for d in case.deadlines if d.kind.startswith(prefix)}
    for kind, (label, due_on, met_on, explanation) in wanted.items():
        row = existing.pop(kind, None)
        if row is None:
            row = CaseDeadline(kind=kind, owner=Owner.OFFICE)
            case.deadlines.append(row)
        row.label, row.due_on, row.met_on, row.explanation = label[:100], due_on, met_on, explanation
        row.provisional = not calendar.is_known(due_on)
        row.paused = False
    for stale in existing.values():
        case.deadlines.remove(stale)
    db.session.flush()
