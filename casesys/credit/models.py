"""Credit records (SPEC §7): a finding against a party, reviewed by a
supervisor, told to the party, open to objection, then published for a
period. The states and transitions are in `casesys.domain.credit`."""
from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casesys.core.clock import utcnow
from casesys.core.types import enum_column
from casesys.domain.credit import CreditReason, CreditState
from casesys.domain.enums import PartyKind
from casesys.extensions import db


class CreditRecord(db.Model):
    __tablename__ = "credit_records"
    # The second: the approvals page reads the records of a state oldest first, a page at a time.
    __table_args__ = (sa.Index("ix_credit_records_state_objection_due_on", "state", "objection_due_on"),
                      sa.Index("ix_credit_records_state_id", "state", "id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    # The public address of a published record: random, never the id (SPEC §7).
    slug: Mapped[str] = mapped_column(sa.String(24), unique=True)
    # What found it, once: e.g. "repeat:<case>:<party>"; scans run again without duplicates.
    source_key: Mapped[str] = mapped_column(sa.String(64), unique=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    party_id: Mapped[int] = mapped_column(sa.ForeignKey("parties.id"))
    subject_kind: Mapped[PartyKind] = mapped_column(enum_column(PartyKind, "credit_subject_kind"))
    subject_name: Mapped[str] = mapped_column(sa.String(200))
    # Credit code of an organisation, ID number of a person (SPEC §2).
    subject_code: Mapped[str] = mapped_column(sa.String(18), index=True, default="")
    reason: Mapped[CreditReason] = mapped_column(enum_column(CreditReason, "credit_reason"))
    finding: Mapped[str] = mapped_column(sa.Text, default="")
    state: Mapped[CreditState] = mapped_column(enum_column(CreditState, "credit_state"),
                                               default=CreditState.CANDIDATE)
    basis: Mapped[str] = mapped_column(sa.Text, default="")
    # The anonymised text the public page shows (SPEC §7), fixed at confirmation.
    public_text: Mapped[str] = mapped_column(sa.Text, default="")
    publish_months: Mapped[int | None]
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str] = mapped_column(sa.Text, default="")
    notice_document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("documents.id"))
    notified_on: Mapped[date | None]
    objection_due_on: Mapped[date | None]
    objection_due_provisional: Mapped[bool] = mapped_column(default=False)
    publish_until: Mapped[date | None]
    objection: Mapped[str] = mapped_column(sa.Text, default="")
    objection_received_on: Mapped[date | None]
    objection_decision: Mapped[str] = mapped_column(sa.Text, default="")
    withdrawn_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    case = relationship("Case", lazy="joined")
    party = relationship("Party")
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    notice_document = relationship("Document", foreign_keys=[notice_document_id])

    @property
    def audit_case_id(self) -> int:
        return self.case_id


# Repeat infringers who are natural persons are recognised by ID number (SPEC §2, §7).
from casesys.cases.models import Party  # noqa: E402

sa.Index("ix_parties_id_number", Party.__table__.c.id_number)
