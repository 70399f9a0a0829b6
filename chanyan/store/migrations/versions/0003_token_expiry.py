"""API tokens expire: api_tokens.expires_at (existing tokens get the default lifetime from the upgrade)

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 21:20:00
"""

from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

EXISTING_TOKEN_DAYS = 90


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", sa.DateTime(), nullable=True))
    expires = datetime.now(timezone.utc).replace(tzinfo=None) + timedelta(days=EXISTING_TOKEN_DAYS)
    op.execute(sa.text("UPDATE api_tokens SET expires_at = :at WHERE expires_at IS NULL").bindparams(at=expires))


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("expires_at")
