"""The one place that decides who may see and do what (SPEC §1).

Views call `require_roles` and load their records through these predicates
(casesys.cases.access.get_case_or_abort); templates call the same `can_*`
predicates (exposed as `perm`) so shown buttons and allowed actions never
drift apart. It reads the objects it is given and imports no feature (issue 10.7).

A role that may not use a page → 403. A record the user may not see
(another office's case or referral, another user's job) answers 404 like
one that does not exist, so ids cannot be probed; one they see but may not
change → 403.
"""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user, login_required

from casesys.domain.documents import DocumentMove, can_move, signing_refusal
from casesys.domain.enums import CaseType, Role
from casesys.domain.jobs import JobMove
from casesys.domain.jobs import can_move as can_move_job_state
from casesys.domain.mediation import MediationMove, mediation_allows, start_refusal
from casesys.domain.publication import PUBLICATION, PublicationMove
from casesys.domain.referrals import Side
from casesys.extensions import db

CASE_ROLES = (Role.OFFICER, Role.MEDIATOR, Role.SUPERVISOR)
REGISTER_ROLES = {
    CaseType.ADJUDICATION: (Role.OFFICER, Role.SUPERVISOR),
    CaseType.MEDIATION: (Role.OFFICER, Role.MEDIATOR, Role.SUPERVISOR),
}


def require_roles(*roles: Role):
    """Login, then at least one of `roles`; otherwise 403."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def get_or_abort(model, ident: int, can_see, predicate=None):
    """The row whose page is asked for: 404 when it does not exist or
    `can_see(current_user, row)` refuses (ids cannot be probed, issue 11a),
    403 when the user sees it but `predicate` refuses."""
    row = db.session.get(model, ident)
    if row is None or not can_see(current_user, row):
        abort(404)
    if predicate is not None and not predicate(current_user, row):
        abort(403)
    return row


def can_work_on_cases(user) -> bool:
    return user.is_authenticated and user.has_role(*CASE_ROLES)


def can_register(user, case_type: CaseType) -> bool:
    return user.is_authenticated and user.has_role(*REGISTER_ROLES[CaseType(case_type)])


def _shared_with(case, office_id: int) -> bool:
    return any(share.office_id == office_id for share in case.shares)


def can_view_case(user, case) -> bool:
    """Own office, a case shared with the user's office, or province-wide."""
    if not can_work_on_cases(user):
        return False
    return (
        user.province_wide
        or case.office_id == user.office_id
        or _shared_with(case, user.office_id)
    )


def can_edit_case(user, case) -> bool:
    """Only the owning office changes a case; shared offices read it."""
    if not can_view_case(user, case) or case.office_id != user.office_id:
        return False
    roles = REGISTER_ROLES[CaseType(case.case_type)]
    return user.has_role(*roles)


def home_endpoint(user) -> str:
    """Where a user lands after login: the case list for those who work on
    cases, the administration for an administrator only."""
    if can_work_on_cases(user):
        return "cases.index"
    if can_manage_system(user):
        return "admin.users"
    return "auth.password"


def can_manage_system(user) -> bool:
    return user.is_authenticated and user.has_role(Role.ADMIN)


def can_run_procedure(user, case) -> bool:
    """Procedure steps: the handler, a panel member, or a supervisor of the
    owning office (SPEC §1, §3)."""
    if case.case_type != CaseType.ADJUDICATION or not can_edit_case(user, case):
        return False
    return (
        case.handler_id == user.id
        or any(member.user_id == user.id for member in case.panel)
        or user.has_role(Role.SUPERVISOR)
    )


def can_approve(user, case) -> bool:
    """A supervisor of the case's office, or a province-wide one (SPEC §1).
    Approving one's own request is refused by the service, with a message."""
    if not user.is_authenticated or not user.has_role(Role.SUPERVISOR):
        return False
    return user.province_wide or case.office_id == user.office_id


def document_signing_refusal(user, document) -> str | None:
    """Why `user` may not sign `document` although a supervisor of its case:
    they wrote, changed or submitted its text (SPEC §8, issue 11)."""
    return signing_refusal(user.id, document.writer_ids())


def can_move_document(user, document, move: str) -> bool:
    """A document's buttons (SPEC §8): its state allows the move and the user
    may make it — the case's editors write and submit, its supervisors sign
    and return (one who drafted it does not return it to themselves)."""
    move = DocumentMove(move)
    if not can_move(document.status, move):
        return False
    if move == DocumentMove.RETURN:
        return can_approve(user, document.case) and document.created_by_id != user.id
    if move == DocumentMove.APPROVE:
        return can_approve(user, document.case)
    return can_edit_case(user, document.case)


