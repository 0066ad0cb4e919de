"""Multi-party mediation rules (SPEC §5), plain Python."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from casesys.domain.enums import CaseState, Labelled
from casesys.domain.errors import Refused
from casesys.domain.workflow import ACTIVE  # SPEC §5: from acceptance to the decision


class MediationStatus(Labelled):
    # The stages a standalone mediation case also has as its state carry that
    # state's label: one name on every page (issue 16.17).
    CONSENT_PENDING = "consent_pending", CaseState.CONSENT_PENDING.label
    MEDIATING = "mediating", CaseState.MEDIATING.label
    AGREED = "agreed", CaseState.AGREED.label
    PARTIAL = "partial", "部分达成协议"
    FAILED = "failed", CaseState.FAILED.label


class MediationMove(Labelled):
    RECORD_SERVICE = "record_service", "登记调解申请书副本的送达"
    RECORD_CONSENT = "record_consent", "登记调解意愿"
    START = "start", "开始调解"
    ASSIGN = "assign", "指派调解员"
    SCHEDULE = "schedule", "安排调解会议"
    RECORD_SESSION = "record_session", "记录调解会议"
    DRAFT_AGREEMENT = "draft_agreement", "达成调解协议"
    SIGN = "sign", "签署调解协议"
    EXTEND = "extend", "延长调解期限"
    AGREE = "agree", "调解协议生效"
    AGREE_PARTLY = "agree_partly", "部分达成协议生效"
    FAIL = "fail", "终止调解"


_S, _M = MediationStatus, MediationMove
# SPEC §5: 征询 (consent_pending) → 调解中 (mediating) once every party agrees
# → 达成协议 / 部分达成 when the agreement takes effect; 调解不成 (failed) from a
# refusal, silence past the consent period, or the mediator ending it. The
# moves that keep the status say in which status they may be made.
MEDIATION_TRANSITIONS: dict[tuple[MediationStatus, MediationMove], MediationStatus] = {
    (_S.CONSENT_PENDING, _M.RECORD_SERVICE): _S.CONSENT_PENDING,
    (_S.CONSENT_PENDING, _M.RECORD_CONSENT): _S.CONSENT_PENDING,
    (_S.CONSENT_PENDING, _M.START): _S.MEDIATING,
    (_S.CONSENT_PENDING, _M.ASSIGN): _S.CONSENT_PENDING,
    (_S.MEDIATING, _M.ASSIGN): _S.MEDIATING,
    (_S.MEDIATING, _M.SCHEDULE): _S.MEDIATING,
    (_S.MEDIATING, _M.RECORD_SESSION): _S.MEDIATING,
    (_S.MEDIATING, _M.DRAFT_AGREEMENT): _S.MEDIATING,
    (_S.MEDIATING, _M.SIGN): _S.MEDIATING,
    (_S.MEDIATING, _M.EXTEND): _S.MEDIATING,
    (_S.MEDIATING, _M.AGREE): _S.AGREED,
    (_S.MEDIATING, _M.AGREE_PARTLY): _S.PARTIAL,
    (_S.CONSENT_PENDING, _M.FAIL): _S.FAILED,
    (_S.MEDIATING, _M.FAIL): _S.FAILED,
}


# SPEC §5: a standalone mediation case is in the state of its mediation (a
# partial agreement is still an agreement); one inside an adjudication leaves
# the case's state to the adjudication.
STANDALONE_CASE_STATE: dict[MediationStatus, CaseState] = {
    _S.CONSENT_PENDING: CaseState.CONSENT_PENDING, _S.MEDIATING: CaseState.MEDIATING,
    _S.AGREED: CaseState.AGREED, _S.PARTIAL: CaseState.AGREED, _S.FAILED: CaseState.FAILED,
}


class MediationMoveRefused(Refused):
    pass


def next_mediation_status(status: str, move: MediationMove) -> MediationStatus:
    """The one judge of mediation statuses: where `move` leads, or refused."""
    try:
        return MEDIATION_TRANSITIONS[(MediationStatus(status), move)]
    except KeyError:
        raise MediationMoveRefused(
            f"调解当前为“{MediationStatus.label_of(status)}”，不能{move.label}") from None


def mediation_allows(status: str, move: MediationMove) -> bool:
    return (MediationStatus(status), move) in MEDIATION_TRANSITIONS


def start_refusal(case_type: str, state: str, *, open_mediation: bool) -> str | None:
    """Why a mediation cannot be started now (SPEC §5): a mediation case once,
    on its receipt; an adjudication between acceptance and decision; one
    mediation at a time. None: it can."""
    if case_type == "adjudication":
        if state not in ACTIVE:
            return "只有已受理、尚未作出裁决的案件可以在裁决中调解"
    elif state != CaseState.RECEIVED:
        return "该调解申请已经处理"
    if open_mediation:
        return "本案已有进行中的调解"
    return None


class Consent(Labelled):
    PENDING = "pending", "未答复"
    AGREED = "agreed", "同意调解"
    REFUSED = "refused", "拒绝调解"


class OrganisationKind(Labelled):  # SPEC §5
    OFFICE = "office", "知识产权管理部门"
    COMMITTEE = "committee", "知识产权人民调解委员会"
    ASSOCIATION = "association", "行业协会"
    WORKSTATION = "workstation", "知识产权保护工作站"
    LAWYER = "lawyer", "律师调解"
    COURT = "court", "委派调解的人民法院"


class TermKind(Labelled):
    MONEY = "money", "支付款项"
    STOP = "stop", "停止侵权行为"
    DESTROY = "destroy", "销毁侵权产品或模具"
    WITHDRAW = "withdraw", "撤回请求或诉讼"
    OTHER = "other", "其他行为"


class Position(Labelled):
    ACCEPT = "accept", "同意"
    REJECT = "reject", "不同意"
    CONSIDER = "consider", "考虑中"


def consent_outcome(consents: Iterable[Consent], *, due: date, today: date) -> MediationStatus | None:
    """SPEC §5: every party must agree; refusal — or silence past the consent
    period — ends the mediation as failed. None while still waiting."""
    consents = list(consents)
    if any(c == Consent.REFUSED for c in consents):
        return MediationStatus.FAILED
    if consents and all(c == Consent.AGREED for c in consents):
        return MediationStatus.MEDIATING
    if today > due:
        return MediationStatus.FAILED
    return None


@dataclass(frozen=True)
class PartyFacts:
    name: str
    credit_code: str | None
    agent_firms: tuple[str, ...] = ()


@dataclass(frozen=True)
class MediatorFacts:
    name: str
    organisation: str
    declared: str = ""  # free text: names or codes the mediator declared a relation with


def conflict_reason(mediator: MediatorFacts, parties: Iterable[PartyFacts]) -> str | None:
    """回避: a mediator of the same organisation as a party or its agent, or
    one who declared a relation with a party, cannot be assigned."""
    org = mediator.organisation.strip()
    declared = mediator.declared or ""
    for party in parties:
        if org and org == party.name.strip():
            return f"调解员{mediator.name}与当事人“{party.name}”属于同一单位，应当回避"
        if org and org in {f.strip() for f in party.agent_firms if f}:
            return f"调解员{mediator.name}与当事人“{party.name}”的代理人属于同一单位，应当回避"
        if party.name and party.name in declared or (party.credit_code and party.credit_code in declared):
            return f"调解员{mediator.name}已申报与当事人“{party.name}”存在利害关系，应当回避"
    return None


AMOUNT_LIMIT = Decimal("1e12")  # the column holds 14 digits, 2 of them decimals


def parse_amount(text: str) -> Decimal:
    """A payment amount in yuan: positive, at most two decimals, below
    AMOUNT_LIMIT (checked before rounding: 1e30 cannot even be rounded)."""
    try:
        value = Decimal(str(text).replace(",", "").replace("，", "").strip())
    except (InvalidOperation, ValueError):
        raise ValueError("金额应为数字，如 50000 或 12500.50") from None
    if not value.is_finite() or value <= 0:
        raise ValueError("金额应大于零")
    if value >= AMOUNT_LIMIT:
        raise ValueError("金额过大，应小于一万亿元")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError("金额最多保留两位小数")
    return value


def term_status(due_on: date, done_on: date | None, today: date) -> str:
    """due | done | overdue (SPEC §5: performance tracking)."""
    if done_on is not None:
        return "done"
    return "overdue" if due_on < today else "due"


@dataclass(frozen=True)
class MediationFigures:
    open: int
    finished: int
    succeeded: int
    average_days: float | None
    terms_overdue: int
    by_status: dict[str, int] = field(default_factory=dict)  # MediationStatus value → mediations

    @property
    def success_rate(self) -> float | None:
        return self.succeeded / self.finished if self.finished else None
