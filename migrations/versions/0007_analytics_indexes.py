"""analytics indexes: the dashboard's scans read indexes only; incidents keep their H3 cell

Revision ID: 0007
Revises: 0006

Measured with bench/analytics.py on 1,000,000 incidents (bench/RESULTS.md).
- incidents: one index that covers every incident count of the dashboard (period, exercise,
  status, type, priority, kecamatan and the hotspot cell), so a year of incidents is counted
  without touching the table; the H3 cell is stored with the position (backfilled here).
- assignments: (incident_id, agency_id) answers "has this agency been assigned" from the index;
  (status) lets the deadline sweeper (every 5 s) find the few active assignments among millions
  (0.84 s → 0.02 s on 1.76 million assignments).
- contacts: covering index for the contact statistics of a period.
"""
from __future__ import annotations

import h3
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

HOTSPOT_RESOLUTION = 7  # as cc112.incidents.models.HOTSPOT_RESOLUTION when this revision was written
BATCH = 20_000


def _backfill_cells() -> None:
    conn = op.get_bind()
    incidents = sa.table("incidents", sa.column("id", sa.Integer), sa.column("lat", sa.Float),
                         sa.column("lon", sa.Float), sa.column("h3_cell", sa.String))
    last = 0
    while True:
        rows = conn.execute(sa.select(incidents.c.id, incidents.c.lat, incidents.c.lon)
                            .where(incidents.c.id > last, incidents.c.lat.is_not(None), incidents.c.lon.is_not(None))
                            .order_by(incidents.c.id).limit(BATCH)).all()
        if not rows:
            return
        conn.execute(sa.update(incidents).where(incidents.c.id == sa.bindparam("row_id"))
                     .values(h3_cell=sa.bindparam("cell")),
                     [{"row_id": i, "cell": h3.latlng_to_cell(lat, lon, HOTSPOT_RESOLUTION)} for i, lat, lon in rows])
        last = rows[-1][0]


def upgrade() -> None:
    op.add_column("incidents", sa.Column("h3_cell", sa.String(length=16), nullable=True))
    _backfill_cells()
    op.create_index("ix_incidents_analytics", "incidents",
                    ["jurisdiction_id", "created_at", "is_exercise", "status", "incident_type_id", "priority",
                     "region_id", "h3_cell"])
    op.create_index("ix_assignments_incident_agency", "assignments", ["incident_id", "agency_id"])
    op.create_index("ix_assignments_status", "assignments", ["status"])
    op.create_index("ix_contacts_analytics", "contacts",
                    ["jurisdiction_id", "received_at", "is_exercise", "classification", "channel", "answered_at"])


def downgrade() -> None:
    op.drop_index("ix_contacts_analytics", table_name="contacts")
    op.drop_index("ix_assignments_status", table_name="assignments")
    op.drop_index("ix_assignments_incident_agency", table_name="assignments")
    op.drop_index("ix_incidents_analytics", table_name="incidents")
    with op.batch_alter_table("incidents") as batch:
        batch.drop_column("h3_cell")
