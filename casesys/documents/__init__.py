from flask import Blueprint

bp = Blueprint("documents", __name__)

from casesys.documents import views  # noqa: E402,F401
