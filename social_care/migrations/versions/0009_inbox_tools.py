"""inbox tools: tags, internal notes and @-mentions, saved replies (macros) and their uses, "don't engage"
authors, and who may edit the saved replies

Revision ID: 0009
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0006"
branch_labels = None
depends_on = None


def _ts(name: str, nullable: bool = False) -> sa.Column:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "post_tags",
        sa.Column("post_id", sa.Integer(), sa.ForeignKey("posts.id"), primary_key=True),
        sa.Column("tag", sa.String(length=48), primary_key=True),
        sa.Column("actor", sa.String(length=64), nullable=False),
        _ts("at"),
    )
    op.create_index("ix_post_tags_tag_post", "post_tags", ["tag", "post_id"])
    op.create_table(
        "post_notes",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("post_id", sa.Integer(), sa.ForeignKey("posts.id"), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        _ts("created_at"),
    )
    op.create_index("ix_post_notes_post_id", "post_notes", ["post_id"])
    op.create_table(
        "note_mentions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("note_id", sa.Integer(), sa.ForeignKey("post_notes.id"), nullable=False),
        sa.Column("post_id", sa.Integer(), sa.ForeignKey("posts.id"), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        _ts("created_at"),
        _ts("seen_at", nullable=True),
        sa.UniqueConstraint("note_id", "username", name="uq_note_mentions_note_user"),
    )
    op.create_index("ix_note_mentions_note_id", "note_mentions", ["note_id"])
    op.create_index("ix_note_mentions_post_id", "note_mentions", ["post_id"])
    op.create_index("ix_note_mentions_user_seen", "note_mentions", ["username", "seen_at"])
    op.create_table(
        "macros",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("lang", sa.String(length=8), nullable=True),
        sa.Column("channel", sa.String(length=32), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("uses", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        _ts("created_at"),
        _ts("updated_at"),
    )
    op.create_index("ix_macros_lang", "macros", ["lang"])
    op.create_index("ix_macros_channel", "macros", ["channel"])
    op.create_table(
        "macro_uses",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("macro_id", sa.Integer(), sa.ForeignKey("macros.id"), nullable=False),
        sa.Column("post_id", sa.Integer(), sa.ForeignKey("posts.id"), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        _ts("at"),
    )
    op.create_index("ix_macro_uses_macro_id", "macro_uses", ["macro_id"])
    op.create_index("ix_macro_uses_post_id", "macro_uses", ["post_id"])
    op.create_index("ix_macro_uses_at", "macro_uses", ["at"])
    op.create_table(
        "author_marks",
        sa.Column("customer_key", sa.String(length=160), primary_key=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        _ts("at"),
    )
    op.create_table(
        "team_admins",
        sa.Column("username", sa.String(length=64), primary_key=True),
        _ts("since"),
    )


def downgrade() -> None:
    op.drop_table("team_admins")
    op.drop_table("author_marks")
    op.drop_index("ix_macro_uses_at", "macro_uses")
    op.drop_index("ix_macro_uses_post_id", "macro_uses")
    op.drop_index("ix_macro_uses_macro_id", "macro_uses")
    op.drop_table("macro_uses")
    op.drop_index("ix_macros_channel", "macros")
    op.drop_index("ix_macros_lang", "macros")
    op.drop_table("macros")
    op.drop_index("ix_note_mentions_user_seen", "note_mentions")
    op.drop_index("ix_note_mentions_post_id", "note_mentions")
    op.drop_index("ix_note_mentions_note_id", "note_mentions")
    op.drop_table("note_mentions")
    op.drop_index("ix_post_notes_post_id", "post_notes")
    op.drop_table("post_notes")
    op.drop_index("ix_post_tags_tag_post", "post_tags")
    op.drop_table("post_tags")
