"""Multi-party mediation (SPEC §5): organisations and mediators, consent,
sessions, agreements and their performance."""
from flask import Blueprint

bp = Blueprint("mediation", __name__)


def init_app(app) -> None:
    from casesys.adjudication.reminders import before_reminders, reminder_recipients
    from casesys.adjudication.services import case_free_again
    from casesys.auth.permissions import can_work_on_cases
    from casesys.cases.services import party_warnings
    from casesys.core.registry import MenuEntry, menu
    from casesys.core.tallies import register_tally
    from casesys.domain.enums import Role
    from casesys.mediation import views  # noqa: F401  (the routes)
    from casesys.mediation.counts import MEDIATION_COUNTS
    from casesys.mediation.services import (
        expire_consents,
        mediator_conflicts,
        mediator_recipients,
        request_queued_closing,
    )

    party_warnings.register(mediator_conflicts)        # 回避 after a change of the parties
    case_free_again.register(request_queued_closing)   # issue 9.11: the mediated closing that waited
    reminder_recipients.register(mediator_recipients)  # SPEC §10: mediators are reminded too
    before_reminders.register(expire_consents)         # SPEC §5: silence past the consent period
    register_tally(MEDIATION_COUNTS)                   # the mediators' dashboard's counts, kept by every flush
    menu.add(MenuEntry("main", 60, "调解", "mediation.dashboard",
                       lambda user: can_work_on_cases(user) and user.has_role(Role.MEDIATOR, Role.SUPERVISOR),
                       icon="chat-square-text"))
