"""Adjudication procedure as data (SPEC §3, §4): which action may be taken
in which state, what it needs, whether a supervisor must approve it, and where
it leads. `check_action` is the only judge; services apply what it allows.

Plain Python: the facts of a case come in as a `CaseFacts` snapshot.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from casesys.domain.enums import (
    CaseState as S,
)
from casesys.domain.enums import (
    EvaluationConclusion,
    Labelled,
    PatentStatus,
    PatentType,
    Procedure,
)
from casesys.domain.errors import Refused


class Action(Labelled):
    ACCEPT = "accept", "受理"
    REJECT = "reject", "不予受理"
    SERVE = "serve", "送达请求书副本"
    RECORD_ANSWER = "record_answer", "登记答辩"
    FORWARD_ANSWER = "forward_answer", "转送答辩书"
    SET_PANEL = "set_panel", "组成合议组"
    SCHEDULE_HEARING = "schedule_hearing", "安排口头审理"
    HOLD_HEARING = "hold_hearing", "记录口头审理"
    DELIBERATE = "deliberate", "进入合议"  # ordinary procedure without a hearing: 书面审理, with a reason
    DECIDE = "decide", "作出裁决"
    SERVE_DECISION = "serve_decision", "送达裁决书"
    CLOSE = "close", "结案"
    SUSPEND = "suspend", "中止审理"
    RESUME = "resume", "恢复审理"
    CONVERT = "convert", "转为普通程序"
    EXTEND = "extend", "延长审理期限"
    WITHDRAW = "withdraw", "撤回请求结案"
    DEEM_WITHDRAWN = "deem_withdrawn", "按撤回处理"
    REVOKE = "revoke", "撤销案件"
    CLOSE_MEDIATED = "close_mediated", "调解结案"
    TRANSFER = "transfer", "移送结案"


class ClosingType(Labelled):  # SPEC §3
    INFRINGEMENT = "infringement", "裁决侵权成立"
    DISMISSED = "dismissed", "裁决驳回请求"
    MEDIATED = "mediated", "调解结案"
    WITHDRAWN = "withdrawn", "撤回请求"
    DEEMED_WITHDRAWN = "deemed_withdrawn", "按撤回处理"
    REVOKED = "revoked", "撤销案件"
    NOT_ACCEPTED = "not_accepted", "不予受理"
    TRANSFERRED = "transferred", "移送结案"


# SPEC §3: the five acceptance conditions; §4: the simplified-procedure checklist.
ACCEPTANCE_CONDITIONS = {
    "standing": "请求人是专利权人或者利害关系人",
    "respondent": "有明确的被请求人",
    "claims": "有明确的请求事项和具体的事实、理由",
    "jurisdiction": "属于本机关受案范围和管辖（被请求人住所地或侵权行为地）",
    "no_court_action": "当事人没有就该专利侵权纠纷向人民法院起诉",
}
SIMPLIFIED_CONDITIONS = {
    "facts_clear": "事实清楚",
    "rights_clear": "权利义务关系明确",
    "evidence_sufficient": "证据充分",
    "ownership_undisputed": "专利权属无争议且未处于无效宣告程序中",
    "evaluation_ok": "实用新型、外观设计专利有未否定其专利性的专利权评价报告",
}

ACTIVE = (S.ACCEPTED, S.ANSWER_PERIOD, S.HEARING, S.DELIBERATION)


@dataclass(frozen=True)
class Step:
    sources: tuple[S, ...]
    target: S | None          # None: the state stays (a fact is recorded)
    approval: bool = False    # SPEC §1: acceptance, conversion, extension, suspension, closing
    panel_needed: bool = False


STEPS: dict[Action, Step] = {
    Action.ACCEPT: Step((S.RECEIVED,), S.ACCEPTED, approval=True),
    Action.REJECT: Step((S.RECEIVED,), S.NOT_ACCEPTED, approval=True),
    Action.SERVE: Step((S.ACCEPTED, S.ANSWER_PERIOD), S.ANSWER_PERIOD),  # per respondent
    Action.RECORD_ANSWER: Step((S.ANSWER_PERIOD, S.HEARING), None),
    Action.FORWARD_ANSWER: Step((S.ANSWER_PERIOD, S.HEARING, S.DELIBERATION), None),
    Action.SET_PANEL: Step((S.ACCEPTED, S.ANSWER_PERIOD, S.HEARING, S.DELIBERATION, S.SUSPENDED), None),
    Action.SCHEDULE_HEARING: Step((S.ANSWER_PERIOD, S.HEARING), S.HEARING, panel_needed=True),
    Action.HOLD_HEARING: Step((S.HEARING,), S.DELIBERATION, panel_needed=True),
    Action.DELIBERATE: Step((S.ANSWER_PERIOD,), S.DELIBERATION, panel_needed=True),
    Action.DECIDE: Step((S.DELIBERATION,), S.DECIDED, approval=True, panel_needed=True),
    Action.SERVE_DECISION: Step((S.DECIDED,), S.SERVED_DECISION),
    Action.CLOSE: Step((S.SERVED_DECISION,), S.CLOSED),
    Action.SUSPEND: Step(ACTIVE, S.SUSPENDED, approval=True),
    Action.RESUME: Step((S.SUSPENDED,), None),  # back to the state it left
    Action.CONVERT: Step((S.ACCEPTED, S.ANSWER_PERIOD, S.HEARING, S.DELIBERATION, S.SUSPENDED), None, approval=True),
    Action.EXTEND: Step(ACTIVE + (S.SUSPENDED,), None, approval=True),
    Action.WITHDRAW: Step((S.RECEIVED,) + ACTIVE + (S.SUSPENDED,), S.CLOSED, approval=True),
    Action.DEEM_WITHDRAWN: Step((S.HEARING,), S.CLOSED, approval=True),
    Action.REVOKE: Step(ACTIVE + (S.SUSPENDED,), S.CLOSED, approval=True),
    Action.CLOSE_MEDIATED: Step(ACTIVE, S.CLOSED, approval=True),
    # SPEC §6: a case transferred for jurisdiction ends here, with approval.
    Action.TRANSFER: Step((S.RECEIVED,) + ACTIVE + (S.SUSPENDED,), S.CLOSED, approval=True),
}
CLOSING_OF = {
    Action.REJECT: ClosingType.NOT_ACCEPTED, Action.WITHDRAW: ClosingType.WITHDRAWN,
    Action.DEEM_WITHDRAWN: ClosingType.DEEMED_WITHDRAWN, Action.REVOKE: ClosingType.REVOKED,
    Action.CLOSE_MEDIATED: ClosingType.MEDIATED, Action.TRANSFER: ClosingType.TRANSFERRED,
}


class ApprovalStatus(Labelled):  # SPEC §1: a supervisor approves or returns a request
    PENDING = "pending", "待审批"
    APPROVED = "approved", "已批准"
    RETURNED = "returned", "已退回"
    WITHDRAWN = "withdrawn", "已撤回"


class ApprovalMove(Labelled):
    APPROVE = "approve", "批准"
    RETURN = "return", "退回"
    WITHDRAW = "withdraw", "撤回"


# Only a pending request is decided or withdrawn; a decided one stays as it is.
APPROVAL_TRANSITIONS: dict[tuple[ApprovalStatus, ApprovalMove], ApprovalStatus] = {
    (ApprovalStatus.PENDING, ApprovalMove.APPROVE): ApprovalStatus.APPROVED,
    (ApprovalStatus.PENDING, ApprovalMove.RETURN): ApprovalStatus.RETURNED,
    (ApprovalStatus.PENDING, ApprovalMove.WITHDRAW): ApprovalStatus.WITHDRAWN,
}


@dataclass(frozen=True)
class PatentFacts:
    patent_type: PatentType
    legal_status: PatentStatus
    evaluation: EvaluationConclusion


@dataclass(frozen=True)
class CaseFacts:
    """What the rules look at; built from the database by the service."""
    state: S
    procedure: Procedure | None
    received_on: date
    accepted_on: date | None = None
    patents: tuple[PatentFacts, ...] = ()
    panel_size: int = 0
    has_presiding: bool = False
    extensions: int = 0
    served_on: date | None = None
    answer_received_on: date | None = None
    requester_absent: bool = False   # at the last hearing, without good reason
    suspended_from: S | None = None
    decision_outcome: str | None = None
    conditions: dict = field(default_factory=dict)
    next_hearing_on: date | None = None  # the scheduled hearing not yet held
    today: date | None = None
    unserved_respondents: int = 0    # SPEC §3: service and answer per respondent
    unanswered_respondents: int = 0  # served, no answer recorded


class ActionRefused(Refused):
    """The message says why, in Chinese, for the user."""


def competence_problem(level: str, qualified: bool, entrusting: tuple[str, bool] | None,
                       entrustment_reference: str) -> str | None:
    """SPEC §3 (issue 9.7): only an office competent for patent disputes may
    accept — the provincial office, a qualified city office, or a county office
    under a recorded 委托 (`entrusting`: the entrusting office's level and flag)."""
    def competent(lvl: str, flag: bool) -> bool:
        return lvl == "province" or (lvl == "city" and flag)

    if competent(level, qualified):
        return None
    if level == "county" and entrusting is not None and competent(*entrusting) and entrustment_reference.strip():
        return None
    if level == "county":
        return "县级机关须经有权处理专利纠纷的机关委托（已登记委托文件）方可受理专利纠纷案件"
    return "本机关未登记为有权处理专利纠纷的机关，不能受理（请管理员在机关名录中登记）"


def simplified_patent_problem(patents: tuple[PatentFacts, ...]) -> str | None:
    """SPEC §4: patent valid and undisputed; utility models and designs need an
    evaluation report that does not deny patentability."""
    for patent in patents:
        if patent.legal_status != PatentStatus.VALID:
            return "涉案专利处于无效宣告程序中或已终止，不适用简易程序"
        if patent.patent_type in (PatentType.UTILITY_MODEL, PatentType.DESIGN) and patent.evaluation in (
            EvaluationConclusion.NONE, EvaluationConclusion.UNFAVOURABLE
        ):
            return "实用新型或外观设计专利须有未否定其专利性的专利权评价报告，方可适用简易程序"
    return None


def panel_problem(facts: CaseFacts) -> str | None:
    """SPEC §3: ordinary procedure needs an odd panel of at least 3, one presiding;
    SPEC §4: simplified procedure, one handler."""
    if facts.procedure != Procedure.ORDINARY:
        return None
    if facts.panel_size < 3 or facts.panel_size % 2 == 0 or not facts.has_presiding:
        return "普通程序须由三名以上单数办案人员组成合议组，并指定一名组长"
    return None


def check_action(action: Action, facts: CaseFacts, *, max_extensions: int = 1) -> None:
    """Raise ActionRefused unless `action` is allowed now."""
    step = STEPS[action]
    if facts.state not in step.sources:
        raise ActionRefused(f"案件当前状态为“{facts.state.label}”，不能{action.label}")
    if step.panel_needed and (problem := panel_problem(facts)):
        raise ActionRefused(problem)
    rule = _EXTRA_CHECKS.get(action)
    if rule is not None:
        rule(facts, max_extensions)


def _check_accept(facts: CaseFacts, _max) -> None:
    missing = [label for key, label in ACCEPTANCE_CONDITIONS.items() if not facts.conditions.get(key)]
    if missing:
        raise ActionRefused("受理条件未全部满足：" + "；".join(missing))
    if facts.procedure == Procedure.SIMPLIFIED:
        unmet = [label for key, label in SIMPLIFIED_CONDITIONS.items() if not facts.conditions.get(key)]
        if unmet:
            raise ActionRefused("不符合简易程序适用条件：" + "；".join(unmet))
        if problem := simplified_patent_problem(facts.patents):
            raise ActionRefused(problem)


def _check_reject(facts: CaseFacts, _max) -> None:
    if all(facts.conditions.get(key) for key in ACCEPTANCE_CONDITIONS):
        raise ActionRefused("五项受理条件均已满足，不能作出不予受理决定")


def _check_convert(facts: CaseFacts, _max) -> None:
    if facts.procedure != Procedure.SIMPLIFIED:
        raise ActionRefused("只有适用简易程序的案件才能转为普通程序")


def _check_extend(facts: CaseFacts, max_extensions: int) -> None:
    if facts.procedure != Procedure.ORDINARY:
        raise ActionRefused("简易程序案件不能延长期限，如案情复杂应转为普通程序")
    if facts.extensions >= max_extensions:
        raise ActionRefused("审理期限只能延长一次")


def _check_deem_withdrawn(facts: CaseFacts, _max) -> None:
    if not facts.requester_absent:
        raise ActionRefused("只有请求人无正当理由缺席口头审理时，才能按撤回处理")


def _check_hold_hearing(facts: CaseFacts, _max) -> None:
    if facts.next_hearing_on and facts.today and facts.today < facts.next_hearing_on:
        raise ActionRefused(f"口头审理定于{facts.next_hearing_on.isoformat()}，届时方可记录口头审理")


def _check_serve_decision(facts: CaseFacts, _max) -> None:
    if not facts.decision_outcome:
        raise ActionRefused("尚未作出裁决")


_EXTRA_CHECKS = {
    Action.ACCEPT: _check_accept, Action.REJECT: _check_reject, Action.CONVERT: _check_convert,
    Action.EXTEND: _check_extend,
    Action.DEEM_WITHDRAWN: _check_deem_withdrawn,
    Action.SERVE_DECISION: _check_serve_decision, Action.HOLD_HEARING: _check_hold_hearing,
}


def target_state(action: Action, facts: CaseFacts) -> S:
    """Where the action leads; `facts` as they are after the action's record
    (for a hearing: who attended)."""
    step = STEPS[action]
    if action == Action.RESUME:
        return facts.suspended_from or S.ACCEPTED
    if action == Action.HOLD_HEARING and facts.requester_absent:
        return S.HEARING  # SPEC §3: to be treated as withdrawn, with approval
    return step.target or facts.state


# The steps a case normally takes, in the order they come; the rest are
# exceptions (suspension, extension, closing early) shown apart.
ROUTINE = (Action.RESUME, Action.ACCEPT, Action.SET_PANEL, Action.SERVE, Action.RECORD_ANSWER,
           Action.FORWARD_ANSWER, Action.SCHEDULE_HEARING, Action.HOLD_HEARING, Action.DELIBERATE,
           Action.DECIDE, Action.SERVE_DECISION, Action.CLOSE)


#: What the next step is called where the procedure has no panel (SPEC §4).
SIMPLIFIED_LABELS = {Action.DELIBERATE: "审理终结，拟作裁决"}


def action_label(action: Action, procedure: Procedure | None) -> str:
    if procedure == Procedure.SIMPLIFIED:
        return SIMPLIFIED_LABELS.get(action, action.label)
    return action.label


def available_actions(facts: CaseFacts) -> list[Action]:
    """Actions the state allows and the procedure does not rule out (the
    remaining checks run on submit), routine steps first."""
    allowed = []
    for action, step in STEPS.items():
        if facts.state not in step.sources or action == Action.TRANSFER:
            continue  # a transfer starts from its referral (SPEC §6), not from the panel
        rule = _EXTRA_CHECKS.get(action)
        if action == Action.SET_PANEL and facts.procedure == Procedure.SIMPLIFIED:
            continue  # SPEC §4: one handler, no panel to form
        if action in (Action.EXTEND, Action.CONVERT, Action.DELIBERATE, Action.DEEM_WITHDRAWN,
                      Action.HOLD_HEARING) and rule:
            try:
                rule(facts, 1)
            except ActionRefused:
                continue
        if action == Action.SERVE and facts.state == S.ANSWER_PERIOD and not facts.unserved_respondents:
            continue
        if action == Action.RECORD_ANSWER and facts.answer_received_on and not facts.unanswered_respondents:
            continue
        if action == Action.FORWARD_ANSWER and not facts.answer_received_on:
            continue
        allowed.append(action)

    def order(action: Action) -> int:
        if action == Action.SET_PANEL and facts.panel_size:  # formed already: changing it is not the next step
            return len(ROUTINE) - 1
        return ROUTINE.index(action) if action in ROUTINE else len(ROUTINE)

    return sorted(allowed, key=order)


def next_approval_status(status: str, move: ApprovalMove) -> ApprovalStatus:
    """The one judge of an approval request's status."""
    try:
        return APPROVAL_TRANSITIONS[(ApprovalStatus(status), move)]
    except KeyError:
        raise ActionRefused("该申请已处理") from None
