"""Receiving the provinces' packets: receipts, the senders' catalogues, tokens' senders.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("sender", sa.String(32), nullable=True))
    op.create_table(
        "packet_receipts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sender", sa.String(32), nullable=False),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(16), nullable=True),
        sa.Column("period", sa.String(8), nullable=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("status", sa.String(8), nullable=False),
        sa.Column("item_count", sa.Integer(), nullable=False),
        sa.Column("values_written", sa.Integer(), nullable=False),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("notes", sa.JSON(), nullable=False),
        sa.Column("sent_at", sa.String(40), nullable=True),
        sa.Column("received_at", _AT, nullable=False),
        sa.Column("token_name", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_packet_receipts")),
        sa.UniqueConstraint(
            "sender", "message_id", name=op.f("uq_packet_receipts_sender_message_id")
        ),
    )
    op.create_index(
        op.f("ix_packet_receipts_sender_received_at"),
        "packet_receipts",
        ["sender", "received_at"],
    )
    op.create_table(
        "received_indicators",
        sa.Column("sender", sa.String(32), nullable=False),
        sa.Column("indicator", sa.String(64), nullable=False),
        sa.Column("sender_code", sa.String(64), nullable=False),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("message_id", sa.String(64), nullable=False),
        sa.Column("updated_at", _AT, nullable=False),
        sa.PrimaryKeyConstraint("sender", "indicator", name=op.f("pk_received_indicators")),
    )


def downgrade() -> None:
    op.drop_table("received_indicators")
    op.drop_index(op.f("ix_packet_receipts_sender_received_at"), "packet_receipts")
    op.drop_table("packet_receipts")
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("sender")
