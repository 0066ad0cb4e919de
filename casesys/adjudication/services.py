"""Running a case through the procedure (SPEC §3, §4): request an action,
approve or send it back, apply it, keep the deadlines current. Functions
change objects, record events and flush; callers commit."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa

from casesys.adjudication.calendars import current_calendar
from casesys.adjudication.models import Approval, CaseDeadline, ClockStop, Hearing, PanelMember
from casesys.adjudication.rules import current_rules
from casesys.auth.models import User
from casesys.cases.models import Case
from casesys.cases.services import EvidenceData, add_evidence, record_event
from casesys.cases.storage import StoredFile
from casesys.core import clock
from casesys.core.database import built_once
from casesys.core.registry import Hook
from casesys.domain.deadlines import (
    ClockStop as StopFacts,
)
from casesys.domain.deadlines import (
    DeadlineFacts,
    ReminderLevel,
    Respondent,
    answer_rule_key,
    compute_deadlines,
    is_adjudication_kind,
)
from casesys.domain.enums import CaseState, EvidenceKind, PartyRole, Procedure
from casesys.domain.events import EventKind
from casesys.domain.workflow import (
    CLOSING_OF,
    STEPS,
    Action,
    ActionRefused,
    ApprovalMove,
    CaseFacts,
    ClosingType,
    PatentFacts,
    check_action,
    competence_problem,
    next_approval_status,
    target_state,
)
from casesys.extensions import db

STOP_KINDS = {"suspension": "中止", "announcement": "公告送达", "appraisal": "技术鉴定"}


# --- facts for the pure rules -------------------------------------------------

def case_facts(case: Case, today: date | None = None) -> CaseFacts:
    last_hearing = max((h for h in case.hearings if h.held), key=lambda h: h.scheduled_at, default=None)
    upcoming = min((h for h in case.hearings if not h.held), key=lambda h: h.scheduled_at, default=None)
    return CaseFacts(
        state=case.state, procedure=case.procedure, received_on=case.received_on,
        accepted_on=case.accepted_on,
        patents=tuple(PatentFacts(cp.patent.patent_type, cp.patent.legal_status, cp.patent.evaluation)
                      for cp in case.case_patents),
        panel_size=len(case.panel), has_presiding=any(m.presiding for m in case.panel),
        extensions=case.extensions, served_on=case.served_on, answer_received_on=case.answer_received_on,
        requester_absent=bool(last_hearing and last_hearing.requester_attended is False
                              and not last_hearing.absence_excused),
        suspended_from=CaseState(case.suspended_from) if case.suspended_from else None, decision_outcome=case.decision_outcome,
        conditions=case.conditions or {},
        next_hearing_on=upcoming.scheduled_at.date() if upcoming else None, today=today or clock.today(),
        unserved_respondents=sum(1 for r in respondents(case) if served_on(r) is None),
        unanswered_respondents=sum(1 for r in respondents(case) if served_on(r) and answered_on(r) is None),
    )


# --- respondents (SPEC §3: service and answer per respondent) -------------------

def respondents(case: Case) -> list:
    return [p for p in case.parties if p.role == PartyRole.RESPONDENT]


def served_on(party) -> date | None:
    """The respondent's receipt of the request copy; a case whose service was
    recorded for all respondents at once (before per-respondent records) counts."""
    return party.request_served_on or party.case.served_on


def answered_on(party) -> date | None:
    case = party.case
    if party.answer_received_on or len(respondents(case)) != 1:
        return party.answer_received_on
    return case.answer_received_on  # one respondent, recorded before per-respondent records


def respondent_facts(case: Case) -> tuple[Respondent, ...]:
    return tuple(Respondent(str(p.id), p.name, served_on(p), answered_on(p)) for p in respondents(case))


def answer_due(case: Case, party) -> date | None:
    """The last day of the respondent's answer period (SPEC §3, §4)."""
    if served_on(party) is None:
        return None
    rule = current_rules()[answer_rule_key(deadline_facts(case))]
    return current_calendar().add(served_on(party), rule.amount, rule.unit).date


