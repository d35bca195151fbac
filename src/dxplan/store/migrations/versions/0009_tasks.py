"""Tasks: breakthrough and own tasks of units, progress reports, evidence files.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_AT = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "breakthrough_tasks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(48), nullable=False),
        sa.Column("unit_code", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("expected_result", sa.Text(), nullable=True),
        sa.Column("due", sa.String(10), nullable=False),
        sa.Column("indicators", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("review_comment", sa.Text(), nullable=True),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.Column("updated_at", _AT, nullable=False),
        sa.Column("updated_by", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_code"], ["units.code"], name=op.f("fk_breakthrough_tasks_unit_code_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_breakthrough_tasks")),
        sa.UniqueConstraint("code", name=op.f("uq_breakthrough_tasks_code")),
        sa.UniqueConstraint("unit_code", "year", name=op.f("uq_breakthrough_tasks_unit_code_year")),
    )
    op.create_table(
        "unit_tasks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("code", sa.String(48), nullable=False),
        sa.Column("unit_code", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("due", sa.String(10), nullable=False),
        sa.Column("created_at", _AT, nullable=False),
        sa.Column("created_by", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_code"], ["units.code"], name=op.f("fk_unit_tasks_unit_code_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_tasks")),
        sa.UniqueConstraint("code", name=op.f("uq_unit_tasks_code")),
    )
    op.create_index(op.f("ix_unit_tasks_unit_code_year"), "unit_tasks", ["unit_code", "year"])
    op.create_table(
        "task_progress",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("task_code", sa.String(48), nullable=False),
        sa.Column("unit_code", sa.String(32), nullable=False),
        sa.Column("percent", sa.Integer(), nullable=False),
        sa.Column("progress", sa.String(16), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("recorded_at", _AT, nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_code"], ["units.code"], name=op.f("fk_task_progress_unit_code_units")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_progress")),
    )
    op.create_index(op.f("ix_task_progress_task_code_id"), "task_progress", ["task_code", "id"])
    op.create_table(
        "task_evidence",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("task_code", sa.String(48), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("media_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_at", _AT, nullable=False),
        sa.Column("uploaded_by", sa.String(64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_evidence")),
    )
    op.create_index(op.f("ix_task_evidence_task_code"), "task_evidence", ["task_code"])


def downgrade() -> None:
    op.drop_index(op.f("ix_task_evidence_task_code"), "task_evidence")
    op.drop_table("task_evidence")
    op.drop_index(op.f("ix_task_progress_task_code_id"), "task_progress")
    op.drop_table("task_progress")
    op.drop_index(op.f("ix_unit_tasks_unit_code_year"), "unit_tasks")
    op.drop_table("unit_tasks")
    op.drop_table("breakthrough_tasks")
