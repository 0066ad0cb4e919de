"""Referrals between offices (SPEC §6): the referral, its conversation and
attachments, and the exchange tables of two casesys instances — the outbox
(written in the same transaction as the change it reports), the inbox (one
row per message received: the same message twice is answered with the same
receipt and creates nothing), and the log of refused messages."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from casesys.auth.models import Office, User
from casesys.core import clock
from casesys.core.types import enum_column
from casesys.domain.referrals import OutboxState, ReferralKind, ReferralState, Side
from casesys.extensions import db


def new_uid() -> str:
    return str(uuid.uuid4())


class Referral(db.Model):
    """One referral as this instance knows it. The `uid` is the same on both
    instances; each side links its own case (`sender_case_id` is set at the
    sender, `receiver_case_id` at the receiver) and shows the other side's
    case number as text."""

    __tablename__ = "referrals"
    __table_args__ = (
        sa.Index("ix_referrals_sender_office_id_state", "sender_office_id", "state"),
        sa.Index("ix_referrals_receiver_office_id_state", "receiver_office_id", "state"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(sa.String(36), unique=True, default=new_uid)
    kind: Mapped[ReferralKind] = mapped_column(enum_column(ReferralKind, "referral_kind"))
    state: Mapped[ReferralState] = mapped_column(enum_column(ReferralState, "referral_state"),
                                                 default=ReferralState.DRAFT)
    sender_office_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id"))
    receiver_office_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id"))
    subject: Mapped[str] = mapped_column(sa.String(200))
    body: Mapped[str] = mapped_column(sa.Text, default="")
    sender_case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    sender_case_number: Mapped[str] = mapped_column(sa.String(64), default="")
    receiver_case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    receiver_case_number: Mapped[str] = mapped_column(sa.String(64), default="")
    # What a case transfer carries: parties, agents, patents, evidence (SPEC §6).
    case_snapshot: Mapped[dict[str, Any] | None] = deferred(mapped_column(sa.JSON))
    sender_handler_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    receiver_handler_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    sender_contact: Mapped[str] = mapped_column(sa.String(100), default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow)
    sent_on: Mapped[date | None]
    received_on: Mapped[date | None]
    accepted_on: Mapped[date | None]
    answered_on: Mapped[date | None]     # replied or declined
    closed_on: Mapped[date | None]       # closed or withdrawn
    reason: Mapped[str] = mapped_column(sa.String(500), default="")  # decline / withdraw
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}

    sender_office: Mapped[Office] = relationship(foreign_keys=[sender_office_id], lazy="joined")
    receiver_office: Mapped[Office] = relationship(foreign_keys=[receiver_office_id], lazy="joined")
    sender_case = relationship("Case", foreign_keys=[sender_case_id])
    receiver_case = relationship("Case", foreign_keys=[receiver_case_id])
    sender_handler: Mapped[User | None] = relationship(foreign_keys=[sender_handler_id])
    receiver_handler: Mapped[User | None] = relationship(foreign_keys=[receiver_handler_id])
    messages: Mapped[list[ReferralMessage]] = relationship(
        back_populates="referral", cascade="all, delete-orphan", order_by="(ReferralMessage.created_at, ReferralMessage.id)")
    attachments: Mapped[list[ReferralAttachment]] = relationship(
        back_populates="referral", cascade="all, delete-orphan", order_by="ReferralAttachment.id")
    deadlines = relationship("CaseDeadline", cascade="all, delete-orphan", order_by="CaseDeadline.due_on")
    outbox: Mapped[list[OutboxMessage]] = relationship(back_populates="referral", order_by="OutboxMessage.id")

    def side_of(self, office_id: int) -> Side | None:
        if office_id == self.sender_office_id:
            return Side.SENDER
        if office_id == self.receiver_office_id:
            return Side.RECEIVER
        return None

    @property
    def partner_for_sender(self) -> Office:
        return self.receiver_office

    @property
    def number(self) -> str:
        """A short reference for lists and letters."""
        return f"协{self.uid[:8].upper()}"


class ReferralMessage(db.Model):
    """One entry of the conversation: a reply, a note, or a state change."""

    __tablename__ = "referral_messages"
    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(sa.String(36), unique=True, default=new_uid)
    referral_id: Mapped[int] = mapped_column(sa.ForeignKey("referrals.id"), index=True)
    side: Mapped[Side] = mapped_column(enum_column(Side, "referral_side"))
    kind: Mapped[str] = mapped_column(sa.String(16), default="note")  # note | action
    action: Mapped[str] = mapped_column(sa.String(16), default="")
    author_name: Mapped[str] = mapped_column(sa.String(64), default="")
    office_name: Mapped[str] = mapped_column(sa.String(100), default="")
    body: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow)

    referral: Mapped[Referral] = relationship(back_populates="messages")
    attachments: Mapped[list[ReferralAttachment]] = relationship(back_populates="message")


class ReferralAttachment(db.Model):
    """A document or evidence file; the bytes are in the upload store under
    their SHA-256, like evidence (SPEC §2)."""

    __tablename__ = "referral_attachments"
    id: Mapped[int] = mapped_column(primary_key=True)
    referral_id: Mapped[int] = mapped_column(sa.ForeignKey("referrals.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(sa.ForeignKey("referral_messages.id"))
    side: Mapped[Side] = mapped_column(enum_column(Side, "referral_side"))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    size: Mapped[int]
    filename: Mapped[str] = mapped_column(sa.String(200))
    content_type: Mapped[str] = mapped_column(sa.String(64))
    description: Mapped[str] = mapped_column(sa.String(200), default="")
    uploaded_at: Mapped[datetime] = mapped_column(default=clock.utcnow)

    referral: Mapped[Referral] = relationship(back_populates="attachments")
    message: Mapped[ReferralMessage | None] = relationship(back_populates="attachments")


class OutboxMessage(db.Model):
    """A signed message to a partner instance, stored with the change it
    reports and delivered by a durable job until a signed receipt carrying
    the message's SHA-256 comes back (proof of delivery)."""

    __tablename__ = "referral_outbox"
    __table_args__ = (sa.Index("ix_referral_outbox_state_id", "state", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(sa.String(36), unique=True)
    referral_id: Mapped[int | None] = mapped_column(sa.ForeignKey("referrals.id"), index=True)
    partner_office_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id"))
    message_type: Mapped[str] = mapped_column(sa.String(32))
    # The exact bytes signed and sent (canonical JSON, UTF-8) and their digest.
    body: Mapped[bytes] = deferred(mapped_column(sa.LargeBinary))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    signature: Mapped[str] = mapped_column(sa.String(100))
    # moves judged by casesys.domain.referrals.OUTBOX
    state: Mapped[OutboxState] = mapped_column(enum_column(OutboxState, "outbox_state"), default=OutboxState.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=clock.utcnow)
    delivered_at: Mapped[datetime | None]
    receipt: Mapped[str | None] = mapped_column(sa.Text)
    receipt_signature: Mapped[str | None] = mapped_column(sa.String(100))

    referral: Mapped[Referral | None] = relationship(back_populates="outbox")
    partner_office: Mapped[Office] = relationship(lazy="joined")


class InboxMessage(db.Model):
    """A message received and applied; its id is unique, so a second copy
    (a retry, a duplicate) is answered with the stored receipt."""

    __tablename__ = "referral_inbox"
    id: Mapped[int] = mapped_column(primary_key=True)
    uid: Mapped[str] = mapped_column(sa.String(36), unique=True)
    sender_office_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id"))
    message_type: Mapped[str] = mapped_column(sa.String(32))
    sha256: Mapped[str] = mapped_column(sa.String(64))
    referral_id: Mapped[int | None] = mapped_column(sa.ForeignKey("referrals.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(default=clock.utcnow)
    receipt: Mapped[str] = mapped_column(sa.Text)
    receipt_signature: Mapped[str] = mapped_column(sa.String(100))


class ExchangeRefusal(db.Model):
    """A message refused at the door (bad signature, unknown sender, replay,
    too large …): logged, nothing else created."""

    __tablename__ = "referral_refusals"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=clock.utcnow, index=True)
    remote_addr: Mapped[str] = mapped_column(sa.String(64), default="")
    sender_code: Mapped[str] = mapped_column(sa.String(32), default="")
    message_uid: Mapped[str] = mapped_column(sa.String(64), default="")
    reason: Mapped[str] = mapped_column(sa.String(300))
