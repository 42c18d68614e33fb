"""deliveries: lease token, index on chat_id

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 21:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("lease_token", sa.String(length=32), nullable=True))
    op.create_index("ix_deliveries_chat_id", "deliveries", ["chat_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_deliveries_chat_id", table_name="deliveries")
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_column("lease_token")
