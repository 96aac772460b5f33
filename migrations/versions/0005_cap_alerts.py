"""cap alerts

Revision ID: 0005
Revises: 0004
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql, sqlite

import cc112.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_JSON = (sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
         .with_variant(sqlite.JSON(), "sqlite"))


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", _ID, nullable=False),
        sa.Column("jurisdiction_id", _ID, nullable=False),
        sa.Column("identifier", sa.String(length=64), nullable=True),
        sa.Column("sender", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("msg_type", sa.String(length=8), nullable=False),
        sa.Column("references_id", _ID, nullable=True),
        sa.Column("incident_id", _ID, nullable=True),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("urgency", sa.String(length=12), nullable=False),
        sa.Column("severity", sa.String(length=12), nullable=False),
        sa.Column("certainty", sa.String(length=12), nullable=False),
        sa.Column("response_type", sa.String(length=12), nullable=True),
        sa.Column("note", sa.String(length=300), nullable=True),
        sa.Column("web", sa.String(length=300), nullable=True),
        sa.Column("expires_at", cc112.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("infos", _JSON, nullable=False),
        sa.Column("areas", _JSON, nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("composed_by_id", _ID, nullable=False),
        sa.Column("composed_at", cc112.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", cc112.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("approved_by_id", _ID, nullable=True),
        sa.Column("sent_at", cc112.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("rejected_by_id", _ID, nullable=True),
        sa.Column("rejected_at", cc112.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("reject_reason", sa.String(length=300), nullable=True),
        sa.Column("cap_xml", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["jurisdiction_id"], ["jurisdictions.id"],
                                name=op.f("fk_alerts_jurisdiction_id_jurisdictions")),
        sa.ForeignKeyConstraint(["references_id"], ["alerts.id"], name=op.f("fk_alerts_references_id_alerts")),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], name=op.f("fk_alerts_incident_id_incidents")),
        sa.ForeignKeyConstraint(["composed_by_id"], ["users.id"], name=op.f("fk_alerts_composed_by_id_users")),
        sa.ForeignKeyConstraint(["approved_by_id"], ["users.id"], name=op.f("fk_alerts_approved_by_id_users")),
        sa.ForeignKeyConstraint(["rejected_by_id"], ["users.id"], name=op.f("fk_alerts_rejected_by_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        sa.UniqueConstraint("identifier", name=op.f("uq_alerts_identifier")),
    )
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.create_index("ix_alerts_jur_state", ["jurisdiction_id", "state"], unique=False)
        batch_op.create_index(batch_op.f("ix_alerts_references_id"), ["references_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_alerts_incident_id"), ["incident_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_alerts_incident_id"))
        batch_op.drop_index(batch_op.f("ix_alerts_references_id"))
        batch_op.drop_index("ix_alerts_jur_state")
    op.drop_table("alerts")
