"""early removals: a post its author removed before the store had it (an out-of-order webhook delivery),
kept so the post is stored as removed by its author when it arrives

Revision ID: 0010
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0010"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "early_removals",
        sa.Column("channel", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("external_id", sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("post_id", sa.Integer(), sa.ForeignKey("posts.id"), nullable=True),
        sa.PrimaryKeyConstraint("channel", "external_id"),
    )


def downgrade() -> None:
    op.drop_table("early_removals")
