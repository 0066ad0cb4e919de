"""Credit supervision (SPEC §7): repeat infringers, credit records and their
lifecycle, a party's history. Functions flush; callers commit."""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date

import sqlalchemy as sa

from casesys.adjudication.calendars import current_calendar
from casesys.auth.models import Office, User
from casesys.cases.models import Case, Evidence, Party
from casesys.cases.services import record_event
from casesys.core import clock
from casesys.core.database import built_once
from casesys.core.settings import get_setting
from casesys.credit.models import CreditRecord
from casesys.documents.services import person_names
from casesys.domain.calendar import Unit, add_months
from casesys.domain.credit import (
    CreditAction,
    CreditEvent,
    CreditReason,
    CreditRefused,
    CreditState,
    check_transition,
    is_public,
    repeat_window_start,
)
from casesys.domain.enums import PartyKind, PartyRole
from casesys.extensions import db
from casesys.mediation.models import Agreement, AgreementTerm, Mediation

INFRINGEMENT = "infringement"  # the decision outcome "侵权成立" (SPEC §3)


def party_code(party: Party) -> str:
    """SPEC §2: an organisation by its credit code, a person by ID number."""
    return (party.credit_code if party.kind == PartyKind.ORGANISATION else party.id_number) or ""


def _code_column(kind: PartyKind):
    return Party.credit_code if kind == PartyKind.ORGANISATION else Party.id_number


@dataclass(frozen=True)
class Finding:
    case_id: int
    number: str
    office: str
    decided_on: date


def repeat_infringements(case: Case, *, today: date | None = None) -> dict[int, list[Finding]]:
    """SPEC §7: for each respondent of `case`, the other cases of any office
    in which the same respondent (by credit code or ID number) was found
    infringing within the window (a setting, 5 years by default)."""
    return findings_against(coded_respondents(case), case.id, today=today)


def coded_respondents(case: Case) -> tuple[tuple[PartyKind, str, int], ...]:
    """(kind, code, party id) of the case's respondents that have a code: whom the repeat check asks about."""
    return tuple((p.kind, party_code(p), p.id) for p in case.parties
                 if p.role == PartyRole.RESPONDENT and party_code(p))


def findings_against(respondents: tuple[tuple[PartyKind, str, int], ...], case_id: int, *,
                     today: date | None = None) -> dict[int, list[Finding]]:
    """`repeat_infringements` by the respondents' codes (`coded_respondents`), by party id."""
    if not respondents:
        return {}
    since = repeat_window_start(today or clock.today(), int(get_setting("repeat_infringement_years")))
    parties = {(kind, code): party_id for kind, code, party_id in respondents}
    codes = {kind.value: [code for party_kind, code, _ in respondents if party_kind == kind] for kind in PartyKind}
    result: dict[int, list[Finding]] = {}
    for kind, code, other_case_id, number, office, decided_on in db.session.execute(
            _findings_statement(), {**codes, "since": since, "case_id": case_id}):
        findings = result.setdefault(parties[(PartyKind(kind), code)], [])
        if all(f.case_id != other_case_id for f in findings):
            findings.append(Finding(other_case_id, number, office, decided_on))
    return result


@built_once
def _findings_statement() -> sa.Select:
    """Infringement found against respondents by their codes, those of each kind
    bound under its name (and since, case_id — the case itself is left out)."""
    by_code = sa.or_(*(sa.and_(Party.kind == kind, _code_column(kind).in_(sa.bindparam(kind.value, expanding=True)))
                       for kind in PartyKind))
    code = sa.case(*((Party.kind == kind, _code_column(kind)) for kind in PartyKind))
    return (sa.select(Party.kind, code, Case.id, Case.number, Office.name, Case.decided_on)
            .join(Case, Party.case_id == Case.id).join(Office, Case.office_id == Office.id)
            .where(by_code, Party.role == PartyRole.RESPONDENT, Case.decision_outcome == INFRINGEMENT,
                   Case.decided_on >= sa.bindparam("since"), Case.id != sa.bindparam("case_id"))
            .order_by(Case.decided_on.desc()))


def find_party_code(code: str) -> tuple[str, PartyKind] | None:
    """The name and kind under which a code is registered, or None."""
    code = (code or "").strip().upper()[:18]
    row = db.session.execute(
        sa.select(Party.name, Party.kind).where(sa.or_(Party.credit_code == code, Party.id_number == code))
        .order_by(Party.id.desc()).limit(1)).first()
    return (row[0], row[1]) if row else None


def party_cases(code: str) -> list[tuple[Party, Case]]:
    """Every case in which the code appears, newest first."""
    return db.session.execute(
        sa.select(Party, Case).join(Case, Party.case_id == Case.id)
        .where(sa.or_(Party.credit_code == code, Party.id_number == code))
        .order_by(Case.received_on.desc(), Case.id.desc()).limit(500)).all()


def party_records(code: str) -> list[CreditRecord]:
    return db.session.scalars(sa.select(CreditRecord).where(CreditRecord.subject_code == code)
                              .order_by(CreditRecord.id.desc())).all()


