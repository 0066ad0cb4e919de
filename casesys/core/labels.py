"""Enum labels for templates: `labels.CaseState.label_of(case.state)`."""
from casesys.domain.enums import (  # noqa: F401
    AgentAuthority, CaseState, CaseType, DisputeKind, EnterpriseType,
    EvaluationConclusion, EvidenceKind, InfringingAct, OfficeLevel, PartyKind,
    PartyRole, PatentStatus, PatentType, Procedure, Role,
)
from casesys.domain.events import EventKind  # noqa: F401
