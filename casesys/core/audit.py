"""Audit log of every change to a case and its parts (SPEC §2).

One session hook writes a row per inserted, updated or deleted object of an
audited model (one with `audit_case_id`), with the changed fields' old and
new values. Services need not remember to log.
"""
from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, attributes

from casesys.core.clock import utcnow

SKIPPED_FIELDS = {"updated_at", "version", "search_text", "search_grams", "next_due_on", "next_due_kind"}  # derived


def audit_value(value: Any) -> Any:
    if isinstance(value, bytes):  # a frozen PDF: its hash is logged beside it
        return f"<{len(value)} bytes>"
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _column_changes(obj, *, inserted: bool) -> dict[str, list]:
    changes: dict[str, list] = {}
    for column in sa.inspect(obj).mapper.column_attrs:
        key = column.key
        if key in SKIPPED_FIELDS:
            continue
        history = attributes.get_history(obj, key)
        if inserted:
            value = getattr(obj, key)
            if value not in (None, ""):
                changes[key] = [None, audit_value(value)]
        elif history.has_changes():
            old = history.deleted[0] if history.deleted else None
            new = history.added[0] if history.added else None
            changes[key] = [audit_value(old), audit_value(new)]
    return changes


def current_actor_id(session: Session) -> int | None:
    if "actor_id" in session.info:
        return session.info["actor_id"]
    try:
        from flask_login import current_user

        if current_user and current_user.is_authenticated:
            return current_user.id
    except Exception:  # outside a request: CLI, scheduler
        return None
    return None


def _audit_rows(session: Session) -> list[dict]:
    rows = []
    for action, objects in (
        ("insert", session.new), ("update", session.dirty), ("delete", session.deleted)
    ):
        for obj in objects:
            if not hasattr(type(obj), "audit_case_id"):
                continue
            changes = (
                {} if action == "delete" else _column_changes(obj, inserted=action == "insert")
            )
            if action == "update" and not changes:
                continue
            rows.append(
                {
                    "at": utcnow(),
                    "actor_id": current_actor_id(session),
                    "case_id": obj.audit_case_id,
                    "table_name": obj.__tablename__,
                    "row_id": obj.id,
                    "action": action,
                    "changes": changes,
                }
            )
    return rows


def write_audit_rows(session: Session, _context) -> None:
    rows = _audit_rows(session)
    if rows:
        from casesys.core.models import AuditLog

        session.connection().execute(sa.insert(AuditLog.__table__), rows)


def install_audit_hook(session_class) -> None:
    """Idempotent: several apps in one process (tests) share the class."""
    if not sa.event.contains(session_class, "after_flush", write_audit_rows):
        sa.event.listen(session_class, "after_flush", write_audit_rows)


def record_audit(table_name: str, action: str, changes: dict, *, actor_id: int | None,
                 row_id: int | None = None, case_id: int | None = None) -> None:
    """One audit row for what the session hook does not see: exports,
    imports, administrators' actions on accounts."""
    from casesys.core.models import AuditLog
    from casesys.extensions import db

    db.session.execute(sa.insert(AuditLog.__table__).values(
        at=utcnow(), actor_id=actor_id, case_id=case_id, table_name=table_name, row_id=row_id, action=action,
        changes=changes))
