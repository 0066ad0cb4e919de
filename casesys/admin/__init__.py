"""Administration (SPEC §1, §5, §9): users, offices, settings, the
calendar, deadline rules, mediation organisations — each change audited."""
from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")


def init_app(app) -> None:
    from casesys.admin import views  # noqa: F401  (the routes)
    from casesys.auth.permissions import can_manage_system
    from casesys.core.registry import MenuEntry, menu

    menu.add(*(MenuEntry("admin", order, label, endpoint, can_manage_system, active=None)
               for order, label, endpoint in ((10, "用户", "admin.users"), (20, "机关", "admin.offices"),
                                              (30, "参数设置", "admin.settings"), (50, "工作日历", "admin.calendar"),
                                              (60, "调解组织和调解员", "admin.mediation_organisations"),
                                              (70, "期限规则", "admin.deadline_rules"))))
