"""The adjudication procedure (SPEC §3, §4, §9, §10): steps, approvals,
deadlines and the working-day calendar, hearings, reminders, workload."""
from flask import Blueprint

bp = Blueprint("adjudication", __name__)


def init_app(app) -> None:
    from casesys.adjudication import jobs, views  # noqa: F401  (the routes and job handlers)
    from casesys.adjudication.services import refresh_deadlines
    from casesys.adjudication.workload import WORKLOAD
    from casesys.auth.permissions import can_supervise, can_work_on_cases
    from casesys.cases.services import case_registered
    from casesys.core.registry import MenuEntry, menu
    from casesys.core.tallies import register_tally

    case_registered.register(refresh_deadlines)  # the procedure builds on the register
    register_tally(WORKLOAD)  # the workload page's counts, kept by every flush
    menu.add(
        MenuEntry("main", 90, "工作量", "adjudication.workload",
                  lambda user: can_work_on_cases(user) and can_supervise(user), icon="bar-chart"),
        MenuEntry("user", 10, "期限计算器", "adjudication.calculator", lambda user: user.is_authenticated,
                  active=None),
    )