def check_answer_period(case: Case, what: str, *, on: date, field: str | None = None) -> None:
    """SPEC §3 (issue 9.5): no hearing, deliberation or decision before every
    respondent has answered or its answer period has run out. `on` is the day
    of the hearing, or today for deliberation and decision."""
    for party in respondents(case):
        if served_on(party) is None:
            raise ActionRefused(f"尚未向被请求人{party.name}送达请求书副本，不能{what}", field=field)
    running = [(answer_due(case, p), p) for p in respondents(case) if answered_on(p) is None]
    due, party = max(((d, p) for d, p in running if on <= d), key=lambda item: item[0], default=(None, None))
    if due is not None:  # the latest period still running is the one to name: it sets the earliest day
        raise ActionRefused(
            f"被请求人{party.name}的答辩期至 {due.isoformat()} 届满，收到其答辩书或答辩期届满前不能{what}"
            f"（最早 {(due + timedelta(days=1)).isoformat()}）", field=field)


def deadline_facts(case: Case) -> DeadlineFacts:
    return DeadlineFacts(
        procedure=case.procedure, received_on=case.received_on, accepted_on=case.accepted_on,
        served_on=case.served_on, answer_received_on=case.answer_received_on,
        answer_forwarded_on=case.answer_forwarded_on, short_answer_agreed=case.short_answer_agreed,
        extended=case.extensions > 0, decided_on=case.decided_on, decision_served_on=case.decision_served_on,
        closed_on=case.closed_on, not_accepted=case.state == CaseState.NOT_ACCEPTED,
        stops=tuple(StopFacts(s.kind, s.started_on, s.ended_on) for s in case.clock_stops),
        respondents=respondent_facts(case),
        ruling_receipts=tuple((str(p.id), p.name, p.decision_received_on) for p in case.parties
                              if p.decision_received_on),
    )


# --- deadlines ----------------------------------------------------------------

def refresh_deadlines(case: Case, today: date | None = None) -> None:
    """Recompute the case's deadlines and store them (SPEC §9: shown with why)."""
    if case.case_type.value != "adjudication":
        return
    computed = compute_deadlines(deadline_facts(case), current_rules(), current_calendar(), today or clock.today())
    existing = {d.kind: d for d in case.deadlines if is_adjudication_kind(d.kind)}
    for item in computed:
        row = existing.pop(item.kind, None) or CaseDeadline(kind=item.kind)
        if row.id is None:
            case.deadlines.append(row)
        row.label, row.owner, row.due_on, row.provisional = item.label, item.owner, item.due, item.provisional
        row.paused, row.met_on, row.explanation = item.paused, item.met_on, item.explanation
    for stale in existing.values():
        case.deadlines.remove(stale)


# --- requesting, approving, applying ------------------------------------------

def _check_date(value: date | None, case: Case, label: str, *, not_before: date | None = None,
                not_before_label: str = "收到请求日期", today: date, field: str | None = None) -> date:
    if value is None:
        raise ActionRefused(f"请填写{label}", field=field)
    floor = not_before or case.received_on
    if value < floor:
        raise ActionRefused(f"{label}不能早于{not_before_label}（{floor.isoformat()}）", field=field)
    if value > today:
        raise ActionRefused(f"{label}不能晚于今天", field=field)
    return value


def pending_approval(case: Case) -> Approval | None:
    return db.session.scalar(_pending_approval_statement(), {"case_id": case.id})


@built_once
def _pending_approval_statement() -> sa.Select:
    return sa.select(Approval).where(Approval.case_id == sa.bindparam("case_id"), Approval.status == "pending")


def request_action(case: Case, action: Action, payload: dict[str, Any], *, actor: User,
                   today: date | None = None) -> Approval | None:
    """Check and then either apply the action or queue it for approval."""
    today = today or clock.today()
    _prepare(case, action, payload)
    check_action(action, case_facts(case, today))
    _check_answer_protected(case, action, today)
    if STEPS[action].approval:
        if pending_approval(case) is not None:
            raise ActionRefused("本案已有待审批的申请，请等待负责人审批后再提出")
        _validate_payload(case, action, payload, today)
        approval = Approval(case_id=case.id, action=action.value, payload=payload, requested_by_id=actor.id)
        db.session.add(approval)
        record_event(case, EventKind.APPROVAL_REQUESTED, f"提请负责人审批：{action.label}", actor=actor,
                     action=action.value)
        db.session.flush()
        return approval
    apply_action(case, action, payload, actor=actor, today=today)
    return None


