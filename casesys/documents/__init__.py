from flask import Blueprint

bp = Blueprint("documents", __name__)

from casesys.documents import batches, views  # noqa: E402,F401  (batches: its job handler)
