"""A month of history with known people and exact places, and helpers to read every public output.

Last full month (LAST), kebakaran bangunan: Luwuk 7, Batui 3, Pagimana 5; banjir: Luwuk 9, Batui 6,
Kintom 8; KDRT (sensitive): Toili 2; a traffic accident with no kecamatan: 1. Not counted: an
exercise fire and a merged duplicate fire in Luwuk. Damkar has 15 assignments with known times,
PSC 119 two. Three months earlier: 6 fires in Luwuk. Also one fire this (unfinished) month.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from cc112 import clock
from cc112.accounts.models import User
from cc112.agencies.models import Agency
from cc112.catalog.models import IncidentType
from cc112.dispatch.models import Assignment
from cc112.geo.models import Jurisdiction, Region
from cc112.incidents.models import Incident

WITA = ZoneInfo("Asia/Makassar")
CALLER = {"number": "0812-3456-7890", "name": "Budi Santoso"}
REPORTER_PHONE = "0813-5555-2468"
STAFF = {"username": "sari_ops", "full_name": "Sari Wulandari"}  # the call-taker who logs it all
# What must never appear in a public output: the caller's number in any form, the names, the
# reporter's phone, staff accounts, and words citizens and call-takers typed.
SECRETS = (
    "81234567890",
    "1234567890",
    "3456-7890",
    "3456 7890",
    "34567890",
    "Santoso",
    "55552468",
    "5555-2468",
    "5555 2468",
    "damkar_dispatcher",
    "Damkar_Dispatcher",
    "psc_dispatcher",
    "Psc_Dispatcher",
    STAFF["username"],
    "Wulandari",
    "Kenanga",
    "Ratna",
    "dapur",
    "Cempaka",
    "Melati",
)
LUWUK, BATUI, PAGIMANA, KINTOM, TOILI = "72.01.04", "72.01.01", "72.01.07", "72.01.03", "72.01.09"
CATALOGUE = (
    "incidents-monthly",
    "incidents-monthly-by-type",
    "incidents-by-kecamatan",
    "incidents-monthly-by-type-kecamatan",
    "agency-performance-monthly",
    "contacts-monthly",
    "hotspots",
)


def month_label(d: date) -> str:
    return d.strftime("%Y-%m")


def months_before(label: str, n: int) -> str:
    year, month = int(label[:4]), int(label[5:])
    index = year * 12 + month - 1 - n
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def local(label: str, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(int(label[:4]), int(label[5:]), day, hour, minute, tzinfo=WITA).astimezone(UTC)


@dataclass
class History:
    month: str  # the last full month
    earlier: str  # three months before
    current: str  # this, unfinished, month
    positions: list[tuple[float, float]] = field(default_factory=list)


class Builder:
    def __init__(self, session: Any) -> None:
        self.session = session
        self.seq = 9000

    async def load(self) -> None:
        s = self.session
        self.jur = await s.scalar(select(Jurisdiction).where(Jurisdiction.code == "72.01"))
        self.types = {
            t.code: t for t in await s.scalars(select(IncidentType).where(IncidentType.jurisdiction_id == self.jur.id))
        }
        self.regions = {r.code: r for r in await s.scalars(select(Region).where(Region.level == "kecamatan"))}
        self.agencies = {
            a.code: a for a in await s.scalars(select(Agency).where(Agency.jurisdiction_id == self.jur.id))
        }
        self.operator = await s.scalar(select(User).where(User.username == STAFF["username"]))

    async def incident(
        self, type_code: str, kec: str | None, at: datetime, position: tuple[float, float] | None, **extra: Any
    ) -> Incident:
        self.seq += 1
        lat, lon = position if position else (None, None)
        row = Incident(
            jurisdiction_id=self.jur.id,
            ticket=f"BGI-{at:%Y%m%d}-{self.seq}",
            incident_type_id=self.types[type_code].id,
            priority=self.types[type_code].default_priority,
            status=extra.pop("status", "resolved"),
            lat=lat,
            lon=lon,
            region_id=self.regions[kec].id if kec else None,
            address="Jl. Kenanga 12, dekat rumah Ibu Ratna",
            description="Pelapor Budi Santoso 0812-3456-7890, asap dari dapur",
            created_by_id=self.operator.id,
            created_at=at,
            updated_at=at,
            **extra,
        )
        self.session.add(row)
        await self.session.flush()
        return row

    async def assign(self, incident: Incident, agency: str, *, ack_s: int, scene_s: int, done_s: int) -> None:
        at = incident.created_at + timedelta(seconds=30)
        self.session.add(
            Assignment(
                incident_id=incident.id,
                agency_id=self.agencies[agency].id,
                status="completed",
                requested_by_id=self.operator.id,
                requested_at=at,
                acknowledged_at=at + timedelta(seconds=ack_s),
                on_scene_at=incident.created_at + timedelta(seconds=scene_s),
                completed_at=incident.created_at + timedelta(seconds=done_s),
                note="Diterima oleh damkar_dispatcher",
            )
        )


def spot(base: tuple[float, float], i: int) -> tuple[float, float]:
    """Exact positions a few tens of metres apart, with digits no centroid or hexagon has."""
    return round(base[0] + 0.00037 * i + 0.000013, 6), round(base[1] + 0.00041 * i + 0.000017, 6)


LUWUK_SPOT, BATUI_SPOT, PAGIMANA_SPOT = (-0.91234, 122.77861), (-1.18823, 122.44137), (-0.86011, 122.65029)
KINTOM_SPOT, TOILI_SPOT = (-1.10117, 122.57213), (-1.36917, 122.23311)


@pytest.fixture
async def history(app, login, anon) -> History:  # type: ignore[no-untyped-def]
    from cc112.accounts import service as accounts
    from tests.conftest import PASSWORD

    async with app.state.db.session_scope() as session:
        await accounts.create(db=session, password=PASSWORD, role="operator", jurisdiction_code="72.01", **STAFF)
    operator = await login(STAFF["username"])
    today = clock.now().astimezone(WITA).date()
    current = month_label(today)
    last = months_before(current, 1)
    h = History(month=last, earlier=months_before(last, 3), current=current)

    # Through the API, with the clock in the last month: a call with the caller's number and name,
    # an incident made from it, and a citizen's report with the reporter's phone.
    received = local(last, 10, 9)
    for i in range(8):
        body = {
            "channel": "phone",
            "received_at": (received + timedelta(minutes=i)).isoformat(),
            "answered_at": (received + timedelta(minutes=i, seconds=4 + 2 * i)).isoformat(),
            "classification": "emergency" if i else "prank",
        }
        if i == 0:
            body |= {
                "caller_number": CALLER["number"],
                "caller_name": CALLER["name"],
                "location_text": "Lorong Cempaka 3",
                "summary": "Budi Santoso melapor dari rumah Ibu Ratna",
            }
        made = await operator.post("/api/v1/contacts", json=body)
        assert made.status_code == 201, made.text
        if i == 0:
            contact_id = made.json()["id"]
    for i in range(2):
        made = await operator.post(
            "/api/v1/contacts",
            json={
                "channel": "sms",
                "caller_number": CALLER["number"],
                "received_at": (received + timedelta(hours=1, minutes=i)).isoformat(),
                "summary": "SMS dari Budi Santoso, Jl. Melati",
            },
        )
        assert made.status_code == 201, made.text
    clock.travel(received + timedelta(minutes=1) - clock.now())
    position = spot(LUWUK_SPOT, 0)
    made = await operator.post(
        "/api/v1/incidents",
        json={
            "type": "kebakaran_bangunan",
            "lat": position[0],
            "lon": position[1],
            "region_code": LUWUK,
            "address": "Jl. Kenanga 12",
            "description": "Budi Santoso (0812 3456 7890): asap dari dapur Ibu Ratna",
            "contact_id": contact_id,
        },
    )
    assert made.status_code == 201, made.text
    api_fire = made.json()["id"]
    h.positions.append(position)
    report_spot = spot(LUWUK_SPOT, 20)
    made = await anon.post(
        "/api/v1/public/reports",
        json={
            "category": "banjir",
            "description": "Air masuk rumah Ibu Ratna di Jl. Kenanga",
            "lat": report_spot[0],
            "lon": report_spot[1],
            "address": "Jl. Kenanga 14",
            "phone": REPORTER_PHONE,
        },
    )
    assert made.status_code == 201, made.text
    api_flood = made.json()["ticket"]
    h.positions.append(report_spot)
    clock.reset()

    async with app.state.db.session_scope() as session:
        b = Builder(session)
        await b.load()
        fire = await session.get(Incident, api_fire)
        await b.assign(fire, "DAMKAR", ack_s=20, scene_s=600, done_s=3600)
        flood = await session.scalar(select(Incident).where(Incident.ticket == api_flood))
        assert flood.region_id == b.regions[LUWUK].id
        plan = [
            ("kebakaran_bangunan", LUWUK, LUWUK_SPOT, 6, 1),
            ("kebakaran_bangunan", BATUI, BATUI_SPOT, 3, 0),
            ("kebakaran_bangunan", PAGIMANA, PAGIMANA_SPOT, 5, 0),
            ("banjir", LUWUK, LUWUK_SPOT, 8, 21),
            ("banjir", BATUI, BATUI_SPOT, 6, 10),
            ("banjir", KINTOM, KINTOM_SPOT, 8, 0),
            ("kdrt", TOILI, TOILI_SPOT, 2, 0),
        ]
        n = 0
        for type_code, kec, base, count, offset in plan:
            for i in range(count):
                n += 1
                position = spot(base, offset + i)
                h.positions.append(position)
                incident = await b.incident(type_code, kec, local(last, 2 + n % 20, 8 + n % 10, n % 60), position)
                if type_code == "kebakaran_bangunan":
                    await b.assign(incident, "DAMKAR", ack_s=15 + 7 * n, scene_s=500 + 60 * n, done_s=4000 + 100 * n)
                if type_code == "kdrt":
                    await b.assign(incident, "PSC119", ack_s=30, scene_s=900, done_s=5000)
        await b.incident("kecelakaan_lalu_lintas", None, local(last, 15, 7), None)
        await b.incident("kebakaran_bangunan", LUWUK, local(last, 16, 7), spot(LUWUK_SPOT, 40), is_exercise=True)
        await b.incident(
            "kebakaran_bangunan",
            LUWUK,
            local(last, 16, 8),
            spot(LUWUK_SPOT, 41),
            status="merged",
            merged_into_id=api_fire,
        )
        for i in range(6):
            position = spot(LUWUK_SPOT, 50 + i)
            h.positions.append(position)
            await b.incident("kebakaran_bangunan", LUWUK, local(h.earlier, 5 + i, 10), position)
        await b.incident("kebakaran_bangunan", LUWUK, clock.now(), spot(LUWUK_SPOT, 60))  # this month: not yet
    return h


# --- reading ----------------------------------------------------------------------------------


def parse_csv(text: str) -> list[dict[str, str]]:
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    return list(csv.DictReader(io.StringIO("\n".join(lines))))


async def get_json(client: Any, path: str, **params: str) -> Any:
    response = await client.get(path, params=params)
    assert response.status_code == 200, (path, response.text)
    return json.loads(response.text)


async def every_public_output(client: Any, month: str) -> dict[str, str]:
    """path -> body of every open data download (both periods), index, dictionary and page."""
    paths = [
        "/transparansi",
        f"/transparansi?month={month}",
        "/opendata/",
        "/opendata/index.json",
        "/opendata/dictionary.json",
    ]
    for name in CATALOGUE:
        for fmt in ("csv", "json", "geojson"):
            if fmt == "geojson" and name not in ("incidents-by-kecamatan", "hotspots"):
                continue
            paths += [f"/opendata/{name}.{fmt}", f"/opendata/{name}.{fmt}?month={month}"]
    out = {}
    for path in paths:
        response = await client.get(path)
        assert response.status_code == 200, (path, response.text[:300])
        out[path] = response.text
    return out
