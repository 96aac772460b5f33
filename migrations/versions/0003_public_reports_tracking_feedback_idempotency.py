"""public reports tracking feedback idempotency

Revision ID: 0003
Revises: 0002
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import cc112.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "public_tickets",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("incident_id", BigId, sa.ForeignKey("incidents.id", name="fk_public_tickets_incident_id_incidents"),
                  nullable=False),
        sa.Column("tracking_code_hash", sa.String(64), nullable=False),
        sa.Column("reporter_number", sa.String(20), nullable=True),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("created_at", cc112.db.UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("incident_id", name="uq_public_tickets_incident_id"),
    )
    op.create_table(
        "feedback",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("incident_id", BigId, sa.ForeignKey("incidents.id", name="fk_feedback_incident_id_incidents"),
                  nullable=False),
        sa.Column("jurisdiction_id", BigId,
                  sa.ForeignKey("jurisdictions.id", name="fk_feedback_jurisdiction_id_jurisdictions"), nullable=False),
        sa.Column("rating", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("not_fixed", sa.Boolean(), nullable=False),
        sa.Column("created_at", cc112.db.UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("incident_id", name="uq_feedback_incident_id"),
    )
    op.create_index("ix_feedback_jurisdiction_id", "feedback", ["jurisdiction_id"])
    op.create_table(
        "photos",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("incident_id", BigId, sa.ForeignKey("incidents.id", name="fk_photos_incident_id_incidents"),
                  nullable=False),
        sa.Column("stored_name", sa.String(80), nullable=False),
        sa.Column("content_type", sa.String(32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("created_at", cc112.db.UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("stored_name", name="uq_photos_stored_name"),
    )
    op.create_index("ix_photos_incident_id", "photos", ["incident_id"])
    op.create_table(
        "idempotency_keys",
        sa.Column("id", BigId, primary_key=True),
        sa.Column("scope", sa.String(64), nullable=False),
        sa.Column("key", sa.String(128), nullable=False),
        sa.Column("request_hash", sa.String(64), nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("response_body", sa.Text(), nullable=True),
        sa.Column("created_at", cc112.db.UTCDateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("scope", "key", name="uq_idempotency_keys_scope"),
    )


def downgrade() -> None:
    op.drop_table("idempotency_keys")
    op.drop_index("ix_photos_incident_id", table_name="photos")
    op.drop_table("photos")
    op.drop_index("ix_feedback_jurisdiction_id", table_name="feedback")
    op.drop_table("feedback")
    op.drop_table("public_tickets")
