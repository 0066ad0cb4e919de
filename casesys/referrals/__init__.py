"""鄂湘赣 cross-region referrals (SPEC §6): partners, referrals, inbox and
outbox, and the signed exchange between casesys instances."""
from flask import Blueprint

bp = Blueprint("referrals", __name__, url_prefix="/referrals")
exchange_bp = Blueprint("exchange", __name__, url_prefix="/exchange")


def init_app(app) -> None:
    from casesys.adjudication.reminders import reminder_sources
    from casesys.auth.permissions import can_use_referrals, can_work_on_cases
    from casesys.core.registry import MenuEntry, menu
    from casesys.documents.types import register_doc_type
    from casesys.referrals import exports, jobs, views  # noqa: F401  (the routes, list export, job handler)
    from casesys.referrals.documents import ASSISTANCE_LETTER, REFERRAL_LETTER
    from casesys.referrals.reminders import referral_reminders

    register_doc_type(REFERRAL_LETTER)
    register_doc_type(ASSISTANCE_LETTER)
    reminder_sources.register(referral_reminders)  # SPEC §6: referral limits, in the same run
    menu.add(MenuEntry("main", 30, "协作", "referrals.index",
                       lambda user: can_work_on_cases(user) and can_use_referrals(user),
                       icon="arrow-left-right", active="referrals."))
