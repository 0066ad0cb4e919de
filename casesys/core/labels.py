"""Enum labels for templates: `labels.CaseState.label_of(case.state)`."""
from casesys.domain.enums import (  # noqa: F401
    AgentAuthority, CaseState, CaseType, DisputeKind, EnterpriseType,
    EvaluationConclusion, EvidenceKind, InfringingAct, OfficeLevel, PartyKind,
    PartyRole, PatentStatus, PatentType, Procedure, Role,
)
from casesys.domain.events import EventKind  # noqa: F401


def approval_summary(approval) -> str:
    """A line on what the supervisor is asked to approve."""
    from casesys.domain.workflow import ClosingType

    from casesys.domain.workflow import ACCEPTANCE_CONDITIONS

    payload = approval.payload or {}
    parts = []
    if payload.get("conditions"):
        met = sum(1 for key in ACCEPTANCE_CONDITIONS if payload["conditions"].get(key))
        parts.append(f"受理条件满足 {met}/{len(ACCEPTANCE_CONDITIONS)} 项")
    if payload.get("procedure"):
        parts.append("适用" + Procedure.label_of(payload["procedure"]))
    if payload.get("outcome"):
        parts.append(ClosingType.label_of(payload["outcome"]))
    for key in ("decision_text", "reason", "reference"):
        if payload.get(key):
            parts.append(str(payload[key]))
    return "；".join(parts)
