"""Oversight services: the dashboard's figures through their cache; the ledger import."""
from __future__ import annotations

import hashlib
import re
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import IntegrityError

from casesys.adjudication.recompute import recompute_deadlines
from casesys.casepage.search import CaseFilters
from casesys.cases.models import Case
from casesys.core import clock
from casesys.extensions import db
from casesys.jobs import enqueue
from casesys.oversight.figures import compute_figures
from casesys.oversight.ledger import (
    LedgerRefused,
    LedgerRow,
    Report,
    advance_sequences,
    check_file_type,
    check_rows,
    insert_cases,
)
from casesys.oversight.models import DashboardSnapshot, ImportMapping

CACHE_VERSION = "2"  # change when the figures' shape changes


@dataclass
class Snapshot:
    figures: dict
    computed_at: datetime
    seconds: float
    key: str = ""

    @property
    def age_minutes(self) -> int:
        return max(0, int((clock.utcnow() - self.computed_at).total_seconds() // 60))

    def table(self, key: str) -> dict | None:
        return next((t for t in self.figures["tables"] if t["key"] == key), None)


def snapshot_key(scope: CaseFilters) -> str:
    # Overdue limits depend on the day: a new day is a new snapshot.
    return "|".join([CACHE_VERSION, str(scope.office_id or "*"), str(scope.date_from or ""),
                     str(scope.date_to or ""), clock.today().isoformat()])


def max_age() -> timedelta:
    return timedelta(seconds=current_app.config.get("DASHBOARD_MAX_AGE_SECONDS", 600))


def request_refresh(user, scope: CaseFilters, key: str, computed_at: datetime) -> None:
    """One refresh job per stale snapshot, however many pages ask."""
    from casesys.oversight.jobs import REFRESH

    enqueue(REFRESH, {"user_id": user.id, "office_id": scope.office_id,
                      "date_from": scope.date_from.isoformat() if scope.date_from else None,
                      "date_to": scope.date_to.isoformat() if scope.date_to else None},
            requested_by=user.id, unique_key=f"figures:{key}:{computed_at.isoformat()}")


def _stored(key: str) -> DashboardSnapshot | None:
    return db.session.scalar(sa.select(DashboardSnapshot).where(DashboardSnapshot.key == key))


def _is_stale(row: DashboardSnapshot, now: datetime) -> bool:
    return now - row.computed_at >= max_age()


def fresh_figures(scope: CaseFilters) -> Snapshot | None:
    """The figures of `scope` if they are stored and young enough: read only,
    nothing for the view to commit (which would expire the user it loaded)."""
    key = snapshot_key(scope)
    row = _stored(key)
    if row is None or _is_stale(row, clock.utcnow()):
        return None
    return Snapshot(row.figures, row.computed_at, row.seconds, key)


def get_figures(user, scope: CaseFilters, *, refresh: bool = False) -> Snapshot:
    """The figures of `scope` as cached, recomputed when older than the allowed
    age or when asked. Flushes; the view commits (a lost race to insert the same
    key only means another request stored the same figures)."""
    key = snapshot_key(scope)
    row = _stored(key)
    now = clock.utcnow()
    if row is not None and not refresh:
        if _is_stale(row, now):
            # Stale: shown as it is (the page says how old) while a job recomputes it.
            request_refresh(user, scope, key, row.computed_at)
        return Snapshot(row.figures, row.computed_at, row.seconds, key)
    figures, seconds = compute_figures(user, scope)
    if row is not None:
        row.figures, row.computed_at, row.seconds = figures, now, seconds
    else:
        try:
            with db.session.begin_nested():
                db.session.add(DashboardSnapshot(key=key, figures=figures, computed_at=now, seconds=seconds))
        except IntegrityError:
            pass
        # Snapshots of past days are never read again.
        db.session.execute(sa.delete(DashboardSnapshot).where(DashboardSnapshot.computed_at < now - timedelta(days=2)))
    db.session.flush()
    return Snapshot(figures, now, seconds, key)


# --- ledger import ------------------------------------------------------------------------

def ledger_dir() -> Path:
    path = Path(current_app.config["UPLOAD_DIR"]) / "ledgers"
    path.mkdir(parents=True, exist_ok=True)
    return path


def ledger_path(sha256: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{64}", sha256 or ""):
        raise FileNotFoundError(sha256)
    return ledger_dir() / f"{sha256}.xlsx"


def store_ledger(stream) -> str:
    """Keep an uploaded ledger (outside the web root, by its SHA-256) once its
    content shows an XLSX workbook; LedgerRefused otherwise."""
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile(dir=ledger_dir(), delete=False, suffix=".part") as handle:
        while chunk := stream.read(1024 * 1024):
            digest.update(chunk)
            handle.write(chunk)
    temporary = Path(handle.name)
    try:
        if temporary.stat().st_size == 0:
            raise LedgerRefused("文件是空的。")
        check_file_type(temporary)
    except LedgerRefused:
        temporary.unlink()
        raise
    target = ledger_path(digest.hexdigest())
    temporary.replace(target)
    return digest.hexdigest()


def existing_numbers(numbers: list[str]) -> set[str]:
    return set(db.session.scalars(sa.select(Case.number).where(Case.number.in_(numbers))))


def remembered_mapping(office_id: int) -> dict:
    row = db.session.scalar(sa.select(ImportMapping).where(ImportMapping.office_id == office_id))
    return dict(row.mapping) if row else {}


def remember_mapping(office_id: int, mapping: dict, *, actor) -> None:
    row = db.session.scalar(sa.select(ImportMapping).where(ImportMapping.office_id == office_id))
    if row is None:
        db.session.add(ImportMapping(office_id=office_id, mapping=mapping, updated_by_id=actor.id))
    else:
        row.mapping, row.updated_by_id = dict(mapping), actor.id
    db.session.flush()


def check_ledger(sha256: str, mapping: dict, *, progress=None) -> Report:
    """The dry run: every bad row, nothing written."""
    return check_rows(ledger_path(sha256), mapping, existing_numbers=existing_numbers, today=clock.today(),
                      progress=progress)


def import_ledger(sha256: str, mapping: dict, *, office, actor_id: int | None, filename: str,
                  progress=None) -> dict:
    """The real run: checks again (the register may have changed since the
    dry run) and imports every row or, if one is bad, none. Flushes; the job
    commits."""
    from casesys.core.audit import record_audit

    rows: list[LedgerRow] = []
    report = check_rows(ledger_path(sha256), mapping, existing_numbers=existing_numbers, today=clock.today(),
                        progress=progress, collect=rows)
    if not report.ok:
        return {"imported": 0, **report.as_dict()}
    # No progress() from here on: it commits, and the import is one transaction.
    ids = insert_cases(rows, office=office, actor_id=actor_id, filename=filename, now=clock.utcnow())
    advance_sequences(rows, office)
    for start in range(0, len(ids), 1000):
        recompute_deadlines(only_case_ids=sa.select(Case.id).where(Case.id.in_(ids[start:start + 1000])),
                            today=clock.today())
    record_audit("imports", "import", {"file": filename, "sha256": sha256, "office_id": office.id, "cases": len(ids)},
                 actor_id=actor_id)
    db.session.flush()
    return {"imported": len(ids), **report.as_dict()}
