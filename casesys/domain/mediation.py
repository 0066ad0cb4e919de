"""Multi-party mediation rules (SPEC §5), plain Python."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from casesys.domain.enums import Labelled


class MediationStatus(Labelled):
    CONSENT_PENDING = "consent_pending", "征询调解意愿"
    MEDIATING = "mediating", "调解中"
    AGREED = "agreed", "达成协议"
    PARTIAL = "partial", "部分达成协议"
    FAILED = "failed", "调解不成"


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


def parse_amount(text: str) -> Decimal:
    """A payment amount in yuan: positive, at most two decimals."""
    try:
        value = Decimal(str(text).replace(",", "").replace("，", "").strip())
    except (InvalidOperation, ValueError):
        raise ValueError("金额应为数字，如 50000 或 12500.50") from None
    if not value.is_finite() or value <= 0:
        raise ValueError("金额应大于零")
    if value != value.quantize(Decimal("0.01")):
        raise ValueError("金额最多保留两位小数")
    if value >= Decimal("1e12"):
        raise ValueError("金额过大")
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

    @property
    def success_rate(self) -> float | None:
        return self.succeeded / self.finished if self.finished else None
