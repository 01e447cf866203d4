"""audit trail: one event log per post (status_events gains action, detail, reply id, version; post_activity folds in)

``status_events`` becomes the one log of who did what to a post. Existing status events get an
action read from their statuses and notes; the rows of ``post_activity`` that were not status changes
(those are already in ``status_events``) are copied over, then ``post_activity`` is dropped.
``note`` is renamed ``detail``; ``to_status`` may be empty (an event that did not move the post).

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

# the action of an existing status event, from its statuses and note (first match wins)
_BACKFILL = """
UPDATE status_events SET action = CASE
    WHEN from_status IS NULL AND to_status = 'flagged' THEN 'flagged'
    WHEN from_status IS NULL THEN 'received'
    WHEN to_status = 'resolved' THEN 'resolved'
    WHEN to_status = 'spam' THEN 'marked_spam'
    WHEN to_status = 'sent' AND detail LIKE 'answered by the reply to post %' THEN 'answered'
    WHEN to_status = 'sent' THEN 'sent'
    WHEN to_status = 'awaiting_approval' AND detail LIKE 'reply % approved%' THEN 'approved'
    WHEN to_status = 'awaiting_approval' THEN 'drafted'
    WHEN detail = 'reopened' OR detail LIKE 'customer unhappy after follow-up%' THEN 'reopened'
    WHEN to_status = 'flagged' AND detail = 'flagged by a person' THEN 'flagged'
    WHEN to_status = 'new' AND detail = 'unflagged by a person' THEN 'unflagged'
    ELSE 'status'
END
"""

# post_activity rows that were not status changes (``status:*`` rows duplicate status_events)
_COPY_ACTIVITY = """
INSERT INTO status_events (post_id, action, from_status, to_status, actor, at, detail, reply_id, version)
SELECT post_id,
       CASE
           WHEN action = 'assign' THEN 'assigned'
           WHEN action = 'snooze' AND detail = 'woken' THEN 'woken'
           WHEN action = 'snooze' THEN 'snoozed'
           WHEN action = 'edit_draft' THEN 'edited'
           WHEN action = 'approve' THEN 'approved'
           WHEN action LIKE 'correct:%' THEN 'corrected'
           ELSE 'status'
       END,
       NULL, NULL, actor, at,
       CASE
           WHEN action LIKE 'correct:%' THEN SUBSTR(action, 9) || ': ' || COALESCE(detail, '')
           WHEN action = 'snooze' AND detail = 'woken' THEN NULL
           ELSE detail
       END,
       NULL, version
FROM post_activity
WHERE action NOT LIKE 'status:%'
ORDER BY id
"""


def upgrade() -> None:
    with op.batch_alter_table("status_events", schema=None) as batch_op:
        batch_op.alter_column("note", new_column_name="detail", existing_type=sa.Text(), existing_nullable=True)
        batch_op.alter_column(
            "to_status", existing_type=sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True
        )
        batch_op.add_column(sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True))
        batch_op.add_column(sa.Column("reply_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("version", sa.Integer(), nullable=True))
    op.execute(_BACKFILL)
    with op.batch_alter_table("status_events", schema=None) as batch_op:
        batch_op.alter_column("action", existing_type=sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False)
        batch_op.create_foreign_key("fk_status_events_reply_id_replies", "replies", ["reply_id"], ["id"])
        batch_op.create_index(batch_op.f("ix_status_events_action"), ["action"], unique=False)
        batch_op.create_index(batch_op.f("ix_status_events_actor"), ["actor"], unique=False)
        batch_op.create_index(batch_op.f("ix_status_events_reply_id"), ["reply_id"], unique=False)
    op.execute(_COPY_ACTIVITY)
    with op.batch_alter_table("post_activity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_post_activity_post_id"))
    op.drop_table("post_activity")


def downgrade() -> None:
    op.create_table(
        "post_activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("post_id", sa.Integer(), nullable=False),
        sa.Column("actor", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("action", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["post_id"], ["posts.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("post_activity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_post_activity_post_id"), ["post_id"], unique=False)
    # events that did not move the post go back to post_activity; the status log keeps the rest
    op.execute(
        "INSERT INTO post_activity (post_id, actor, action, detail, version, at) "
        "SELECT post_id, actor, action, detail, COALESCE(version, 0), at FROM status_events "
        "WHERE to_status IS NULL ORDER BY id"
    )
    op.execute("DELETE FROM status_events WHERE to_status IS NULL")
    with op.batch_alter_table("status_events", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_status_events_reply_id"))
        batch_op.drop_index(batch_op.f("ix_status_events_actor"))
        batch_op.drop_index(batch_op.f("ix_status_events_action"))
        batch_op.drop_constraint("fk_status_events_reply_id_replies", type_="foreignkey")
        batch_op.drop_column("version")
        batch_op.drop_column("reply_id")
        batch_op.drop_column("action")
        batch_op.alter_column(
            "to_status", existing_type=sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False
        )
        batch_op.alter_column("detail", new_column_name="note", existing_type=sa.Text(), existing_nullable=True)
