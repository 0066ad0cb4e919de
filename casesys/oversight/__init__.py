"""Oversight (SPEC §10, §11): the supervisors' dashboard and statistics, the
monthly report, exports of lists to CSV/XLSX and the import of past ledgers."""
from flask import Blueprint

bp = Blueprint("oversight", __name__)

from casesys.oversight import jobs, views  # noqa: E402,F401  (handlers registered with the views)