# --- candidates ------------------------------------------------------------------

def _add_candidate(source_key: str, case: Case, party: Party, reason: CreditReason, finding: str) -> CreditRecord | None:
    exists = db.session.scalar(sa.select(CreditRecord.id).where(CreditRecord.source_key == source_key))
    if exists is not None:
        return None
    record = CreditRecord(slug=secrets.token_urlsafe(12), source_key=source_key, case_id=case.id, party_id=party.id,
                          subject_kind=party.kind, subject_name=party.name, subject_code=party_code(party),
                          reason=reason, finding=finding, state=CreditState.CANDIDATE)
    record.case = case
    db.session.add(record)
    record_event(case, CreditEvent.CREDIT, f"系统生成信用记录候选：{party.name}，{reason.label}", actor=None)
    return record


def scan_candidates(*, today: date | None = None) -> list[CreditRecord]:
    """Create the candidates the register shows (SPEC §7): repeat
    infringement and mediation terms past due; each once."""
    today = today or clock.today()
    created = [r for r in _repeat_candidates(today) + _term_candidates(today) if r is not None]
    db.session.flush()
    return created


def _repeat_candidates(today: date) -> list[CreditRecord | None]:
    years = int(get_setting("repeat_infringement_years"))
    since = repeat_window_start(today, years)
    rows = db.session.execute(
        sa.select(Party.id, Party.kind, Party.credit_code, Party.id_number, Case.id, Case.decided_on)
        .join(Case, Party.case_id == Case.id)
        .where(Party.role == PartyRole.RESPONDENT, Case.decision_outcome == INFRINGEMENT,
               Case.decided_on.is_not(None), Case.decided_on >= repeat_window_start(since, years))
        .order_by(Case.decided_on, Case.id)).all()
    seen: dict[str, list[tuple[int, date]]] = {}
    found = []
    for party_id, kind, credit_code, id_number, case_id, decided_on in rows:
        code = (credit_code if kind == PartyKind.ORGANISATION else id_number) or ""
        if not code:
            continue
        earlier = [(cid, d) for cid, d in seen.get(code, []) if cid != case_id
                   and d >= repeat_window_start(decided_on, years)]
        if earlier and decided_on >= since:
            found.append((party_id, case_id, earlier))
        seen.setdefault(code, []).append((case_id, decided_on))
    created = []
    for party_id, case_id, earlier in found:
        party, case = db.session.get(Party, party_id), db.session.get(Case, case_id)
        numbers = "、".join(db.session.scalars(sa.select(Case.number).where(Case.id.in_([c for c, _ in earlier]))))
        created.append(_add_candidate(
            f"repeat:{case_id}:{party_id}", case, party, CreditReason.REPEAT_INFRINGEMENT,
            f"{case.number}认定其侵权成立；此前{years}年内已被认定侵权：{numbers}。"))
    return created


def _term_candidates(today: date) -> list[CreditRecord | None]:
    terms = db.session.execute(
        sa.select(AgreementTerm, Mediation.case_id).join(Agreement, AgreementTerm.agreement_id == Agreement.id)
        .join(Mediation, Agreement.mediation_id == Mediation.id)
        .where(AgreementTerm.done_on.is_(None), AgreementTerm.due_on < today,
               Agreement.effective_on.is_not(None))).all()
    return [_add_candidate(f"term:{term.id}", db.session.get(Case, case_id), term.debtor,
                           CreditReason.TERM_NOT_PERFORMED,
                           f"调解协议约定其于{term.due_on.isoformat()}前{term.kind.label}"
                           f"{term.description or ''}，期满未履行。")
            for term, case_id in terms]


def right_to_sue_ends(case: Case) -> date | None:
    """The ruling may be challenged in court within 15 days of its service
    (行政诉讼法第四十五条 as printed on the ruling); after that, unperformed
    orders can count against the party."""
    if case.decision_served_on is None:
        return None
    return current_calendar().add(case.decision_served_on, 15, Unit.CALENDAR).date


def record_ruling_not_performed(case: Case, party: Party, *, note: str, actor: User,
                                today: date | None = None) -> CreditRecord:
    """SPEC §7: the acts the ruling ordered stopped were not stopped (as recorded)."""
    today = today or clock.today()
    if case.decision_outcome != INFRINGEMENT or party.case_id != case.id or party.role != PartyRole.RESPONDENT:
        raise CreditRefused("只有认定侵权成立的裁决，才能对被请求人登记拒不履行")
    ends = right_to_sue_ends(case)
    if ends is None or today <= ends:
        raise CreditRefused("裁决书送达后起诉期限届满，才能登记拒不履行" + (f"（{ends.isoformat()}届满）" if ends else ""))
    if not note.strip():
        raise CreditRefused("请记录未停止侵权行为的情况")
    record = _add_candidate(f"ruling:{case.id}:{party.id}", case, party, CreditReason.RULING_NOT_PERFORMED,
                            f"起诉期限于{ends.isoformat()}届满，未停止侵权行为：{note.strip()}")
    if record is None:
        raise CreditRefused("已登记过该当事人拒不履行本裁决")
    db.session.flush()
    return record


