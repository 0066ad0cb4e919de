"""the to-do's deadline index holds the deadline's id (issue 12)

The to-do list reads a user's open deadlines case by case from
ix_case_deadlines_case_id_met_on_due_on; PostgreSQL then read each
deadline's row for its id (783 cases, ~11 ms at 100,000 cases). With the id
in the index the list is read from the index alone.

Revision ID: 0022todoix
Revises: 0021pagerev
"""
from alembic import op


revision = "0022todoix"
down_revision = "0021pagerev"
branch_labels = None
depends_on = None

NAME = "ix_case_deadlines_case_id_met_on_due_on"
COLUMNS = ["case_id", "met_on", "due_on", "owner", "kind"]


def upgrade():
    op.drop_index(NAME, table_name="case_deadlines")
    op.create_index(NAME, "case_deadlines", COLUMNS + ["id"])


def downgrade():
    op.drop_index(NAME, table_name="case_deadlines")
    op.create_index(NAME, "case_deadlines", COLUMNS)
