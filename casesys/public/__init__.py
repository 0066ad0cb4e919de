"""The public site (SPEC §7): published rulings, typical cases and typical
dishonesty cases, anonymised, without login, under /public/; and the
internal pages where officers ask for publication and supervisors approve."""
from flask import Blueprint

bp = Blueprint("public", __name__, url_prefix="/public")
manage_bp = Blueprint("publishing", __name__, url_prefix="/publishing")


def init_app(app) -> None:
    from casesys.auth.permissions import can_work_on_cases
    from casesys.core.registry import MenuEntry, menu
    from casesys.public import manage, views  # noqa: F401  (the routes)

    menu.add(MenuEntry("main", 50, "公开", "publishing.index", can_work_on_cases, icon="globe",
                       active="publishing."))
