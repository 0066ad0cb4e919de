"""What the public site shows (SPEC §7): anonymised rulings and typical
cases, each published and withdrawn with a supervisor's approval. The
content is fixed when published, so later edits of the case never reach the
public page, and the address is a random slug, never an internal id."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from casesys.core.clock import utcnow
from casesys.core.types import enum_column
from casesys.domain.publication import PublicationKind, PublicationState
from casesys.extensions import db


class Publication(db.Model):
    __tablename__ = "publications"
    __table_args__ = (
        sa.Index("ix_publications_state_kind_year", "state", "kind", "year"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(sa.String(24), unique=True)
    kind: Mapped[PublicationKind] = mapped_column(enum_column(PublicationKind, "publication_kind"))
    # moves judged by casesys.domain.publication.PUBLICATION
    state: Mapped[PublicationState] = mapped_column(enum_column(PublicationState, "publication_state"),
                                                    default=PublicationState.PENDING)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(sa.ForeignKey("documents.id"))
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id"))
    title: Mapped[str] = mapped_column(sa.String(300))
    year: Mapped[int]
    # Comma-separated PatentType values, for the search by patent type.
    patent_types: Mapped[str] = mapped_column(sa.String(64), default="")
    # The anonymised content shown (headings, parties, texts, summary).
    content: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    pdf: Mapped[bytes | None] = deferred(mapped_column(sa.LargeBinary))
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    published_at: Mapped[datetime | None]
    withdrawn_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    withdrawn_at: Mapped[datetime | None]
    note: Mapped[str] = mapped_column(sa.String(500), default="")
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    case = relationship("Case")
    office = relationship("Office", lazy="joined")
    document = relationship("Document")
    requested_by = relationship("User", foreign_keys=[requested_by_id], lazy="joined")

    @property
    def audit_case_id(self) -> int:
        return self.case_id

    @property
    def kind_label(self) -> str:
        return PublicationKind.label_of(self.kind)

    @property
    def state_label(self) -> str:
        return PublicationState.label_of(self.state)