def record_forged_evidence(evidence: Evidence, *, note: str, actor: User) -> CreditRecord:
    """SPEC §7: the panel found a piece of evidence forged."""
    if evidence.party is None:
        raise CreditRefused("该证据未登记提交人，不能登记提供虚假证据")
    if not note.strip():
        raise CreditRefused("请说明认定证据虚假的情况")
    record = _add_candidate(f"forged:{evidence.id}", evidence.case, evidence.party, CreditReason.FORGED_EVIDENCE,
                            f"提交的证据“{evidence.description}”经审查系伪造：{note.strip()}")
    if record is None:
        raise CreditRefused("该证据已登记过")
    db.session.flush()
    return record


# --- the lifecycle -------------------------------------------------------------------

def records_to_notify(case: Case) -> list[CreditRecord]:
    return db.session.scalars(sa.select(CreditRecord).where(
        CreditRecord.case_id == case.id, CreditRecord.state == CreditState.CONFIRMED)
        .order_by(CreditRecord.id)).all()


def notice_text(case: Case) -> str:
    """The default wording of the 信用记录告知书 (SPEC §7)."""
    days = int(get_setting("credit_objection_working_days"))
    lines = []
    for record in records_to_notify(case):
        lines.append(f"经查，{record.subject_name}在{case.number}中存在{record.reason.label}的情形：{record.finding}"
                     f"本机关依据{record.basis}，认定将其列入知识产权领域失信记录，并拟向社会公示{record.publish_months}个月。")
    lines.append(f"如对上述认定有异议，可以自收到本告知书之日起{days}个工作日内向本机关书面提出，并提供相关证据。"
                 "逾期未提出的，本机关将依法予以公示。")
    return "\n".join(lines)


def _public_text(record: CreditRecord) -> str:
    """SPEC §7: what the public page says, anonymised once, at confirmation."""
    from casesys.domain.anonymise import anonymise

    case = record.case
    text = f"{record.finding}\n认定依据：{record.basis}"
    return anonymise(text, person_names=person_names(case), addresses=[p.address for p in case.parties])


def apply_credit_action(record: CreditRecord, action: CreditAction, payload: dict, *, actor: User,
                        today: date | None = None) -> None:
    """The one place a credit record changes state; the timeline and the
    audit log record each step."""
    today = today or clock.today()
    if action == CreditAction.NOTIFY:
        notice = payload.get("notice")
        if notice is not None and (notice.case_id != record.case_id or notice.doc_type != "credit_notice"
                                   or not notice.frozen):
            raise CreditRefused("请选择本案已签发的信用记录告知书")
        if notice is not None and payload.get("notified_on") and payload["notified_on"] < notice.issued_on:
            raise CreditRefused("告知书送达日期不能早于其签发日期")
    record.state = check_transition(record.state, action, payload, today=today,
                                    objection_due_on=record.objection_due_on)
    note = str(payload.get("reason") or "").strip()
    if action == CreditAction.CONFIRM:
        record.basis = str(payload["basis"]).strip()
        record.publish_months = int(payload["publish_months"])
        record.public_text = _public_text(record)
        record.decided_by_id, record.decided_at = actor.id, clock.utcnow()
    elif action == CreditAction.REJECT:
        record.decision_note, record.decided_by_id, record.decided_at = note, actor.id, clock.utcnow()
    elif action == CreditAction.NOTIFY:
        # SPEC §7, §9: the objection period counts working days from the day after service.
        due = current_calendar().add(payload["notified_on"], int(get_setting("credit_objection_working_days")),
                                     Unit.WORKING)
        record.notice_document_id, record.notified_on = payload["notice"].id, payload["notified_on"]
        record.objection_due_on, record.objection_due_provisional = due.date, due.provisional
        record.publish_until = add_months(due.date, record.publish_months or 1)
    elif action == CreditAction.OBJECT:
        record.objection = str(payload["objection"]).strip()
        record.objection_received_on = payload["received_on"]
    elif action in (CreditAction.DISMISS_OBJECTION, CreditAction.SUSTAIN_OBJECTION):
        record.objection_decision = note
    if record.state == CreditState.WITHDRAWN:
        record.withdrawn_at = clock.utcnow()
        if action == CreditAction.WITHDRAW:
            record.decision_note = note
    record_event(record.case, CreditEvent.CREDIT,
                 f"信用记录（{record.subject_name}，{record.reason.label}）：{action.label}" + (f"。{note}" if note else ""),
                 actor=actor)
    db.session.flush()


def record_is_public(record: CreditRecord, today: date | None = None) -> bool:
    return is_public(record.state, today=today or clock.today(), objection_due_on=record.objection_due_on,
                     publish_until=record.publish_until)


def public_records_clause(today: date):
    """The SQL form of `is_public` (SPEC §7)."""
    return sa.and_(CreditRecord.state == CreditState.NOTIFIED, CreditRecord.objection_due_on < today,
                   CreditRecord.publish_until >= today)