def approve(approval: Approval, *, actor: User, comment: str = "", today: date | None = None) -> None:
    status = next_approval_status(approval.status, ApprovalMove.APPROVE)
    if approval.requested_by_id == actor.id:
        raise ActionRefused("不能审批本人提出的申请")
    action = Action(approval.action)
    case = approval.case
    check_action(action, case_facts(case))
    _check_answer_protected(case, action, today or clock.today())
    approval.status, approval.decided_by_id, approval.decided_at = status, actor.id, clock.utcnow()
    approval.comment = comment
    apply_action(case, action, dict(approval.payload), actor=actor, today=today or clock.today(),
                 approved=True)
    _tell_requester(approval, f"{case.number} {action.label}已获批准" + (f"：{comment}" if comment else ""))
    _after_decision(case, approval.requested_by, today or clock.today())


def _tell_requester(approval: Approval, message: str) -> None:
    """The requester learns of the decision on the to-do list (menu badge)."""
    from casesys.adjudication.worklists import add_todo_notice

    add_todo_notice(approval.requested_by_id, approval.case, kind=f"approval:{approval.id}", message=message,
                    level=ReminderLevel.DECIDED)


def send_back(approval: Approval, *, actor: User, comment: str) -> None:
    status = next_approval_status(approval.status, ApprovalMove.RETURN)
    if approval.requested_by_id == actor.id:
        raise ActionRefused("不能审批本人提出的申请")
    if not comment.strip():
        raise ActionRefused("退回时请说明理由")
    approval.status, approval.decided_by_id, approval.decided_at = status, actor.id, clock.utcnow()
    approval.comment = comment
    record_event(approval.case, EventKind.APPROVAL_RETURNED,
                 f"负责人退回：{Action(approval.action).label}。{comment}", actor=actor)
    _tell_requester(approval, f"{approval.case.number} {Action(approval.action).label}被退回：{comment}")
    db.session.flush()
    _after_decision(approval.case, approval.requested_by, clock.today())


def withdraw_request(approval: Approval, *, actor: User) -> None:
    status = next_approval_status(approval.status, ApprovalMove.WITHDRAW)
    if approval.requested_by_id != actor.id:
        raise ActionRefused("只有申请人本人可以撤回申请")
    approval.status, approval.decided_at = status, clock.utcnow()
    record_event(approval.case, EventKind.APPROVAL_RETURNED, f"申请人撤回：{Action(approval.action).label}", actor=actor)
    db.session.flush()
    _after_decision(approval.case, actor, clock.today())


def _check_answer_protected(case: Case, action: Action, today: date) -> None:
    """SPEC §3, §4 (issue 9.5): deliberation and decision, simplified included,
    wait for every respondent's answer or the end of its period."""
    if action in (Action.DELIBERATE, Action.DECIDE):
        check_answer_period(case, action.label, on=today)
    if action == Action.ACCEPT:
        office = case.office
        entrusting = office.entrusted_by
        problem = competence_problem(office.level.value, office.handles_patent_disputes,
                                     (entrusting.level.value, entrusting.handles_patent_disputes) if entrusting else None,
                                     office.entrustment_reference)
        if problem:
            raise ActionRefused(problem)


def _prepare(case: Case, action: Action, payload: dict[str, Any]) -> None:
    """Facts the request itself establishes before the rules are checked:
    the screening (recorded even when acceptance is refused) and the procedure."""
    if action in (Action.ACCEPT, Action.REJECT):
        case.conditions = dict(payload.get("conditions") or {})
        if action == Action.ACCEPT:
            case.procedure = Procedure(payload.get("procedure") or Procedure.ORDINARY)
            case.short_answer_agreed = bool(payload.get("short_answer_agreed"))


def _validate_payload(case: Case, action: Action, payload: dict[str, Any], today: date) -> None:
    if action in (Action.SUSPEND,):
        started = date.fromisoformat(payload["started_on"])
        _check_date(started, case, "中止日期", not_before=case.accepted_on, not_before_label="受理日期", today=today)
        if payload.get("on_invalidation"):
            # SPEC §3 (issue 9.8): the CNIPA acceptance notice of the invalidation request, number and date
            if not (payload.get("reference") or "").strip():
                raise ActionRefused("因无效宣告请求中止的，请填写国家知识产权局受理通知书编号", field="reference")
            notice_on = _as_date(payload, "reference_date")
            if notice_on is None:
                raise ActionRefused("请填写受理通知书日期", field="reference_date")
            if notice_on > today:
                raise ActionRefused("受理通知书日期不能晚于今天", field="reference_date")
    if action in (Action.REJECT, Action.WITHDRAW, Action.REVOKE, Action.SUSPEND, Action.CONVERT,
                  Action.EXTEND, Action.DEEM_WITHDRAWN) and not (payload.get("reason") or "").strip():
        raise ActionRefused("请填写理由")
    if action == Action.TRANSFER and not payload.get("referral_id"):
        raise ActionRefused("案件移送请在“跨区域协作”中新建移送事项并发送")  # SPEC §6
    if action == Action.DECIDE and payload.get("outcome") not in (ClosingType.INFRINGEMENT, ClosingType.DISMISSED):
        raise ActionRefused("请选择裁决结果")


