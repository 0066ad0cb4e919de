"""鄂湘赣 cross-region referrals (SPEC §6): partners, referrals, inbox and
outbox, and the signed exchange between casesys instances."""
from flask import Blueprint

bp = Blueprint("referrals", __name__, url_prefix="/referrals")
exchange_bp = Blueprint("exchange", __name__, url_prefix="/exchange")

from casesys.referrals import jobs, views  # noqa: E402,F401
