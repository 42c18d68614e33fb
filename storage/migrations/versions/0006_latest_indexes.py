"""latest headlines: the newest articles of a category or a source in one index walk

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 07:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index(
        "ix_article_categories_category_article",
        "article_categories",
        ["category_id", "article_id"],
        unique=False,
    )
    op.create_index(
        "ix_articles_source_domain_id", "articles", ["source_domain", "id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_articles_source_domain_id", table_name="articles")
    op.drop_index("ix_article_categories_category_article", table_name="article_categories")