def can_supervise(user) -> bool:
    return user.is_authenticated and user.has_role(Role.SUPERVISOR)


def can_mediate(user, case) -> bool:
    """SPEC §5: mediators, officers and supervisors of the owning office run
    its mediations, standalone or inside an adjudication."""
    return (
        can_view_case(user, case)
        and case.office_id == user.office_id
        and user.has_role(Role.OFFICER, Role.MEDIATOR, Role.SUPERVISOR)
    )


def can_move_mediation(user, mediation, move: str) -> bool:
    """A mediation's buttons (SPEC §5): its status allows the move and the user runs it."""
    return can_mediate(user, mediation.case) and mediation_allows(mediation.status, MediationMove(move))


def mediation_may_start(case, latest) -> bool:
    """Whether the case may be mediated now (the service's rule, start_refusal)."""
    return start_refusal(case.case_type, case.state, open_mediation=bool(latest and latest.open)) is None


# --- referrals (SPEC §6) -------------------------------------------------------

REFERRAL_ROLES = (Role.OFFICER, Role.SUPERVISOR)


def can_use_referrals(user) -> bool:
    """Officers and supervisors send and answer referrals; mediators and
    administrators do not."""
    return user.is_authenticated and user.has_role(*REFERRAL_ROLES)


def can_view_referral(user, referral) -> bool:
    """The two offices concerned, or a province-wide supervisor."""
    if not can_use_referrals(user):
        return False
    return user.province_wide or user.office_id in (referral.sender_office_id, referral.receiver_office_id)


def referral_side(user, referral):
    """The side the user's office is on (SPEC §6), or None."""
    if not can_use_referrals(user):
        return None
    return referral.side_of(user.office_id)


def proxy_referral_side(user, referral):
    """A partner without casesys answers on paper; the sender's officer
    enters that answer by hand, acting for the receiver (SPEC §6)."""
    if not can_use_referrals(user):
        return None
    partner = referral.receiver_office
    if user.office_id == referral.sender_office_id and partner.is_partner and not partner.runs_casesys:
        return Side.RECEIVER
    return None


# --- credit supervision and publication (SPEC §7) ----------------------------------

def can_review_credit(user, case) -> bool:
    """Confirming, rejecting and withdrawing a credit record, and deciding an
    objection: a supervisor of the case's office or a province-wide one."""
    return can_approve(user, case)


def can_handle_credit(user, case) -> bool:
    """Recording the notice's service, an objection, a ruling not performed:
    officers and supervisors of the owning office."""
    return can_edit_case(user, case)


def can_publish(user, case) -> bool:
    """Publishing and withdrawing need a supervisor's approval (SPEC §7)."""
    return can_approve(user, case)


def can_move_publication(user, publication, move: str) -> bool:
    """Approving, returning and withdrawing: a supervisor, where the publication's state allows it."""
    return can_publish(user, publication.case) and PUBLICATION.allows(publication.state, PublicationMove(move))


def can_request_publication(user, case) -> bool:
    return can_edit_case(user, case) or can_publish(user, case)


def can_view_dashboard(user) -> bool:
    """SPEC §10: supervisors see the dashboard and the statistics."""
    return can_supervise(user)


def dashboard_office(user, office_id: int | None) -> int | None:
    """The office whose figures the user sees: any (or the whole province,
    None) for a province-wide supervisor; otherwise always their own office."""
    return office_id if user.province_wide else user.office_id


# --- background jobs ---------------------------------------------------------------

def can_manage_jobs(user) -> bool:
    """Administrators see every background job, retry and cancel them."""
    return can_manage_system(user)


def can_move_job(user, job, move: str) -> bool:
    """The retry and cancel buttons: administrators, where the job's state allows it."""
    return can_manage_jobs(user) and can_move_job_state(job.state, JobMove(move))


def can_view_job(user, job) -> bool:
    """The user who asked for a job follows it; administrators see all."""
    if not user.is_authenticated:
        return False
    return can_manage_jobs(user) or (job.requested_by_id is not None and job.requested_by_id == user.id)


def can_view_print_batch(user, batch) -> bool:
    """A batch print is its requester's."""
    return user.is_authenticated and batch.requested_by_id == user.id


def can_import_ledger(user) -> bool:
    """Bringing past ledgers into the register is an administrator's task."""
    return can_manage_system(user)
