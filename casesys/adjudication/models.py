"""Procedure records of adjudication (SPEC §3, §4, §9, §10): deadline rules,
the working-day calendar, deadlines per case, clock stops, approvals, panel,
hearings, reminders."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from casesys.auth.models import User
from casesys.core.clock import utcnow
from casesys.core.types import enum_column
from casesys.domain.calendar import Unit
from casesys.domain.deadlines import Party as Owner
from casesys.domain.deadlines import ReminderLevel
from casesys.domain.workflow import ApprovalStatus
from casesys.extensions import db


class DeadlineRule(db.Model):
    """A time limit an administrator can see and change (defaults in
    casesys.domain.deadlines.DEFAULT_RULES)."""

    __tablename__ = "deadline_rules"
    key: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    label: Mapped[str] = mapped_column(sa.String(100))
    amount: Mapped[int]
    unit: Mapped[Unit] = mapped_column(enum_column(Unit, "deadline_unit"))
    trigger: Mapped[str] = mapped_column(sa.String(100))
    basis: Mapped[str] = mapped_column(sa.String(200))  # the legal source users see
    owner: Mapped[Owner] = mapped_column(enum_column(Owner, "deadline_owner"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class CalendarDay(db.Model):
    """An exception to Monday–Friday: a holiday on a weekday or within a
    holiday period, or a make-up working day (调休) at a weekend (SPEC §9)."""

    __tablename__ = "calendar_days"
    day: Mapped[date] = mapped_column(primary_key=True)
    is_working: Mapped[bool]
    name: Mapped[str] = mapped_column(sa.String(40), default="")


class CalendarYear(db.Model):
    """A year whose official schedule is entered; deadlines in other years
    are provisional."""

    __tablename__ = "calendar_years"
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(sa.String(200), default="")
    entered_at: Mapped[datetime] = mapped_column(default=utcnow)
    entered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))


class CaseDeadline(db.Model):
    """A time limit of a case, or of a referral (SPEC §6): one table, one
    to-do list, one reminder job."""

    __tablename__ = "case_deadlines"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "kind"),
        sa.UniqueConstraint("referral_id", "kind"),
        sa.Index("ix_case_deadlines_due_on_met_on", "due_on", "met_on"),
        sa.CheckConstraint("(case_id IS NULL) <> (referral_id IS NULL)", name="one_owner"),
        # The to-do list reads this index alone, case by case: its id too (PostgreSQL
        # read each deadline's row for it; SQLite keeps it in every index anyway).
        sa.Index("ix_case_deadlines_case_id_met_on_due_on", "case_id", "met_on", "due_on", "owner", "kind", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"))
    referral_id: Mapped[int | None] = mapped_column(sa.ForeignKey("referrals.id"))
    kind: Mapped[str] = mapped_column(sa.String(32))
    label: Mapped[str] = mapped_column(sa.String(100))
    owner: Mapped[Owner] = mapped_column(enum_column(Owner, "deadline_owner"))
    due_on: Mapped[date]
    provisional: Mapped[bool] = mapped_column(default=False)
    paused: Mapped[bool] = mapped_column(default=False)
    met_on: Mapped[date | None]
    explanation: Mapped[str] = mapped_column(sa.Text, default="")

    case = relationship("Case", back_populates="deadlines")


class ClockStop(db.Model):
    """A period the case clock stands still (SPEC §3): suspension, public
    announcement service, technical appraisal."""

    __tablename__ = "clock_stops"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    started_on: Mapped[date]
    ended_on: Mapped[date | None]
    reason: Mapped[str] = mapped_column(sa.String(500), default="")
    # For suspension on an invalidation request: CNIPA's acceptance notice.
    reference: Mapped[str] = mapped_column(sa.String(100), default="")
    reference_date: Mapped[date | None]

    @property
    def audit_case_id(self) -> int:
        return self.case_id


class Approval(db.Model):
    """A step waiting for a supervisor (SPEC §1): approve or send back."""

    __tablename__ = "approvals"
    # The approvals page: what waits (status), and a supervisor's latest decisions.
    __table_args__ = (sa.Index("ix_approvals_status_requested_at", "status", "requested_at"),
                      sa.Index("ix_approvals_decided_by_id_decided_at", "decided_by_id", "decided_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    action: Mapped[str] = mapped_column(sa.String(32))
    payload: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # moves judged by casesys.domain.workflow.next_approval_status
    status: Mapped[ApprovalStatus] = mapped_column(enum_column(ApprovalStatus, "approval_status"),
                                                   default=ApprovalStatus.PENDING)
    requested_by_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    decided_at: Mapped[datetime | None]
    comment: Mapped[str] = mapped_column(sa.String(500), default="")

    case = relationship("Case")
    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id], lazy="joined")
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def audit_case_id(self) -> int:
        return self.case_id


class PanelMember(db.Model):
    """SPEC §3: the panel of the ordinary procedure."""

    __tablename__ = "panel_members"
    # The to-do list reads a user's panels with their cases from the index alone.
    __table_args__ = (sa.UniqueConstraint("case_id", "user_id"),
                      sa.Index("ix_panel_members_user_id_case_id", "user_id", "case_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    presiding: Mapped[bool] = mapped_column(default=False)

    user: Mapped[User] = relationship(lazy="joined")

    @property
    def audit_case_id(self) -> int:
        return self.case_id


class Hearing(db.Model):
    __tablename__ = "hearings"
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("cases.id"), index=True)
    scheduled_at: Mapped[datetime]
    place: Mapped[str] = mapped_column(sa.String(200))
    # None until the notice's receipt is recorded (service ledger of the notice)
    notice_served_on: Mapped[date | None]
    held: Mapped[bool] = mapped_column(default=False)
    requester_attended: Mapped[bool | None]
    respondent_attended: Mapped[bool | None]
    absence_excused: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str] = mapped_column(sa.Text, default="")

    @property
    def audit_case_id(self) -> int:
        return self.case_id


class Reminder(db.Model):
    """One reminder per deadline, due date, level and user: the unique
    constraint makes a second job run (or a second scheduler) a no-op."""

    __tablename__ = "reminders"
    __table_args__ = (
        sa.UniqueConstraint("case_id", "deadline_kind", "due_on", "level", "user_id"),
        sa.UniqueConstraint("referral_id", "deadline_kind", "due_on", "level", "user_id"),
        sa.Index("ix_reminders_user_id_read_at", "user_id", "read_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("cases.id"))
    referral_id: Mapped[int | None] = mapped_column(sa.ForeignKey("referrals.id"))
    deadline_kind: Mapped[str] = mapped_column(sa.String(32))
    due_on: Mapped[date]
    level: Mapped[ReminderLevel] = mapped_column(enum_column(ReminderLevel, "reminder_level"))
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"))
    message: Mapped[str] = mapped_column(sa.String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    emailed_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]

    case = relationship("Case")


class WorkloadHandler(db.Model):
    """A handler's open cases in an office, kept by casesys.adjudication.workload
    wherever cases and deadlines change: the workload page reads these rows,
    not the cases."""

    __tablename__ = "workload_handlers"
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id"), primary_key=True)
    handler_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    open_cases: Mapped[int]
    received_days: Mapped[int] = mapped_column(sa.BigInteger)  # Σ days from 1970-01-01 to receipt: the mean age
    open_deadlines: Mapped[int]  # not met, of those cases


class WorkloadDay(db.Model):
    """The same by day: open cases received that day, their deadlines not met
    due that day (the oldest case, and the deadlines overdue on any day)."""

    __tablename__ = "workload_days"
    office_id: Mapped[int] = mapped_column(sa.ForeignKey("offices.id"), primary_key=True)
    handler_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id"), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    open_cases: Mapped[int]
    open_deadlines: Mapped[int]
