"""analytics day rollups: settled days of the scorecard, per agency and priority

Revision ID: 0008
Revises: 0007

A cache of the Event-backed tables (see cc112.analytics.rollups): empty after this migration; the
app's builder (or `cc112 analytics rollup`) fills it.
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import cc112.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "analytics_day_rollups",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("jurisdiction_id", BIG_ID, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("agency_id", sa.Integer(), nullable=False),
        sa.Column("priority", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("built_at", cc112.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(["jurisdiction_id"], ["jurisdictions.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ux_analytics_day_rollups", "analytics_day_rollups",
                    ["jurisdiction_id", "kind", "day", "agency_id", "priority"], unique=True)
    op.create_table(
        "analytics_rollup_state",
        sa.Column("jurisdiction_id", BIG_ID, nullable=False),
        sa.Column("event_watermark", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", cc112.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["jurisdiction_id"], ["jurisdictions.id"]),
        sa.PrimaryKeyConstraint("jurisdiction_id"),
    )


def downgrade() -> None:
    op.drop_table("analytics_rollup_state")
    op.drop_index("ux_analytics_day_rollups", table_name="analytics_day_rollups")
    op.drop_table("analytics_day_rollups")
