"""Every list and table as CSV or XLSX (SPEC §10: all exportable), from one
place (`lists`): the pages of each feature ask `export_format()` and answer
with `export_list(name, fmt)` — a list the feature registered with
`list_export` — or `export_response(...)`; a long XLSX is made by a job and
downloaded from /exports/<id>."""
from flask import Blueprint

from casesys.exports.lists import (  # noqa: F401  (the interface)
    Column,
    audit_export,
    export_format,
    export_list,
    export_response,
    list_export,
    table_export,
    table_sheet,
)

bp = Blueprint("exports", __name__)


def init_app(app) -> None:
    from casesys.exports import jobs, views  # noqa: F401  (the export job, the download)
