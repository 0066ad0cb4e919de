from flask import Blueprint

bp = Blueprint("mediation", __name__)

from casesys.mediation import views  # noqa: E402,F401
