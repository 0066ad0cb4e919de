"""The vocabulary of the domain (SPEC §1–§3, §5): values stored in the
database with their Chinese labels. Plain Python, no framework."""
from __future__ import annotations

from enum import Enum
from typing import cast


class Labelled(str, Enum):
    """A string enum whose members carry a Chinese label: `Member = value, label`."""

    label: str

    # `label` has a default only for the type checker, which reads a lookup
    # `Labelled("value")` as a call of __new__; every member gives its label.
    def __new__(cls, value: str, label: str = ""):
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    def __str__(self) -> str:
        return self.value

    @classmethod
    def choices(cls) -> list[tuple[str, str]]:
        return [(m.value, m.label) for m in cls]

    @classmethod
    def label_of(cls, value: str | None) -> str:
        if value is None:
            return ""
        member = cast("Labelled | None", cls._value2member_map_.get(value))  # a dict lookup: lists ask once a row
        return member.label if member is not None else value


class Role(Labelled):  # SPEC §1
    OFFICER = "officer", "办案人员"
    MEDIATOR = "mediator", "调解员"
    SUPERVISOR = "supervisor", "负责人"
    ADMIN = "admin", "管理员"


class OfficeLevel(Labelled):
    PROVINCE = "province", "省级"
    CITY = "city", "市级"
    COUNTY = "county", "县级"


class CaseType(Labelled):
    ADJUDICATION = "adjudication", "行政裁决"
    MEDIATION = "mediation", "调解"


class Procedure(Labelled):  # SPEC §3, §4
    ORDINARY = "ordinary", "普通程序"
    SIMPLIFIED = "simplified", "简易程序"


class CaseState(Labelled):
    # Adjudication, SPEC §3
    RECEIVED = "received", "已收到请求"
    NOT_ACCEPTED = "not_accepted", "不予受理"
    ACCEPTED = "accepted", "已受理"
    ANSWER_PERIOD = "answer_period", "答辩期"
    HEARING = "hearing", "口头审理"
    DELIBERATION = "deliberation", "合议"
    DECIDED = "decided", "已作出决定"
    SERVED_DECISION = "served_decision", "决定已送达"
    SUSPENDED = "suspended", "中止"
    # Mediation, SPEC §5
    CONSENT_PENDING = "consent_pending", "待对方同意"
    MEDIATING = "mediating", "调解中"
    AGREED = "agreed", "已达成协议"
    FAILED = "failed", "调解不成"
    # Both
    CLOSED = "closed", "已结案"


ADJUDICATION_STATES = (
    CaseState.RECEIVED, CaseState.NOT_ACCEPTED, CaseState.ACCEPTED,
    CaseState.ANSWER_PERIOD, CaseState.HEARING, CaseState.DELIBERATION,
    CaseState.DECIDED, CaseState.SERVED_DECISION, CaseState.SUSPENDED,
    CaseState.CLOSED,
)
MEDIATION_STATES = (
    CaseState.RECEIVED, CaseState.CONSENT_PENDING, CaseState.MEDIATING,
    CaseState.AGREED, CaseState.FAILED, CaseState.CLOSED,
)
# SPEC §4: a simplified case has one handler and no panel, so the step before
# its decision is not 合议 (issue 16.9). The only label that depends on the procedure.
PROCEDURE_STATE_LABELS = {("simplified", "deliberation"): "审理终结"}


def case_state_label(state: str | None, procedure: str | None = None) -> str:
    """The one name of a case's state on every page, list and export (issue 16.17)."""
    if state is None:
        return ""
    key = (getattr(procedure, "value", procedure) or "", getattr(state, "value", state))
    return PROCEDURE_STATE_LABELS.get(key) or CaseState.label_of(key[1])


def case_state_labels() -> set[str]:
    """Every name a case's state is shown under."""
    return {s.label for s in CaseState} | set(PROCEDURE_STATE_LABELS.values())


OPEN_STATES = tuple(
    s for s in CaseState
    if s not in (CaseState.CLOSED, CaseState.NOT_ACCEPTED, CaseState.FAILED)
)


class DisputeKind(Labelled):  # SPEC §5: what a mediation may be about
    INFRINGEMENT = "infringement", "专利侵权纠纷"
    OWNERSHIP = "ownership", "专利权属纠纷"
    INVENTOR_REWARD = "inventor_reward", "发明人奖酬纠纷"
    LICENCE_FEE = "licence_fee", "专利许可使用费纠纷"
    OTHER = "other", "其他专利纠纷"


class PartyRole(Labelled):  # SPEC §2
    REQUESTER = "requester", "请求人"
    RESPONDENT = "respondent", "被请求人"
    THIRD_PARTY = "third_party", "第三人"


MEDIATION_ROLE_LABELS = {PartyRole.REQUESTER: "申请人", PartyRole.RESPONDENT: "被申请人"}


def party_role_label(role: PartyRole, case_type: CaseType) -> str:
    """Mediation calls the sides 申请人/被申请人 (SPEC §5)."""
    if case_type == CaseType.MEDIATION:
        return MEDIATION_ROLE_LABELS.get(role, role.label)
    return role.label


class PartyKind(Labelled):
    PERSON = "person", "自然人"
    ORGANISATION = "organisation", "法人或其他组织"


class EnterpriseType(Labelled):  # SPEC §2, for statistics
    PRIVATE = "private", "民营"
    STATE = "state", "国有"
    FOREIGN = "foreign", "外资"
    INDIVIDUAL = "individual", "个人"
    ACADEMIC = "academic", "高校院所"
    OTHER = "other", "其他"


class AgentAuthority(Labelled):
    GENERAL = "general", "一般授权"
    SPECIAL = "special", "特别授权"


class PatentType(Labelled):
    INVENTION = "invention", "发明"
    UTILITY_MODEL = "utility_model", "实用新型"
    DESIGN = "design", "外观设计"


class PatentStatus(Labelled):
    VALID = "valid", "有效"
    INVALIDATION_PENDING = "invalidation_pending", "无效宣告程序中"
    TERMINATED = "terminated", "终止"


class EvaluationConclusion(Labelled):
    """专利权评价报告 conclusion (utility models and designs, SPEC §2, §4)."""
    NONE = "none", "无评价报告"
    FAVOURABLE = "favourable", "未发现不符合授权条件的缺陷"
    PARTLY = "partly", "部分权利要求不符合授权条件"
    UNFAVOURABLE = "unfavourable", "全部权利要求不符合授权条件"


class InfringingAct(Labelled):
    MAKE = "make", "制造"
    USE = "use", "使用"
    OFFER = "offer", "许诺销售"
    SELL = "sell", "销售"
    IMPORT = "import", "进口"


class EvidenceKind(Labelled):
    DOCUMENT = "document", "书证"
    PHYSICAL = "physical", "物证"
    AUDIOVISUAL = "audiovisual", "视听资料"
    ELECTRONIC = "electronic", "电子数据"
    WITNESS = "witness", "证人证言"
    APPRAISAL = "appraisal", "鉴定意见"
    INSPECTION = "inspection", "勘验笔录"
    PARTY_STATEMENT = "party_statement", "当事人陈述"
