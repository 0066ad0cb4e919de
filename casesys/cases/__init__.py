from flask import Blueprint

bp = Blueprint("cases", __name__, url_prefix="/cases")

from casesys.cases import views  # noqa: E402,F401