def _as_date(payload: dict[str, Any], key: str) -> date | None:
    value = payload.get(key)
    return date.fromisoformat(value) if isinstance(value, str) and value else value


def apply_action(case: Case, action: Action, payload: dict[str, Any], *, actor: User, today: date,
                 approved: bool = False) -> None:
    """Change the case as the action says, move its state, record the event."""
    facts = case_facts(case)
    summary = APPLIERS.get(action, _no_details)(case, payload, today) or ""
    if action == Action.RECORD_ANSWER and payload.get("answer_file"):
        _file_answer(case, payload, actor)
    db.session.flush()  # the action's own records (a hearing) count for where it leads
    new_state = target_state(action, case_facts(case) if action == Action.HOLD_HEARING else facts)
    if action == Action.SUSPEND:
        case.suspended_from = facts.state.value
    if action == Action.RESUME:
        case.suspended_from = None
    if action in CLOSING_OF:
        case.closing_type = CLOSING_OF[action].value
        case.closed_on = today
    case.state = new_state
    prefix = "经负责人批准，" if approved else ""
    record_event(case, EventKind.for_action(action), prefix + action.label + (f"：{summary}" if summary else ""),
                 actor=actor, action=action.value, payload=payload)
    refresh_deadlines(case, today)
    db.session.flush()
    if not approved:  # after an approval, in the requester's name (see approve)
        _after_decision(case, actor, today)


#: A step of a case's procedure applied, the case still open: what waited for
#: it may be asked for now (issue 9.11: a mediated closing queued behind
#: another approval). Filled at app creation.
case_free_again = Hook("case_free_again")


def _after_decision(case: Case, actor: User, today: date) -> None:
    if case.state not in (CaseState.CLOSED, CaseState.NOT_ACCEPTED):
        case_free_again(case, actor=actor, today=today)


def _no_details(case, payload, today):
    return payload.get("reason", "")


def _accept(case: Case, payload, today):
    case.accepted_on = today
    return f"适用{case.procedure.label}"


def _respondent(case: Case, payload, *, unserved: bool = False, unanswered: bool = False):
    """The respondent the step is about: the one chosen, or the only one it can be."""
    party_id = payload.get("party_id")
    candidates = [p for p in respondents(case)
                  if (not unserved or served_on(p) is None) and (not unanswered or (served_on(p) and not answered_on(p)))]
    if party_id:
        party = next((p for p in respondents(case) if p.id == int(party_id)), None)
        if party is None:
            raise ActionRefused("请选择本案的被请求人", field="party_id")
        return party
    if len(candidates) == 1:
        return candidates[0]
    raise ActionRefused("请选择被请求人", field="party_id")


def _sync_case_dates(case: Case) -> None:
    """Case-level summaries of the per-respondent records: served when every
    respondent is; the latest answer received (to be forwarded)."""
    served = [served_on(p) for p in respondents(case)]
    case.served_on = max(served) if served and all(served) else None
    answers = [p.answer_received_on for p in respondents(case) if p.answer_received_on]
    if answers:
        case.answer_received_on = max(answers)


def _serve(case: Case, payload, today):
    party = _respondent(case, payload, unserved=True)
    if party.request_served_on is not None:
        raise ActionRefused(f"已记录被请求人{party.name}收到请求书副本", field="party_id")
    party.request_served_on = _check_date(_as_date(payload, "served_on"), case, "送达日期",
                                          not_before=case.accepted_on, not_before_label="受理日期", today=today,
                                          field="served_on")
    _sync_case_dates(case)
    return f"被请求人{party.name}于 {party.request_served_on.isoformat()} 收到请求书副本"


