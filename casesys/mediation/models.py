"""Multi-party mediation (SPEC §5): organisations and mediators, the
mediation of a case with its parties' consent, sessions, proposals,
agreements with terms, signatures, judicial confirmation, performance."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casesys.core.clock import utcnow
from casesys.core.types import enum_column
from casesys.domain.mediation import Consent, MediationStatus, OrganisationKind, Position, TermKind
from casesys.extensions import db


def _qualifies_by_kind(context) -> bool:
    """Default for a new organisation: 人民调解委员会 and 行业协会 are 依法设立的调解组织."""
    kind = context.get_current_parameters().get("kind")
    return str(getattr(kind, "value", kind)) in ("committee", "association")


class MediationOrganisation(db.Model):
    __tablename__ = "mediation_organisations"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(enum_column(OrganisationKind, "organisation_kind"))
    region: Mapped[str] = mapped_column(sa.String(50), default="")
    contact: Mapped[str] = mapped_column(sa.String(200), default="")
    is_active: Mapped[bool] = mapped_column(default=True)
    # SPEC §5 (issue 9.10): a mediation organisation whose agreements the
    # parties may take to court for 司法确认 (人民调解委员会, 行业协会调解组织 …)
    may_seek_confirmation: Mapped[bool] = mapped_column(default=lambda ctx: _qualifies_by_kind(ctx))

    mediators: Mapped[list[Mediator]] = relationship(back_populates="organisation", order_by="Mediator.name")

    def __str__(self) -> str:
        return self.name


class Mediator(db.Model):
    __tablename__ = "mediators"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(64))
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("mediation_organisations.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), unique=True)
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    # Relations the mediator declared (names or credit codes), for 回避.
    declared_relations: Mapped[str] = mapped_column(sa.Text, default="")
    is_active: Mapped[bool] = mapped_column(default=True)

    organisation: Mapped[MediationOrganisation] = relationship(back_populates="mediators", lazy="joined")


mediation_organisations = sa.Table(
    "mediation_participating_organisations", db.metadata,
    sa.Column("mediation_id", sa.ForeignKey("mediations.id"), primary_key=True),
    sa.Column("organisation_id", sa.ForeignKey("mediation_organisations.id"), primary_key=True),
)
mediation_mediators = sa.Table(
    "mediation_mediators", db.metadata,
    sa.Column("mediation_id", sa.ForeignKey("mediations.id"), primary_key=True),
    sa.Column("mediator_id", sa.ForeignKey("mediators.id"), primary_key=True),
    # A mediator's mediations (the to-do list) without reading them all.
    sa.Index("ix_mediation_mediators_mediator_id", "mediator_id"),
)


class Mediation(db.Model):
    __tablename__ = "mediations"
    __table_args__ = (sa.Index("ix_mediations_status", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    within_adjudication: Mapped[bool] = mapped_column(default=False)
    status: Mapped[MediationStatus] = mapped_column(
        enum_column(MediationStatus, "mediation_status"), default=MediationStatus.CONSENT_PENDING)
    requested_on: Mapped[date]
    # SPEC §5 (issue 9.9): the other side's consent period runs from its receipt
    # of the request copy; unknown until that service is recorded.
    request_served_on: Mapped[date | None]
    consent_due_on: Mapped[date | None]
    started_on: Mapped[date | None]           # all parties agreed: the limit runs from here
    limit_days: Mapped[int] = mapped_column(default=30)
    extension_days: Mapped[int] = mapped_column(default=0)
    court_name: Mapped[str] = mapped_column(sa.String(100), default="")
    court_reference: Mapped[str] = mapped_column(sa.String(100), default="")  # 诉前委派 (SPEC §5)
    ended_on: Mapped[date | None]
    failure_reason: Mapped[str] = mapped_column(sa.String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    case = relationship("Case")
    parties: Mapped[list[MediationParty]] = relationship(back_populates="mediation", cascade="all, delete-orphan",
                                                         order_by="MediationParty.id")
    organisations: Mapped[list[MediationOrganisation]] = relationship(secondary=mediation_organisations)
    mediators: Mapped[list[Mediator]] = relationship(secondary=mediation_mediators)
    sessions: Mapped[list[MediationSession]] = relationship(back_populates="mediation", cascade="all, delete-orphan",
                                                            order_by="MediationSession.scheduled_at")
    agreements: Mapped[list[Agreement]] = relationship(back_populates="mediation", cascade="all, delete-orphan",
                                                       order_by="Agreement.id")

    @property
    def audit_case_id(self) -> int:
        return self.case_id

    @property
    def court_entrusted(self) -> bool:
        return bool(self.court_reference)

    @property
    def open(self) -> bool:
        return self.status in (MediationStatus.CONSENT_PENDING, MediationStatus.MEDIATING)


class MediationParty(db.Model):
    """A party of the mediation with its own consent (SPEC §5: any number)."""

    __tablename__ = "mediation_parties"
    __table_args__ = (sa.UniqueConstraint("mediation_id", "party_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    mediation_id: Mapped[int] = mapped_column(sa.ForeignKey("mediations.id"))
    party_id: Mapped[int] = mapped_column(sa.ForeignKey("parties.id"))
    consent: Mapped[Consent] = mapped_column(enum_column(Consent, "consent"), default=Consent.PENDING)
    consent_on: Mapped[date | None]

    mediation: Mapped[Mediation] = relationship(back_populates="parties")
    party = relationship("Party", lazy="joined")


class MediationSession(db.Model):
    __tablename__ = "mediation_sessions"
    id: Mapped[int] = mapped_column(primary_key=True)
    mediation_id: Mapped[int] = mapped_column(sa.ForeignKey("mediations.id"), index=True)
    scheduled_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(sa.String(200), default="")
    online_link: Mapped[str] = mapped_column(sa.String(300), default="")
    held: Mapped[bool] = mapped_column(default=False)
    minutes: Mapped[str] = mapped_column(sa.Text, default="")

    mediation: Mapped[Mediation] = relationship(back_populates="sessions")
    attendance: Mapped[list[SessionAttendance]] = relationship(cascade="all, delete-orphan",
                                                               order_by="SessionAttendance.id")
    proposals: Mapped[list[Proposal]] = relationship(cascade="all, delete-orphan", order_by="Proposal.id")


class SessionAttendance(db.Model):
    __tablename__ = "mediation_attendance"
    __table_args__ = (sa.UniqueConstraint("session_id", "party_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("mediation_sessions.id"))
    party_id: Mapped[int] = mapped_column(sa.ForeignKey("parties.id"))
    attended: Mapped[bool] = mapped_column(default=False)

    party = relationship("Party", lazy="joined")


class Proposal(db.Model):
    __tablename__ = "mediation_proposals"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(sa.ForeignKey("mediation_sessions.id"), index=True)
    text: Mapped[str] = mapped_column(sa.Text)
    positions: Mapped[list[ProposalPosition]] = relationship(cascade="all, delete-orphan",
                                                             order_by="ProposalPosition.id")


class ProposalPosition(db.Model):
    __tablename__ = "mediation_positions"
    __table_args__ = (sa.UniqueConstraint("proposal_id", "party_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    proposal_id: Mapped[int] = mapped_column(sa.ForeignKey("mediation_proposals.id"))
    party_id: Mapped[int] = mapped_column(sa.ForeignKey("parties.id"))
    position: Mapped[Position] = mapped_column(enum_column(Position, "position"))
    note: Mapped[str] = mapped_column(sa.String(300), default="")

    party = relationship("Party", lazy="joined")


class Agreement(db.Model):
    """调解协议: in force once every party and mediator has signed."""

    __tablename__ = "mediation_agreements"
    id: Mapped[int] = mapped_column(primary_key=True)
    mediation_id: Mapped[int] = mapped_column(sa.ForeignKey("mediations.id"), index=True)
    partial: Mapped[bool] = mapped_column(default=False)
    text: Mapped[str] = mapped_column(sa.Text, default="")
    concluded_on: Mapped[date]
    effective_on: Mapped[date | None]
    # Judicial confirmation (SPEC §5): 30 days from taking effect.
    confirmation_applied_on: Mapped[date | None]
    confirmation_court: Mapped[str] = mapped_column(sa.String(100), default="")
    confirmation_result: Mapped[str] = mapped_column(sa.String(16), default="")  # "" | confirmed | rejected
    confirmation_result_on: Mapped[date | None]
    # SPEC §5: the court decides whether to accept within 3 days, then within 15 days (extendable by 10)
    confirmation_accepted_on: Mapped[date | None]
    confirmation_extended: Mapped[bool] = mapped_column(default=False)

    mediation: Mapped[Mediation] = relationship(back_populates="agreements")
    terms: Mapped[list[AgreementTerm]] = relationship(back_populates="agreement", cascade="all, delete-orphan",
                                                      order_by="AgreementTerm.id")
    signatures: Mapped[list[Signature]] = relationship(cascade="all, delete-orphan", order_by="Signature.id")


class AgreementTerm(db.Model):
    """One obligation, owed by one party to another, with its due date; its
    performance is tracked (non-performance feeds the credit record later)."""

    __tablename__ = "mediation_terms"
    __table_args__ = (sa.Index("ix_mediation_terms_due_on_done_on", "due_on", "done_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    # indexed: a mediation's terms are counted whenever it changes (casesys.mediation.counts)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("mediation_agreements.id"), index=True)
    debtor_id: Mapped[int] = mapped_column(sa.ForeignKey("parties.id"))
    creditor_id: Mapped[int] = mapped_column(sa.ForeignKey("parties.id"))
    kind: Mapped[TermKind] = mapped_column(enum_column(TermKind, "term_kind"))
    amount: Mapped[Decimal | None] = mapped_column(sa.Numeric(14, 2))
    description: Mapped[str] = mapped_column(sa.String(500), default="")
    due_on: Mapped[date]
    done_on: Mapped[date | None]
    proof: Mapped[str] = mapped_column(sa.String(500), default="")

    agreement: Mapped[Agreement] = relationship(back_populates="terms")
    debtor = relationship("Party", foreign_keys=[debtor_id], lazy="joined")
    creditor = relationship("Party", foreign_keys=[creditor_id], lazy="joined")


class Signature(db.Model):
    __tablename__ = "mediation_signatures"
    __table_args__ = (sa.UniqueConstraint("agreement_id", "party_id"),
                      sa.UniqueConstraint("agreement_id", "mediator_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    agreement_id: Mapped[int] = mapped_column(sa.ForeignKey("mediation_agreements.id"))
    party_id: Mapped[int | None] = mapped_column(sa.ForeignKey("parties.id"))
    mediator_id: Mapped[int | None] = mapped_column(sa.ForeignKey("mediators.id"))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    recorded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class MediationCount(db.Model):
    """Mediations of an office's cases by status, kept by
    casesys.mediation.counts wherever mediations, agreements and terms change:
    the mediators' dashboard reads these rows, not the mediations."""

    __tablename__ = "mediation_counts"
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id"), primary_key=True)
    status: Mapped[MediationStatus] = mapped_column(enum_column(MediationStatus, "mediation_status"),
                                                    primary_key=True)
    mediations: Mapped[int]
    ended: Mapped[int]  # with an end date
    ended_days: Mapped[int] = mapped_column(sa.BigInteger)  # Σ days from request to end of those
    open_terms: Mapped[int]  # terms of agreements in force not yet performed


class MediationTermDay(db.Model):
    """Those open terms by office and due date: the overdue ones of any day
    are all of them but those due from that day on."""

    __tablename__ = "mediation_term_days"
    __table_args__ = (sa.Index("ix_mediation_term_days_due_on", "due_on"),)
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id"), primary_key=True)
    due_on: Mapped[date] = mapped_column(primary_key=True)
    open_terms: Mapped[int]
