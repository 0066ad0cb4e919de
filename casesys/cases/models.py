"""The case register: cases, parties, agents, patents, evidence, timeline
(SPEC §2)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casesys.auth.models import Office, User
from casesys.core.clock import utcnow
from casesys.core.types import enum_column
from casesys.domain.enums import (
    AgentAuthority,
    CaseState,
    CaseType,
    DisputeKind,
    EnterpriseType,
    EvaluationConclusion,
    EvidenceKind,
    InfringingAct,
    PartyKind,
    PartyRole,
    PatentStatus,
    PatentType,
    Procedure,
)
from casesys.extensions import db


class Case(db.Model):
    __tablename__ = "cases"
    __table_args__ = (
        sa.Index("ix_cases_office_id_received_on", "office_id", "received_on", "id"),
        sa.Index("ix_cases_received_on_id", "received_on", "id"),
        sa.Index("ix_cases_handler_id_state", "handler_id", "state"),
        sa.Index("ix_cases_state_office_id", "state", "office_id"),
        # The to-do list reads only cases with an open deadline (a fifth of them), by
        # handler or by id, with their state: small partial indexes, no case row read
        # (next_due_on in them too: SQLite counts an index as covering only with every column used).
        sa.Index("ix_cases_todo_handler", "handler_id", "id", "state", "closing_type", "next_due_on",
                 postgresql_where=sa.text("next_due_on IS NOT NULL"), sqlite_where=sa.text("next_due_on IS NOT NULL")),
        sa.Index("ix_cases_todo_case", "id", "state", "next_due_on",
                 postgresql_where=sa.text("next_due_on IS NOT NULL"), sqlite_where=sa.text("next_due_on IS NOT NULL")),
        # A handler's open cases on the workload page, oldest first (its figures: counts kept
        # by casesys.adjudication.workload, which recounts from this index).
        sa.Index("ix_cases_office_id_state_handler_id", "office_id", "state", "handler_id", "received_on",
                 "next_due_on"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(64), unique=True)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id"))
    case_type: Mapped[CaseType] = mapped_column(enum_column(CaseType, "case_type"))
    procedure: Mapped[Procedure | None] = mapped_column(enum_column(Procedure, "procedure"))
    state: Mapped[CaseState] = mapped_column(
        enum_column(CaseState, "case_state"), default=CaseState.RECEIVED
    )
    dispute_kind: Mapped[DisputeKind] = mapped_column(
        enum_column(DisputeKind, "dispute_kind"), default=DisputeKind.INFRINGEMENT
    )
    title: Mapped[str] = mapped_column(sa.String(200))
    requests: Mapped[str] = mapped_column(sa.Text, default="")
    accused_products: Mapped[str] = mapped_column(sa.Text, default="")
    # Comma-separated InfringingAct values (制造, 销售 …).
    infringing_acts: Mapped[str] = mapped_column(sa.String(100), default="")
    places: Mapped[str] = mapped_column(sa.String(300), default="")
    facts_and_reasons: Mapped[str] = mapped_column(sa.Text, default="")
    received_on: Mapped[date]
    accepted_on: Mapped[date | None]
    closed_on: Mapped[date | None]
    handler_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Procedure facts (SPEC §3, §4), set by casesys.adjudication.services.
    conditions: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    short_answer_agreed: Mapped[bool] = mapped_column(default=False)
    served_on: Mapped[date | None]
    answer_received_on: Mapped[date | None]
    answer_forwarded_on: Mapped[date | None]
    extensions: Mapped[int] = mapped_column(default=0)
    converted_on: Mapped[date | None]
    suspended_from: Mapped[str | None] = mapped_column(sa.String(32))  # the state to resume
    decided_on: Mapped[date | None]
    decision_outcome: Mapped[str | None] = mapped_column(sa.String(32))
    decision_text: Mapped[str] = mapped_column(sa.Text, default="")
    decision_served_on: Mapped[date | None]
    # SPEC §3 (issue 9.6): the ordinary procedure decided on the papers, and why
    paper_review_reason: Mapped[str] = mapped_column(sa.Text, default="")
    closing_type: Mapped[str | None] = mapped_column(sa.String(32))
    # Optimistic locking: a save based on an older version is refused.
    version: Mapped[int] = mapped_column(default=1)
    # Number, party names and codes, patent numbers, title, agents, patent
    # titles: what the search box finds (casesys.casepage.search).
    search_text: Mapped[str] = mapped_column(sa.Text, default="")
    # Its pairs of adjacent characters, space-separated (casesys.domain.search.search_grams):
    # indexed by SQLite FTS5 / a PostgreSQL GIN index made by migration 0012speed.
    search_grams: Mapped[str] = mapped_column(sa.Text, default="")
    # The case's most urgent open deadline, kept by casesys.adjudication.next_deadline
    # wherever deadlines are stored: the to-do list and the workload read it.
    next_due_on: Mapped[date | None]
    next_due_kind: Mapped[str | None] = mapped_column(sa.String(32))
    # Raised by the database whenever the case or a row its page shows changes
    # (triggers of migration 0021pagerev): the key of the page's cache (casesys.casepage.cache).
    revision: Mapped[int] = mapped_column(server_default="0")

    __mapper_args__ = {"version_id_col": version}

    office: Mapped[Office] = relationship(lazy="joined")
    handler: Mapped[User | None] = relationship(foreign_keys=[handler_id], lazy="joined")
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    parties: Mapped[list[Party]] = relationship(
        back_populates="case", order_by="(Party.role, Party.position)",
        cascade="all, delete-orphan",
    )
    case_patents: Mapped[list[CasePatent]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="CasePatent.id"
    )
    evidence: Mapped[list[Evidence]] = relationship(
        back_populates="case", cascade="all, delete-orphan", order_by="Evidence.id"
    )
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", cascade="all, delete-orphan",
        order_by="(CaseEvent.occurred_at, CaseEvent.id)",
    )
    shares: Mapped[list[CaseShare]] = relationship(cascade="all, delete-orphan")
    deadlines = relationship("CaseDeadline", back_populates="case", cascade="all, delete-orphan",
                             order_by="CaseDeadline.due_on")
    panel = relationship("PanelMember", cascade="all, delete-orphan",
                         order_by="(PanelMember.presiding.desc(), PanelMember.id)")
    hearings = relationship("Hearing", cascade="all, delete-orphan", order_by="Hearing.scheduled_at")
    clock_stops = relationship("ClockStop", cascade="all, delete-orphan", order_by="ClockStop.started_on")

    @property
    def audit_case_id(self) -> int:
        return self.id

    def parties_in(self, role: PartyRole) -> list[Party]:
        return [p for p in self.parties if p.role == role]

    @property
    def acts(self) -> list[InfringingAct]:
        return [InfringingAct(a) for a in self.infringing_acts.split(",") if a]


class CaseShare(db.Model):
    """A case made visible to another office (referral, assistance; SPEC §1)."""

    __tablename__ = "case_shares"
    __table_args__ = (sa.UniqueConstraint("case_id", "office_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"))
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id"), index=True)
    reason: Mapped[str] = mapped_column(sa.String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Party(db.Model):
    __tablename__ = "parties"
    __table_args__ = (sa.Index("ix_parties_case_id_role", "case_id", "role"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"))
    role: Mapped[PartyRole] = mapped_column(enum_column(PartyRole, "party_role"))
    position: Mapped[int] = mapped_column(default=0)
    kind: Mapped[PartyKind] = mapped_column(enum_column(PartyKind, "party_kind"))
    name: Mapped[str] = mapped_column(sa.String(200))
    id_number: Mapped[str | None] = mapped_column(sa.String(18))
    # Recognises the same organisation across cases (repeat infringers, SPEC §2).
    credit_code: Mapped[str | None] = mapped_column(sa.String(18), index=True)
    address: Mapped[str] = mapped_column(sa.String(300), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    legal_representative: Mapped[str] = mapped_column(sa.String(64), default="")
    enterprise_type: Mapped[EnterpriseType] = mapped_column(
        enum_column(EnterpriseType, "enterprise_type"), default=EnterpriseType.PRIVATE
    )
    # SPEC §3, per respondent: receipt of the request copy, its answer; per
    # party: receipt of the ruling (the right to sue runs from it).
    request_served_on: Mapped[date | None]
    answer_received_on: Mapped[date | None]
    decision_received_on: Mapped[date | None]

    case: Mapped[Case] = relationship(back_populates="parties")
    # Loaded for all parties in one statement: the case page shows every party's agents.
    agents: Mapped[list[Agent]] = relationship(
        back_populates="party", cascade="all, delete-orphan", order_by="Agent.id", lazy="selectin",
    )

    @property
    def audit_case_id(self) -> int:
        return self.case_id

    @property
    def role_label(self) -> str:
        from casesys.domain.enums import party_role_label

        return party_role_label(self.role, self.case.case_type)

    @property
    def code(self) -> str:
        return (self.credit_code if self.kind == PartyKind.ORGANISATION else self.id_number) or ""


class Agent(db.Model):
    """代理人 of a party, with the scope of authority (SPEC §2)."""

    __tablename__ = "agents"
    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(sa.ForeignKey("parties.id"), index=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    firm: Mapped[str] = mapped_column(sa.String(200), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    authority: Mapped[AgentAuthority] = mapped_column(
        enum_column(AgentAuthority, "agent_authority"), default=AgentAuthority.GENERAL
    )

    party: Mapped[Party] = relationship(back_populates="agents")
    case: Mapped[Case] = relationship()

    @property
    def audit_case_id(self) -> int:
        return self.case_id


class Patent(db.Model):
    __tablename__ = "patents"
    id: Mapped[int] = mapped_column(primary_key=True)
    # Display form `ZL202310123456.7`, validated (SPEC §2).
    number: Mapped[str] = mapped_column(sa.String(20), unique=True)
    patent_type: Mapped[PatentType] = mapped_column(enum_column(PatentType, "patent_type"))
    title: Mapped[str] = mapped_column(sa.String(200))
    patentee: Mapped[str] = mapped_column(sa.String(200))
    filed_on: Mapped[date | None]
    granted_on: Mapped[date | None]
    legal_status: Mapped[PatentStatus] = mapped_column(
        enum_column(PatentStatus, "patent_status"), default=PatentStatus.VALID
    )
    evaluation: Mapped[EvaluationConclusion] = mapped_column(
        enum_column(EvaluationConclusion, "evaluation_conclusion"),
        default=EvaluationConclusion.NONE,
    )


class CasePatent(db.Model):
    """A patent asserted in a case, with the claims relied on."""

    __tablename__ = "case_patents"
    __table_args__ = (sa.UniqueConstraint("case_id", "patent_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"))
    patent_id: Mapped[int] = mapped_column(sa.ForeignKey("patents.id"), index=True)
    claims: Mapped[str] = mapped_column(sa.String(100), default="")

    case: Mapped[Case] = relationship(back_populates="case_patents")
    patent: Mapped[Patent] = relationship(lazy="joined")

    @property
    def audit_case_id(self) -> int:
        return self.case_id


class Evidence(db.Model):
    __tablename__ = "evidence"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    party_id: Mapped[int | None] = mapped_column(sa.ForeignKey("parties.id"))
    kind: Mapped[EvidenceKind] = mapped_column(enum_column(EvidenceKind, "evidence_kind"))
    description: Mapped[str] = mapped_column(sa.String(500))
    page_count: Mapped[int | None]
    # The file is stored outside the web root under its SHA-256.
    sha256: Mapped[str | None] = mapped_column(sa.String(64))
    filename: Mapped[str] = mapped_column(sa.String(200), default="")
    content_type: Mapped[str] = mapped_column(sa.String(64), default="")
    size: Mapped[int] = mapped_column(default=0)
    cross_examination: Mapped[str] = mapped_column(sa.Text, default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="evidence")
    party: Mapped[Party | None] = relationship()

    @property
    def audit_case_id(self) -> int:
        return self.case_id


class CaseEvent(db.Model):
    """One entry of a case's timeline; never edited or deleted (SPEC §2)."""

    __tablename__ = "case_events"
    __table_args__ = (sa.Index("ix_case_events_case_id_occurred_at", "case_id", "occurred_at"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"))
    kind: Mapped[str] = mapped_column(sa.String(32))
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    summary: Mapped[str] = mapped_column(sa.String(500))
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)

    case: Mapped[Case] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship(lazy="joined")