def _record_answer(case: Case, payload, today):
    party = _respondent(case, payload, unanswered=True)
    if served_on(party) is None:
        raise ActionRefused(f"尚未向被请求人{party.name}送达请求书副本", field="party_id")
    if party.answer_received_on is not None:
        raise ActionRefused(f"已登记被请求人{party.name}的答辩书", field="party_id")
    party.answer_received_on = _check_date(_as_date(payload, "answer_received_on"), case, "收到答辩书日期",
                                           not_before=served_on(party), not_before_label="送达日期", today=today,
                                           field="answer_received_on")
    _sync_case_dates(case)
    payload["party_id"] = party.id  # recorded with the event; the answer file goes with it
    return f"{party.answer_received_on.isoformat()} 收到被请求人{party.name}的答辩书"


def _file_answer(case: Case, payload, actor: User) -> None:
    """The respondent's own answer document, kept with the case's materials (issue 16.10)."""
    party = next(p for p in respondents(case) if p.id == payload["party_id"])
    add_evidence(case, EvidenceData(StoredFile(**payload["answer_file"]), {
        "party_id": party.id, "kind": EvidenceKind.PARTY_STATEMENT,
        "description": f"答辩书（{party.name}，{party.answer_received_on.isoformat()} 收到）"}), actor=actor, quiet=True)


def _forward_answer(case: Case, payload, today):
    if case.answer_received_on is None:
        raise ActionRefused("尚未收到答辩书")
    case.answer_forwarded_on = _check_date(_as_date(payload, "forwarded_on"), case, "转送日期",
                                           not_before=case.answer_received_on, not_before_label="收到答辩书日期",
                                           today=today)
    return f"{case.answer_forwarded_on.isoformat()} 转送请求人"


def set_panel(case: Case, member_ids: list[int], presiding_id: int | None) -> str:
    """SPEC §3 (ordinary: ≥3, odd, one presiding); SPEC §4 (simplified: one handler)."""
    ids = list(dict.fromkeys(member_ids))
    if case.procedure == Procedure.ORDINARY and (len(ids) < 3 or len(ids) % 2 == 0):
        raise ActionRefused("合议组应由三名以上单数办案人员组成", field="members")
    if case.procedure == Procedure.SIMPLIFIED and len(ids) != 1:
        raise ActionRefused("简易程序由一名办案人员独任审理", field="members")
    if presiding_id not in ids:
        raise ActionRefused("请从合议组成员中指定组长（承办人）", field="presiding")
    users = db.session.scalars(sa.select(User).where(User.id.in_(ids))).all()
    if len(users) != len(ids) or any(u.office_id != case.office_id for u in users):
        raise ActionRefused("合议组成员须为本机关的办案人员", field="members")
    case.panel.clear()
    db.session.flush()
    for user in sorted(users, key=lambda u: ids.index(u.id)):
        case.panel.append(PanelMember(user_id=user.id, presiding=user.id == presiding_id))
    return "、".join(u.full_name + ("（组长）" if u.id == presiding_id else "") for u in users)


def _set_panel(case: Case, payload, today):
    return set_panel(case, [int(i) for i in payload.get("members", [])], int(payload.get("presiding") or 0) or None)


def _schedule_hearing(case: Case, payload, today):
    scheduled_at = datetime.fromisoformat(payload["scheduled_at"])
    check_answer_period(case, "安排口头审理", on=scheduled_at.date(), field="scheduled_at")
    notice_on = _as_date(payload, "notice_served_on")
    if notice_on is not None:  # else recorded later, from the notice's service ledger (issue 16.11)
        _check_date(notice_on, case, "通知送达日期", not_before=case.accepted_on, not_before_label="受理日期",
                    today=today, field="notice_served_on")
        rule = current_rules()["hearing_notice"]
        earliest = earliest_hearing_day(notice_on)
        if scheduled_at.date() < earliest:
            raise ActionRefused(
                f"口头审理通知应至少提前{rule.unit.quantity(rule.amount)}送达：通知于 {notice_on.isoformat()} 送达的，"
                f"口头审理最早安排在 {earliest.isoformat()}", field="scheduled_at")
    if not (payload.get("place") or "").strip():
        raise ActionRefused("请填写口头审理地点")
    case.hearings.append(Hearing(scheduled_at=scheduled_at, place=payload["place"], notice_served_on=notice_on))
    return f"定于 {scheduled_at:%Y-%m-%d %H:%M} 在{payload['place']}口头审理"


