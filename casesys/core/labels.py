"""Enum labels for templates: `labels.CaseState.label_of(case.state)`; states
through `state_label` (`state_text` and `state_badge` on pages), the one place their names come from."""
from markupsafe import Markup, escape

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

# A case's state badge: its colour by state (primary for the others).
CASE_BADGE_COLOURS = {"closed": "secondary", "not_accepted": "dark", "failed": "dark", "suspended": "warning",
                      "received": "info", "consent_pending": "info"}

STATE_ENUMS = {"mediation": MediationStatus, "referral": ReferralState, "document": DocumentStatus,
               "approval": ApprovalStatus, "job": JobState, "publication": PublicationState, "outbox": OutboxState,
               "print_batch": PrintBatchStatus}


def state_label(kind: str, state, procedure=None) -> str:
    """The name of a case's state (its procedure may change it), a mediation's,
    a referral's, a document's …: the domain's label, the same on every page (issue 16.17)."""
    if kind == "case":
        return case_state_label(state, procedure)
    return STATE_ENUMS[kind].label_of(getattr(state, "value", state))


def state_text(state, procedure=None, kind: str = "case", class_: str = "", testid: str = "") -> Markup:
    """A state under its one name (`state_label`); data-state says which, so
    a test can check every page names it alike. Python rather than a macro:
    lists show one a row, and a macro call costs several times this."""
    attributes = (f' class="{escape(class_)}"' if class_ else "") + (f' data-testid="{escape(testid)}"' if testid else "")
    which = f"{kind}:{str(state)}" + (f":{str(procedure)}" if procedure else "")
    return Markup(f'<span{attributes} data-state="{escape(which)}">{escape(state_label(kind, state, procedure))}</span>')


def state_badge(case) -> Markup:
    """A case's state as a coloured badge."""
    return state_text(case.state, case.procedure,
                      class_="badge text-bg-" + CASE_BADGE_COLOURS.get(case.state.value, "primary"))


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
