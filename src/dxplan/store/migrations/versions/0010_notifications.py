"""Reminders and notifications: people's e-mail and language, preferences, the sent log.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("email", sa.String(254), nullable=True))
        batch.add_column(sa.Column("language", sa.String(8), nullable=True))
    op.create_table(
        "notify_preferences",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("recipient", sa.String(254), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("choice", sa.String(3), nullable=False),
        sa.Column("recorded_at", _AT, nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_preferences")),
        sa.UniqueConstraint("recipient", "kind", name=op.f("uq_notify_preferences_recipient_kind")),
    )
    op.create_table(
        "notify_digests",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("message_id", sa.String(36), nullable=False),
        sa.Column("recipient", sa.String(254), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("day", sa.String(10), nullable=False),
        sa.Column("state", sa.String(8), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("sent_at", _AT, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_digests")),
        sa.UniqueConstraint("message_id", name=op.f("uq_notify_digests_message_id")),
        sa.UniqueConstraint(
            "recipient", "channel", "day", name=op.f("uq_notify_digests_recipient_channel_day")
        ),
    )
    op.create_index(op.f("ix_notify_digests_state"), "notify_digests", ["state"])
    op.create_table(
        "notify_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("recipient", sa.String(254), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("item_key", sa.String(200), nullable=False),
        sa.Column("digest_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["digest_id"],
            ["notify_digests.id"],
            name=op.f("fk_notify_items_digest_id_notify_digests"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notify_items")),
        sa.UniqueConstraint(
            "recipient",
            "channel",
            "item_key",
            name=op.f("uq_notify_items_recipient_channel_item_key"),
        ),
    )
    op.create_index(op.f("ix_notify_items_digest_id"), "notify_items", ["digest_id"])
    op.create_table(
        "notify_statuses",
        sa.Column("unit_code", sa.String(32), nullable=False),
        sa.Column("indicator", sa.String(32), nullable=False),
        sa.Column("period", sa.String(8), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("recorded_at", _AT, nullable=False),
        sa.PrimaryKeyConstraint(
            "unit_code", "indicator", "period", name=op.f("pk_notify_statuses")
        ),
    )


def downgrade() -> None:
    op.drop_table("notify_statuses")
    op.drop_index(op.f("ix_notify_items_digest_id"), "notify_items")
    op.drop_table("notify_items")
    op.drop_index(op.f("ix_notify_digests_state"), "notify_digests")
    op.drop_table("notify_digests")
    op.drop_table("notify_preferences")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("language")
        batch.drop_column("email")
