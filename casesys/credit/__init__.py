"""Credit supervision (SPEC §7): repeat infringers, credit records with
their review, notice, objection and publication, a party's history."""
from flask import Blueprint

bp = Blueprint("credit", __name__)


def init_app(app) -> None:
    from casesys.auth.permissions import can_work_on_cases
    from casesys.core.registry import MenuEntry, menu
    from casesys.credit import views  # noqa: F401  (the routes)
    from casesys.credit.documents import CREDIT_NOTICE
    from casesys.documents.types import register_doc_type

    register_doc_type(CREDIT_NOTICE)
    menu.add(MenuEntry("main", 40, "信用", "credit.index", can_work_on_cases, icon="shield-exclamation",
                       active="credit."))
