"""The case register (SPEC §2): registration, parties, patents, evidence,
the audit of every change. Its list and case page are casesys.casepage."""
from flask import Blueprint

bp = Blueprint("cases", __name__, url_prefix="/cases")


def init_app(app) -> None:
    from casesys.auth.permissions import can_register, can_work_on_cases
    from casesys.cases import views  # noqa: F401  (the routes)
    from casesys.core.registry import MenuEntry, menu

    menu.add(
        MenuEntry("main", 110, "登记裁决请求", "cases.new",
                  lambda user: can_work_on_cases(user) and can_register(user, "adjudication"),
                  icon="plus-circle", args=(("case_type", "adjudication"),), active=None),
        MenuEntry("main", 120, "登记调解申请", "cases.new",
                  lambda user: can_work_on_cases(user) and can_register(user, "mediation"),
                  icon="people", args=(("case_type", "mediation"),), active=None),
    )
