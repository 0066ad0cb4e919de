"""jobs: durable background work (kind, payload, state, attempts, heartbeat, progress);
print batches become jobs writing files

Revision ID: 0010jobs
Revises: 0012speed
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0010jobs"
down_revision = "0012speed"
branch_labels = None
depends_on = None

JOB_STATES = ("queued", "running", "done", "failed", "cancelled")


def upgrade():
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.Enum(*JOB_STATES, name="job_state", native_enum=False, create_constraint=True,
                                   length=32), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("max_attempts", sa.Integer(), nullable=False),
        sa.Column("run_after", sa.DateTime(), nullable=False),
        sa.Column("locked_by", sa.String(length=120), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("progress_done", sa.Integer(), nullable=False),
        sa.Column("progress_total", sa.Integer(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("unique_key", sa.String(length=200), nullable=True),
        sa.Column("requested_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(["requested_by_id"], ["users.id"], name=op.f("fk_jobs_requested_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
        sa.UniqueConstraint("unique_key", name=op.f("uq_jobs_unique_key")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index("ix_jobs_state_run_after", ["state", "run_after"], unique=False)
        batch_op.create_index("ix_jobs_requested_by_id", ["requested_by_id"], unique=False)
    # Batch printing is a job now; its merged PDF is a file under BATCH_DIR.
    with op.batch_alter_table("print_batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("job_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_print_batches_job_id_jobs"), "jobs", ["job_id"], ["id"])
        batch_op.drop_column("pdf")


def downgrade():
    with op.batch_alter_table("print_batches", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pdf", sa.LargeBinary(), nullable=True))
        batch_op.drop_constraint(batch_op.f("fk_print_batches_job_id_jobs"), type_="foreignkey")
        batch_op.drop_column("job_id")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_requested_by_id")
        batch_op.drop_index("ix_jobs_state_run_after")
    op.drop_table("jobs")
