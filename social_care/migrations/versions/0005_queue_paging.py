"""queue paging: posts.urgency_base, the time-independent part of the queue's urgency

The queue ranks open posts in SQL (this column plus the waiting part computed from ``created_at``) so its
pages can be followed by keyset. Existing rows are filled in here, in batches, with the same formula the
models keep it in step with (``social_care.store.tables.anger_reach_points``).

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from social_care.store.tables import anger_reach_points

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BATCH = 5_000


def upgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("urgency_base", sa.Float(), nullable=False, server_default="0"))
    conn = op.get_bind()
    posts = sa.table(
        "posts",
        sa.column("id", sa.Integer()),
        sa.column("polarity", sa.Float()),
        sa.column("flagged", sa.Boolean()),
        sa.column("author_followers", sa.Integer()),
        sa.column("urgency_base", sa.Float()),
    )
    update = (
        sa.update(posts)
        .where(posts.c.id == sa.bindparam("pid"))
        .values(urgency_base=sa.bindparam("base"))
    )
    last = 0
    while True:
        rows = conn.execute(
            sa.select(posts.c.id, posts.c.polarity, posts.c.flagged, posts.c.author_followers)
            .where(posts.c.id > last)
            .order_by(posts.c.id)
            .limit(BATCH)
        ).all()
        if not rows:
            break
        conn.execute(update, [{"pid": r[0], "base": anger_reach_points(r[1], r[2], r[3])} for r in rows])
        last = rows[-1][0]


def downgrade() -> None:
    with op.batch_alter_table("posts", schema=None) as batch_op:
        batch_op.drop_column("urgency_base")
