"""the approvals page at any size (issue 12): indexes for what waits and for recent decisions

The credit records waiting for a supervisor (candidates; objections) are
read oldest first a page at a time from (state, id), not sorted whole; a
supervisor's latest decisions come from (decided_by_id, decided_at), not a
scan of every approval.

Plain CREATE INDEX, no batch: recreating a table on SQLite would drop
what other migrations added to it.

Revision ID: 0019desk
Revises: 0017perf
"""
from alembic import op

revision = "0019desk"
down_revision = "0017perf"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_credit_records_state_id", "credit_records", ["state", "id"])
    op.create_index("ix_approvals_decided_by_id_decided_at", "approvals", ["decided_by_id", "decided_at"])


def downgrade():
    op.drop_index("ix_approvals_decided_by_id_decided_at", table_name="approvals")
    op.drop_index("ix_credit_records_state_id", table_name="credit_records")
