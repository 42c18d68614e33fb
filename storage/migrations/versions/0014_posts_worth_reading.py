"""posts worth reading: pictures, full text, one post per story, per-binding settings

- articles: the entry's picture (image_url); whether the text is the fetched page's
  (full_text) and why a wanted page was not used (page_error); the same-story check's
  fingerprint, and story_id, the first article of the story an article tells again.
- deliveries: the summary length of the binding planned for (summary_chars); whether the
  message went as a photo (as_photo, so that an edit edits its caption) or as a line of a
  digest (in_digest: never edited as a post); edit_due_at, when a sent post must be edited to
  name the other outlets of its story.
- subscriptions: a binding's summary length and the languages besides Arabic it takes.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 18:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from storage.models import LINK_CHARS, UTCDateTime

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("articles", sa.Column("image_url", sa.String(LINK_CHARS), nullable=True))
    op.add_column(
        "articles",
        sa.Column("full_text", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("articles", sa.Column("page_error", sa.Text(), nullable=True))
    op.add_column("articles", sa.Column("fingerprint", sa.LargeBinary(), nullable=True))
    # SQLite can add a foreign key only by copying the table (batch mode); PostgreSQL alters
    # it in place. The copy is once, at this upgrade.
    with op.batch_alter_table("articles") as batch:
        batch.add_column(sa.Column("story_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_articles_story_id_articles", "articles", ["story_id"], ["id"], ondelete="SET NULL"
        )
    op.create_index("ix_articles_story_id", "articles", ["story_id"], unique=False)

    op.add_column("deliveries", sa.Column("summary_chars", sa.Integer(), nullable=True))
    op.add_column(
        "deliveries",
        sa.Column("as_photo", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "deliveries",
        sa.Column("in_digest", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column("deliveries", sa.Column("edit_due_at", UTCDateTime(), nullable=True))
    op.create_index("ix_deliveries_edit_due_at", "deliveries", ["edit_due_at"], unique=False)

    op.add_column("subscriptions", sa.Column("summary_chars", sa.Integer(), nullable=True))
    op.add_column("subscriptions", sa.Column("languages", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("languages")
        batch.drop_column("summary_chars")
    op.drop_index("ix_deliveries_edit_due_at", table_name="deliveries")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("edit_due_at")
        batch.drop_column("in_digest")
        batch.drop_column("as_photo")
        batch.drop_column("summary_chars")
    op.drop_index("ix_articles_story_id", table_name="articles")
    with op.batch_alter_table("articles") as batch:
        batch.drop_constraint("fk_articles_story_id_articles", type_="foreignkey")
        batch.drop_column("story_id")
        batch.drop_column("fingerprint")
        batch.drop_column("page_error")
        batch.drop_column("full_text")
        batch.drop_column("image_url")
