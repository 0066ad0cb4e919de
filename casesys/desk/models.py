"""Whose to-do each case is on (SPEC §10)."""
from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from casesys.core.types import enum_column
from casesys.domain.enums import CaseState
from casesys.extensions import db


class TodoCase(db.Model):
    """A case with an open deadline on a user's to-do: they handle it (while it
    is open, or closed by mediation), sit on its panel or mediate it. Written
    only by the database's triggers (migration 0023todocases), which keep it
    equal to casesys.desk.worklists.members(); read by the to-do list."""

    __tablename__ = "todo_cases"
    __table_args__ = (sa.Index("ix_todo_cases_case_id", "case_id"),)
    user_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    case_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    state: Mapped[CaseState] = mapped_column(enum_column(CaseState, "case_state"))  # the case's


class TodoEntry(db.Model):
    """An open deadline on a user's to-do list: of a case in `todo_cases` of
    theirs, not met, and while the case is closed only a mediation deadline.
    Written only by the database's triggers (migration 0024tododl), which keep
    it equal to casesys.desk.worklists.deadline_members(); a page of the list
    is a range of its (user, due date) index."""

    __tablename__ = "todo_deadlines"
    __table_args__ = (sa.Index("ix_todo_deadlines_user_id_due_on", "user_id", "due_on", "deadline_id", "office"),)
    deadline_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    user_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    due_on: Mapped[date]
    office: Mapped[bool]  # the office's own limit, not a party's period
