"""every page fast at 100,000 cases (issue 12): the to-do list's partial indexes

The to-do list (SPEC §10) reads only cases with an open deadline
(`next_due_on` set, about a fifth of them): by handler, and by id for the
panels and mediations a user is on, each with the case's state, so that no
case row is read. The (handler_id, next_due_on) index they replace served
only the to-do list. A user's panels are read as (user_id, case_id).

Plain CREATE/DROP INDEX, no batch: recreating `cases` on SQLite would drop
the search triggers of 0012speed.

Revision ID: 0017perf
Revises: 0018arch
"""
import sqlalchemy as sa
from alembic import op

revision = "0017perf"
down_revision = "0018arch"
branch_labels = None
depends_on = None

OPEN_DEADLINE = sa.text("next_due_on IS NOT NULL")


def upgrade():
    op.create_index("ix_cases_todo_handler", "cases", ["handler_id", "id", "state", "closing_type", "next_due_on"],
                    postgresql_where=OPEN_DEADLINE, sqlite_where=OPEN_DEADLINE)
    op.create_index("ix_cases_todo_case", "cases", ["id", "state", "next_due_on"],
                    postgresql_where=OPEN_DEADLINE, sqlite_where=OPEN_DEADLINE)
    op.drop_index("ix_cases_handler_id_next_due_on", table_name="cases")
    op.create_index("ix_panel_members_user_id_case_id", "panel_members", ["user_id", "case_id"])
    op.drop_index("ix_panel_members_user_id", table_name="panel_members")


def downgrade():
    op.create_index("ix_panel_members_user_id", "panel_members", ["user_id"])
    op.drop_index("ix_panel_members_user_id_case_id", table_name="panel_members")
    op.create_index("ix_cases_handler_id_next_due_on", "cases", ["handler_id", "next_due_on"])
    op.drop_index("ix_cases_todo_case", table_name="cases")
    op.drop_index("ix_cases_todo_handler", table_name="cases")
