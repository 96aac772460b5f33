"""sms channel messages

Revision ID: 0004
Revises: 0003
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql, sqlite

import cc112.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
JSON = (sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
        .with_variant(sqlite.JSON(), "sqlite"))


def upgrade() -> None:
    op.create_table(
        "sms_messages",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("jurisdiction_id", BIG_ID, nullable=False),
        sa.Column("direction", sa.String(length=8), nullable=False),
        sa.Column("gateway_id", sa.String(length=100), nullable=True),
        sa.Column("sender", sa.String(length=20), nullable=True),
        sa.Column("recipient", sa.String(length=20), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("flags", JSON, nullable=False),
        sa.Column("detail", sa.String(length=500), nullable=True),
        sa.Column("created_at", cc112.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("gateway_sent_at", cc112.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("contact_id", BIG_ID, nullable=True),
        sa.Column("incident_id", BIG_ID, nullable=True),
        sa.Column("reply_to_id", BIG_ID, nullable=True),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("accuracy_m", sa.Float(), nullable=True),
        sa.Column("position", JSON, nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", cc112.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        sa.Column("delivered_at", cc112.db.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["jurisdiction_id"], ["jurisdictions.id"],
                                name=op.f("fk_sms_messages_jurisdiction_id_jurisdictions")),
        sa.ForeignKeyConstraint(["contact_id"], ["contacts.id"], name=op.f("fk_sms_messages_contact_id_contacts")),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], name=op.f("fk_sms_messages_incident_id_incidents")),
        sa.ForeignKeyConstraint(["reply_to_id"], ["sms_messages.id"],
                                name=op.f("fk_sms_messages_reply_to_id_sms_messages")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sms_messages")),
        sa.UniqueConstraint("direction", "gateway_id", name="uq_sms_messages_direction_gateway_id"),
    )
    with op.batch_alter_table("sms_messages", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sms_messages_jurisdiction_id"), ["jurisdiction_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sms_messages_contact_id"), ["contact_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_sms_messages_incident_id"), ["incident_id"], unique=False)
        batch_op.create_index("ix_sms_messages_sender_created", ["sender", "created_at"], unique=False)
        batch_op.create_index("ix_sms_messages_status_next_attempt", ["status", "next_attempt_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sms_messages", schema=None) as batch_op:
        batch_op.drop_index("ix_sms_messages_status_next_attempt")
        batch_op.drop_index("ix_sms_messages_sender_created")
        batch_op.drop_index(batch_op.f("ix_sms_messages_incident_id"))
        batch_op.drop_index(batch_op.f("ix_sms_messages_contact_id"))
        batch_op.drop_index(batch_op.f("ix_sms_messages_jurisdiction_id"))
    op.drop_table("sms_messages")
