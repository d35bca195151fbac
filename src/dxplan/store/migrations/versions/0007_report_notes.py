"""Notes of the official reports: difficulties and next tasks per unit and period.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "report_notes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("unit_code", sa.String(32), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("difficulties", sa.Text(), nullable=False),
        sa.Column("next_tasks", sa.Text(), nullable=False),
        sa.Column("recorded_at", _AT, nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_code"], ["units.code"], name=op.f("fk_report_notes_unit_code_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_notes")),
    )
    op.create_index(
        op.f("ix_report_notes_unit_code_period"), "report_notes", ["unit_code", "period"]
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_report_notes_unit_code_period"), "report_notes")
    op.drop_table("report_notes")
