from flask import Blueprint

bp = Blueprint("adjudication", __name__)

from casesys.adjudication import jobs, views  # noqa: E402,F401