def earliest_hearing_day(notice_on: date) -> date:
    """SPEC §3: the notice reaches the parties at least 3 working days (the rule) before the hearing."""
    rule = current_rules()["hearing_notice"]
    return current_calendar().add(notice_on, rule.amount, rule.unit).date


def record_hearing_notice_served(case: Case, received_on: date, *, today: date) -> Hearing | None:
    """Issue 16.11: a hearing scheduled before its notice was drafted; the notice's
    receipt, recorded in its service ledger, is checked against the lead time then."""
    hearing = next((h for h in reversed(case.hearings) if not h.held), None)
    if hearing is None:
        return None
    earliest = earliest_hearing_day(received_on)
    if hearing.scheduled_at.date() < earliest:
        rule = current_rules()["hearing_notice"]
        raise ActionRefused(
            f"口头审理通知应至少提前{rule.unit.quantity(rule.amount)}送达：通知于 {received_on.isoformat()} 收到的，"
            f"口头审理最早在 {earliest.isoformat()}，请先改期（现定于 {hearing.scheduled_at:%Y-%m-%d}）",
            field="received_on")
    if hearing.notice_served_on is None or received_on > hearing.notice_served_on:
        hearing.notice_served_on = received_on  # the last party to receive it counts
    refresh_deadlines(case, today)
    return hearing


def _hold_hearing(case: Case, payload, today):
    pending = [h for h in case.hearings if not h.held]
    if not pending:
        raise ActionRefused("没有已安排的口头审理")
    hearing = pending[-1]
    if hearing.scheduled_at.date() > today:
        raise ActionRefused("口头审理尚未到期，不能记录")
    if hearing.notice_served_on is None:
        raise ActionRefused("口头审理通知书的送达尚未登记，不能记录口头审理（请在通知书的送达记录中登记收到日期）")
    hearing.held = True
    hearing.requester_attended = bool(payload.get("requester_attended"))
    hearing.respondent_attended = bool(payload.get("respondent_attended"))
    hearing.absence_excused = bool(payload.get("absence_excused"))
    hearing.notes = payload.get("notes", "")
    notes = []
    if not hearing.requester_attended and not hearing.absence_excused:
        notes.append("请求人无正当理由缺席，应按撤回处理")
    if not hearing.respondent_attended:
        notes.append("被请求人缺席，缺席审理")
    return "；".join(notes) or "双方到庭"


def _deliberate(case: Case, payload, today):
    """SPEC §3 (issue 9.6): an oral hearing is held when the case needs one; the
    panel may decide on the papers (书面审理), with the reason recorded."""
    reason = (payload.get("reason") or "").strip()
    if case.procedure == Procedure.ORDINARY and not any(h.held for h in case.hearings):
        if not reason:
            raise ActionRefused("普通程序不经口头审理而书面审理的，请填写书面审理的理由", field="reason")
        case.paper_review_reason = reason
        return f"书面审理：{reason}"
    return reason


def _decide(case: Case, payload, today):
    case.decision_outcome = payload["outcome"]
    case.decision_text = payload.get("decision_text", "")
    case.decided_on = today
    return ClosingType(case.decision_outcome).label


def _serve_decision(case: Case, payload, today):
    received = _check_date(_as_date(payload, "decision_served_on"), case, "裁决书送达日期",
                           not_before=case.decided_on, not_before_label="裁决日期", today=today,
                           field="decision_served_on")
    party_id = payload.get("party_id")
    # SPEC §3: each party's period to sue runs from its own receipt; without a
    # party named, every party not yet recorded received it that day.
    for party in case.parties:
        if party.decision_received_on is None and party_id in (None, party.id):
            party.decision_received_on = received
    case.decision_served_on = min(p.decision_received_on for p in case.parties if p.decision_received_on)
    return f"{'当事人' if party_id is None else next(p.name for p in case.parties if p.id == party_id)}于 {received.isoformat()} 收到裁决书"


def record_decision_receipt(case: Case, party_id: int | None, received_on: date, *, actor: User,
                            today: date) -> None:
    """A party's receipt of the ruling from the service ledger: the first one
    serves the decision; each starts that party's period to sue."""
    if case.state == CaseState.DECIDED:
        apply_action(case, Action.SERVE_DECISION,
                     {"decision_served_on": received_on.isoformat(), "party_id": party_id}, actor=actor, today=today)
        return
    party = next((p for p in case.parties if p.id == party_id), None)
    if party is not None and party.decision_received_on is None and case.decided_on:
        party.decision_received_on = received_on
        refresh_deadlines(case, today)


