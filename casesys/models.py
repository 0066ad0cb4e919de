"""Every model, imported once so Alembic and the mappers see them all."""
from casesys.adjudication.models import (  # noqa: F401
    Approval,
    CalendarDay,
    CalendarYear,
    CaseDeadline,
    ClockStop,
    DeadlineRule,
    Hearing,
    PanelMember,
    Reminder,
    WorkloadDay,
    WorkloadHandler,
)
from casesys.auth.models import LoginAttempt, LoginThrottle, Office, User, UserRole, UserSession  # noqa: F401
from casesys.cases.models import (  # noqa: F401
    Agent,
    Case,
    CaseEvent,
    CasePatent,
    CaseShare,
    Evidence,
    Party,
    Patent,
)
from casesys.core.models import AuditLog, NumberSequence, Setting  # noqa: F401
from casesys.credit.models import CreditRecord  # noqa: F401,E402
from casesys.desk.models import TodoCase  # noqa: F401
from casesys.documents.models import Document, DocumentContributor, PrintBatch, ServiceRecord  # noqa: F401
from casesys.jobs.models import Job  # noqa: F401,E402
from casesys.mediation.models import (  # noqa: F401
    Agreement,
    AgreementTerm,
    Mediation,
    MediationCount,
    MediationOrganisation,
    MediationParty,
    MediationSession,
    MediationTermDay,
    Mediator,
    Proposal,
    ProposalPosition,
    SessionAttendance,
    Signature,
)
from casesys.oversight.models import DashboardSnapshot, ImportMapping  # noqa: F401
from casesys.public.models import Publication  # noqa: F401,E402
from casesys.referrals.models import (  # noqa: F401
    ExchangeRefusal,
    InboxMessage,
    OutboxMessage,
    Referral,
    ReferralAttachment,
    ReferralMessage,
)
