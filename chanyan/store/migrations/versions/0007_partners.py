"""partner registry: partners, registry version, partner audit, request candidates and their history; the
recipient of an outside e-mail (an invitation) on notifications

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 21:00:00
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("recipient", sa.String(length=254), nullable=True))
    op.create_table(
        "partners",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("parent", sa.String(length=200), nullable=True),
        sa.Column("province", sa.String(length=32), nullable=True),
        sa.Column("city", sa.String(length=32), nullable=True),
        sa.Column("capability", sa.Text(), nullable=False),
        sa.Column("achievements", sa.Text(), nullable=True),
        sa.Column("domains", sa.JSON(), nullable=False),
        sa.Column("domains_tagged", sa.Boolean(), nullable=False),
        sa.Column("domain_codes", sa.String(length=64), nullable=True),
        sa.Column("keywords", sa.JSON(), nullable=False),
        sa.Column("contact_name", sa.String(length=100), nullable=True),
        sa.Column("contact_phone", sa.String(length=40), nullable=True),
        sa.Column("contact_email", sa.String(length=254), nullable=True),
        sa.Column("url", sa.String(length=500), nullable=True),
        sa.Column("source", sa.String(length=200), nullable=True),
        sa.Column("reviewed_at", sa.Date(), nullable=True),
        sa.Column("search_text", sa.Text(), nullable=True),
        sa.Column("tokens", sa.Text(), nullable=True),
        sa.Column("tokens_fingerprint", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=100), nullable=True),
        sa.Column("updated_by", sa.String(length=100), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partners")),
        sa.UniqueConstraint("name", "kind", name="uq_partners_name_kind"),
    )
    with op.batch_alter_table("partners", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partners_kind"), ["kind"], unique=False)
        batch_op.create_index(batch_op.f("ix_partners_province"), ["province"], unique=False)

    op.create_table(
        "partner_registry_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_registry_state")),
    )

    op.create_table(
        "partner_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("field", sa.String(length=32), nullable=True),
        sa.Column("old_value", sa.Text(), nullable=True),
        sa.Column("new_value", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_partner_audit_partner_id_partners"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_partner_audit")),
    )
    with op.batch_alter_table("partner_audit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partner_audit_partner_id"), ["partner_id"], unique=False)

    op.create_table(
        "request_candidates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.Integer(), nullable=False),
        sa.Column("partner_id", sa.Integer(), nullable=False),
        sa.Column("stage", sa.String(length=16), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("why", sa.JSON(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partners.id"], name=op.f("fk_request_candidates_partner_id_partners"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["request_id"], ["requests.id"], name=op.f("fk_request_candidates_request_id_requests"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_request_candidates")),
        sa.UniqueConstraint("request_id", "partner_id", name="uq_request_candidates_request_partner"),
    )
    with op.batch_alter_table("request_candidates", schema=None) as batch_op:
        batch_op.create_index("ix_request_candidates_stage", ["stage"], unique=False)
        batch_op.create_index(batch_op.f("ix_request_candidates_partner_id"), ["partner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_request_candidates_request_id"), ["request_id"], unique=False)

    op.create_table(
        "candidate_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("from_stage", sa.String(length=16), nullable=True),
        sa.Column("to_stage", sa.String(length=16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["candidate_id"],
            ["request_candidates.id"],
            name=op.f("fk_candidate_events_candidate_id_request_candidates"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidate_events")),
    )
    with op.batch_alter_table("candidate_events", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_candidate_events_candidate_id"), ["candidate_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("notifications", schema=None) as batch_op:
        batch_op.drop_column("recipient")
    with op.batch_alter_table("candidate_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_candidate_events_candidate_id"))
    op.drop_table("candidate_events")
    with op.batch_alter_table("request_candidates", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_request_candidates_request_id"))
        batch_op.drop_index(batch_op.f("ix_request_candidates_partner_id"))
        batch_op.drop_index("ix_request_candidates_stage")
    op.drop_table("request_candidates")
    with op.batch_alter_table("partner_audit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partner_audit_partner_id"))
    op.drop_table("partner_audit")
    op.drop_table("partner_registry_state")
    with op.batch_alter_table("partners", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partners_province"))
        batch_op.drop_index(batch_op.f("ix_partners_kind"))
    op.drop_table("partners")
