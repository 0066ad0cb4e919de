"""Credit supervision (SPEC §7): repeat infringers, credit records with
their review, notice, objection and publication, a party's history."""
from flask import Blueprint

bp = Blueprint("credit", __name__)

from casesys.credit import views  # noqa: E402,F401