def _close(case: Case, payload, today):
    case.closing_type = case.decision_outcome
    case.closed_on = today
    return ClosingType(case.decision_outcome).label


def _suspend(case: Case, payload, today):
    started = _as_date(payload, "started_on") or today
    notice_on = _as_date(payload, "reference_date")
    case.clock_stops.append(ClockStop(kind="suspension", started_on=started, reason=payload.get("reason", ""),
                                      reference=payload.get("reference", ""), reference_date=notice_on))
    reference = payload.get("reference")
    dated = f"，{notice_on.isoformat()}" if notice_on else ""
    return payload.get("reason", "") + (f"（国家知识产权局受理通知书：{reference}{dated}）" if reference else "")


def _resume(case: Case, payload, today):
    stop = next((s for s in reversed(case.clock_stops) if s.kind == "suspension" and s.ended_on is None), None)
    if stop is None:
        raise ActionRefused("没有正在进行的中止")
    stop.ended_on = _check_date(_as_date(payload, "ended_on"), case, "恢复日期", not_before=stop.started_on,
                                not_before_label="中止日期", today=today)
    return f"{stop.ended_on.isoformat()} 恢复审理，中止 {(stop.ended_on - stop.started_on).days} 日不计入审理期限"


def _convert(case: Case, payload, today):
    case.procedure = Procedure.ORDINARY
    case.converted_on = today
    case.panel.clear()  # SPEC §4: a panel must be formed
    return payload.get("reason", "") + "；审理期限自原受理之日起计算，须组成合议组"


def _extend(case: Case, payload, today):
    case.extensions += 1
    return payload.get("reason", "")


APPLIERS = {
    Action.ACCEPT: _accept, Action.SERVE: _serve, Action.RECORD_ANSWER: _record_answer,
    Action.FORWARD_ANSWER: _forward_answer, Action.SET_PANEL: _set_panel,
    Action.SCHEDULE_HEARING: _schedule_hearing, Action.HOLD_HEARING: _hold_hearing, Action.DECIDE: _decide,
    Action.DELIBERATE: _deliberate,
    Action.SERVE_DECISION: _serve_decision, Action.CLOSE: _close, Action.SUSPEND: _suspend,
    Action.RESUME: _resume, Action.CONVERT: _convert, Action.EXTEND: _extend,
}


def record_clock_stop(case: Case, *, kind: str, started_on: date, ended_on: date | None, reason: str,
                      actor: User, today: date | None = None) -> ClockStop:
    """Public announcement service or appraisal: the clock stops (SPEC §3)."""
    today = today or clock.today()
    if kind not in ("announcement", "appraisal"):
        raise ActionRefused("未知的期限中止类型")
    if case.accepted_on is None:
        raise ActionRefused("案件尚未受理")
    _check_date(started_on, case, "开始日期", not_before=case.accepted_on, not_before_label="受理日期", today=today)
    if ended_on is not None and ended_on < started_on:
        raise ActionRefused("结束日期不能早于开始日期")
    stop = ClockStop(kind=kind, started_on=started_on, ended_on=ended_on, reason=reason)
    case.clock_stops.append(stop)
    record_event(case, EventKind.CLOCK_STOPPED, f"{STOP_KINDS[kind]}：{started_on.isoformat()} 起"
                 + (f"至 {ended_on.isoformat()}" if ended_on else "") + "，期间不计入审理期限", actor=actor)
    refresh_deadlines(case, today)
    db.session.flush()
    return stop


def end_clock_stop(case: Case, stop: ClockStop, ended_on: date, *, actor: User, today: date | None = None) -> None:
    today = today or clock.today()
    if stop.ended_on is not None:
        raise ActionRefused("该期限中止已结束")
    if stop.kind == "suspension":
        raise ActionRefused("中止审理请通过“恢复审理”结束")
    _check_date(ended_on, case, "结束日期", not_before=stop.started_on, not_before_label="开始日期", today=today)
    stop.ended_on = ended_on
    record_event(case, EventKind.CLOCK_RESUMED, f"{STOP_KINDS[stop.kind]}结束（{ended_on.isoformat()}）", actor=actor)
    refresh_deadlines(case, today)
    db.session.flush()
