"""The outbox of packets for the national reporting information system.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "national_outbox",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("message_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("slot", sa.String(80), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("items", sa.JSON(), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("queued_at", _AT, nullable=False),
        sa.Column("sent_at", _AT, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_national_outbox")),
        sa.UniqueConstraint("message_id", name=op.f("uq_national_outbox_message_id")),
    )
    op.create_index(
        op.f("ix_national_outbox_kind_period_slot"), "national_outbox", ["kind", "period", "slot"]
    )
    op.create_index(op.f("ix_national_outbox_state"), "national_outbox", ["state"])


def downgrade() -> None:
    op.drop_index(op.f("ix_national_outbox_state"), "national_outbox")
    op.drop_index(op.f("ix_national_outbox_kind_period_slot"), "national_outbox")
    op.drop_table("national_outbox")
