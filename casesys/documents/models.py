"""Official documents (SPEC §8): drafts, approved and frozen PDFs, their
service ledger, and batch print jobs."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from casesys.auth.models import User
from casesys.core.clock import utcnow
from casesys.core.types import enum_column
from casesys.domain.documents import DocumentStatus, PrintBatchStatus
from casesys.extensions import db


class Document(db.Model):
    __tablename__ = "documents"
    __table_args__ = (sa.Index("ix_documents_case_id_doc_type", "case_id", "doc_type"),
                      sa.Index("ix_documents_status_approved_at", "status", "approved_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"))
    doc_type: Mapped[str] = mapped_column(sa.String(32))
    # moves judged by casesys.domain.documents.next_status
    status: Mapped[DocumentStatus] = mapped_column(enum_column(DocumentStatus, "document_status"),
                                                   default=DocumentStatus.DRAFT)
    # The free-text parts a handler writes (facts found, reasons …).
    texts: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # Assigned at approval, in its own sequence per office, type and year.
    number: Mapped[str | None] = mapped_column(sa.String(64), unique=True)
    verify_code: Mapped[str | None] = mapped_column(sa.String(16), unique=True)
    pdf: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    page_count: Mapped[int | None]
    issued_on: Mapped[date | None]
    corrects_id: Mapped[int | None] = mapped_column(sa.ForeignKey("documents.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    approved_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    case = relationship("Case")
    approved_by: Mapped[User | None] = relationship(foreign_keys=[approved_by_id], lazy="joined")
    corrects: Mapped[Document | None] = relationship(remote_side=[id])
    services: Mapped[list[ServiceRecord]] = relationship(back_populates="document", cascade="all, delete-orphan",
                                                         order_by="ServiceRecord.id")

    @property
    def frozen(self) -> bool:
        return self.status == "approved"

    @property
    def status_label(self) -> str:
        return DocumentStatus.label_of(self.status)

    @property
    def audit_case_id(self) -> int:
        return self.case_id

    def writer_ids(self) -> set[int]:
        """Everyone who wrote the text: who drafted, changed or submitted it,
        or one it corrects (a correction starts from its text). SPEC §8: none
        of them signs it."""
        chain, ids = [], set()
        current: Document | None = self
        while current is not None:
            chain.append(current.id)
            ids.add(current.created_by_id)
            current = current.corrects
        ids.update(db.session.scalars(sa.select(DocumentContributor.user_id)
                                      .where(DocumentContributor.document_id.in_(chain))))
        return ids - {None}


class DocumentContributor(db.Model):
    """Who drafted, changed the text of or submitted a document: one row per
    version they made (issue 11). None of them signs it (SPEC §8: the
    approver is not the drafter)."""

    __tablename__ = "document_contributors"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), index=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(sa.String(16))  # draft | edit | submit
    # The document's version this step made; None: taken from the history
    # (audit log, events) when the table was introduced.
    version: Mapped[int | None]
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ServiceRecord(db.Model):
    """送达: how, to whom, when sent and when received (SPEC §8)."""

    __tablename__ = "service_records"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(sa.ForeignKey("documents.id"), index=True)
    party_id: Mapped[int | None] = mapped_column(sa.ForeignKey("parties.id"))
    recipient: Mapped[str] = mapped_column(sa.String(200))
    method: Mapped[str] = mapped_column(sa.String(16))  # direct | post | electronic | announcement
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    sent_on: Mapped[date]
    received_on: Mapped[date | None]
    note: Mapped[str] = mapped_column(sa.String(300), default="")
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    document: Mapped[Document] = relationship(back_populates="services")

    @property
    def audit_case_id(self) -> int:
        return self.document.case_id


class PrintBatch(db.Model):
    """A merged PDF built by the worker (job documents.print_batch) into a
    file under BATCH_DIR; its progress survives a reload and a dead worker."""

    __tablename__ = "print_batches"
    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    document_ids: Mapped[list[int]] = mapped_column(sa.JSON)
    total: Mapped[int]
    done: Mapped[int] = mapped_column(default=0)
    # moves judged by casesys.domain.documents.PRINT_BATCH
    status: Mapped[PrintBatchStatus] = mapped_column(enum_column(PrintBatchStatus, "print_batch_status"),
                                                     default=PrintBatchStatus.QUEUED)
    error: Mapped[str] = mapped_column(sa.String(500), default="")
    job_id: Mapped[int | None] = mapped_column(sa.ForeignKey("jobs.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    job = relationship("Job")

    @property
    def outcome(self) -> tuple[str, str]:
        """(status, error) as the page shows them: a job that failed for good
        or was cancelled fails its batch."""
        if self.status != PrintBatchStatus.FINISHED and self.job is not None and self.job.state in (
                "failed", "cancelled"):
            return PrintBatchStatus.FAILED.value, (self.job.last_error or "已取消").strip().splitlines()[-1][:500]
        return str(self.status), self.error
