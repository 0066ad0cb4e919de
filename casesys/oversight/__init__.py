"""Oversight (SPEC §10, §11): the supervisors' dashboard and statistics, the
monthly report and the import of past ledgers."""
from flask import Blueprint

bp = Blueprint("oversight", __name__)


def init_app(app) -> None:
    from casesys.auth.permissions import can_manage_system, can_supervise, can_work_on_cases
    from casesys.core.registry import MenuEntry, menu
    from casesys.oversight import jobs, views  # noqa: F401  (the routes and job handlers)

    menu.add(
        MenuEntry("main", 80, "统计", "oversight.dashboard",
                  lambda user: can_work_on_cases(user) and can_supervise(user), icon="graph-up"),
        MenuEntry("admin", 40, "台账导入", "oversight.ledger_upload", can_manage_system, active=None),
    )
