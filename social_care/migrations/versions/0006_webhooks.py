"""webhooks: per-platform delivery state (the polling backstop) and posts removed by their author

``webhook_state`` holds, per platform, when a signed webhook delivery was last accepted and how many
were accepted, rejected or acknowledged as unknown; polling stretches its interval while deliveries
arrive and comes back when they stop. ``posts.removed_at`` marks a post its author removed on the
platform (the row is kept).

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "webhook_state",
        sa.Column("platform", sa.String(length=16), primary_key=True),
        sa.Column("last_delivery_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("accepted", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("rejected", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("unknown", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("events", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_rejected_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_rejected_reason", sa.Text(), nullable=True),
        sa.Column("broken_alerted_at", sa.DateTime(timezone=True), nullable=True),
    )
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_column("removed_at")
    op.drop_table("webhook_state")
