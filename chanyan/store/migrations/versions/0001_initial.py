"""initial schema: requests, notes, status history, handoffs, channel incidents

Revision ID: 0001
Revises: 
Create Date: 2026-11-25 21:47:00.503481
"""

from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('channel_incidents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.String(length=255), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=64), nullable=False),
    sa.Column('detail', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_channel_incidents'))
    )
    with op.batch_alter_table('channel_incidents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_channel_incidents_conversation_id'), ['conversation_id'], unique=False)

    op.create_table('handoffs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.String(length=255), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('message', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_by', sa.String(length=100), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_handoffs'))
    )
    with op.batch_alter_table('handoffs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_handoffs_conversation_id'), ['conversation_id'], unique=False)

    op.create_table('requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=32), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('channel', sa.String(length=32), nullable=False),
    sa.Column('conversation_id', sa.String(length=255), nullable=False),
    sa.Column('draft_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('enterprise_name', sa.String(length=200), nullable=False),
    sa.Column('contact_name', sa.String(length=100), nullable=False),
    sa.Column('contact_phone', sa.String(length=20), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=True),
    sa.Column('need_title', sa.String(length=200), nullable=False),
    sa.Column('need_description', sa.Text(), nullable=False),
    sa.Column('tech_targets', sa.Text(), nullable=True),
    sa.Column('domain_code', sa.String(length=8), nullable=True),
    sa.Column('domain_name', sa.String(length=64), nullable=True),
    sa.Column('sub_code', sa.String(length=8), nullable=True),
    sa.Column('sub_name', sa.String(length=64), nullable=True),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('budget', sa.JSON(), nullable=True),
    sa.Column('timeline', sa.JSON(), nullable=True),
    sa.Column('coop_mode', sa.JSON(), nullable=False),
    sa.Column('ip_preference', sa.String(length=200), nullable=True),
    sa.Column('partner', sa.JSON(), nullable=True),
    sa.Column('extraction', sa.JSON(), nullable=True),
    sa.Column('assignee', sa.String(length=100), nullable=True),
    sa.Column('handoff', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_requests')),
    sa.UniqueConstraint('conversation_id', 'draft_id', name='uq_requests_conversation_draft'),
    sa.UniqueConstraint('ref', name=op.f('uq_requests_ref'))
    )
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_requests_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index('ix_requests_status_created', ['status', 'created_at'], unique=False)

    op.create_table('request_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('author', sa.String(length=100), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['requests.id'], name=op.f('fk_request_notes_request_id_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_request_notes'))
    )
    with op.batch_alter_table('request_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_request_notes_request_id'), ['request_id'], unique=False)

    op.create_table('status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('actor', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['requests.id'], name=op.f('fk_status_changes_request_id_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_status_changes'))
    )
    with op.batch_alter_table('status_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_status_changes_request_id'), ['request_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('status_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_status_changes_request_id'))

    op.drop_table('status_changes')
    with op.batch_alter_table('request_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_request_notes_request_id'))

    op.drop_table('request_notes')
    with op.batch_alter_table('requests', schema=None) as batch_op:
        batch_op.drop_index('ix_requests_status_created')
        batch_op.drop_index(batch_op.f('ix_requests_conversation_id'))

    op.drop_table('requests')
    with op.batch_alter_table('handoffs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_handoffs_conversation_id'))

    op.drop_table('handoffs')
    with op.batch_alter_table('channel_incidents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_channel_incidents_conversation_id'))

    op.drop_table('channel_incidents')
