"""The public site (SPEC §7): published rulings, typical cases and typical
dishonesty cases, anonymised, without login, under /public/; and the
internal pages where officers ask for publication and supervisors approve."""
from flask import Blueprint

bp = Blueprint("public", __name__, url_prefix="/public")
manage_bp = Blueprint("publishing", __name__, url_prefix="/publishing")

from casesys.public import manage, views  # noqa: E402,F401
