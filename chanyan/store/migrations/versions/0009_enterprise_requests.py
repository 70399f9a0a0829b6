"""the enterprise's own requests: public notes, phone-tail checks of status lookups, progress notices

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 01:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("request_notes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public", sa.Boolean(), nullable=False, server_default=sa.false()))
    op.create_table(
        "status_lookups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ref", sa.String(length=32), nullable=False),
        sa.Column("conversation_id", sa.String(length=255), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_lookups")),
    )
    op.create_index("ix_status_lookups_ref_created", "status_lookups", ["ref", "created_at"])
    op.create_table(
        "progress_notices",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("event", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("route", sa.String(length=16), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("notification_key", sa.String(length=200), nullable=True),
        sa.Column("claimed_until", sa.DateTime(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
            name=op.f("fk_progress_notices_request_id_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_progress_notices")),
    )
    op.create_index(op.f("ix_progress_notices_request_id"), "progress_notices", ["request_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_progress_notices_request_id"), table_name="progress_notices")
    op.drop_table("progress_notices")
    op.drop_index("ix_status_lookups_ref_created", table_name="status_lookups")
    op.drop_table("status_lookups")
    with op.batch_alter_table("request_notes", schema=None) as batch_op:
        batch_op.drop_column("public")
