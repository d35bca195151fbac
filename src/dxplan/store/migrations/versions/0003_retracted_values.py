"""A value version may be empty: the figure was withdrawn (its data no longer exists).

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-28
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("measure_values") as batch:
        batch.alter_column("value", existing_type=sa.Float(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM measure_values WHERE value IS NULL")
    with op.batch_alter_table("measure_values") as batch:
        batch.alter_column("value", existing_type=sa.Float(), nullable=False)
