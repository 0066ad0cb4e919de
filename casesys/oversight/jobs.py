"""Background work of oversight: the ledger's dry run and its import (both
read up to 100,000 rows; they report progress while checking), the refresh
of stale dashboard figures."""
from __future__ import annotations

from casesys.auth.models import Office, User
from casesys.casepage.search import CaseFilters
from casesys.extensions import db
from casesys.jobs import job_handler
from casesys.oversight.services import check_ledger, import_ledger

CHECK, IMPORT, REFRESH = "oversight.check_ledger", "oversight.import_ledger", "oversight.refresh_figures"


@job_handler(REFRESH, max_attempts=3, label="统计数据更新")
def refresh_figures_job(job, progress) -> dict:
    """Recompute a stale dashboard snapshot in the background (SPEC §10, §11)."""
    from datetime import date

    from casesys.oversight.services import get_figures

    user = db.session.get(User, job.payload["user_id"])
    day = lambda value: date.fromisoformat(value) if value else None  # noqa: E731
    scope = CaseFilters(office_id=job.payload["office_id"], date_from=day(job.payload["date_from"]),
                        date_to=day(job.payload["date_to"]))
    snapshot = get_figures(user, scope, refresh=True)
    return {"seconds": round(snapshot.seconds, 2), "total": snapshot.figures["total"]}


@job_handler(CHECK, max_attempts=3, label="台账试导入（检查）")
def check_ledger_job(job, progress) -> dict:
    report = check_ledger(job.payload["sha256"], job.payload["mapping"], progress=progress)
    return {"dry_run": True, "imported": 0, **report.as_dict()}


@job_handler(IMPORT, max_attempts=3, label="台账导入")
def import_ledger_job(job, progress) -> dict:
    office = db.session.get(Office, job.payload["office_id"])
    result = import_ledger(job.payload["sha256"], job.payload["mapping"], office=office,
                           actor_id=job.requested_by_id, filename=job.payload.get("filename", ""),
                           progress=progress)
    return {"dry_run": False, **result}
