"""Enum labels for templates: `labels.CaseState.label_of(case.state)`; states
through `state_label` (the `state_text` macro), the one place their names come from."""
from casesys.domain.documents import DocumentStatus, PrintBatchStatus
from casesys.domain.enums import (  # noqa: F401
    PROCEDURE_STATE_LABELS,
    AgentAuthority,
    CaseState,
    CaseType,
    DisputeKind,
    EnterpriseType,
    EvaluationConclusion,
    EvidenceKind,
    InfringingAct,
    OfficeLevel,
    PartyKind,
    PartyRole,
    PatentStatus,
    PatentType,
    Procedure,
    Role,
    case_state_label,
)
from casesys.domain.events import EventKind  # noqa: F401
from casesys.domain.jobs import JobState
from casesys.domain.mediation import MediationStatus
from casesys.domain.publication import PublicationState
from casesys.domain.referrals import OutboxState, ReferralState
from casesys.domain.workflow import ApprovalStatus

STATE_ENUMS = {"mediation": MediationStatus, "referral": ReferralState, "document": DocumentStatus,
               "approval": ApprovalStatus, "job": JobState, "publication": PublicationState, "outbox": OutboxState,
               "print_batch": PrintBatchStatus}


def state_label(kind: str, state, procedure=None) -> str:
    """The name of a case's state (its procedure may change it), a mediation's,
    a referral's, a document's …: the domain's label, the same on every page (issue 16.17)."""
    if kind == "case":
        return case_state_label(state, procedure)
    return STATE_ENUMS[kind].label_of(getattr(state, "value", state))


def case_state_choices() -> list[tuple[str, str]]:
    """The case list's state filter: a state shown under two names names both."""
    variants: dict[str, list[str]] = {}
    for (_, state), label in PROCEDURE_STATE_LABELS.items():
        variants.setdefault(state, []).append(label)
    return [(s.value, "／".join([s.label, *variants.get(s.value, [])])) for s in CaseState]


def approval_summary(approval) -> str:
    """A line on what the supervisor is asked to approve."""
    from casesys.domain.workflow import ACCEPTANCE_CONDITIONS, ClosingType

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
