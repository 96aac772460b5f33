"""Dataset rows and GeoJSON features from the protected tables, and the three file formats."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from cc112.clock import now
from cc112.errors import Invalid, NotFound
from cc112.opendata import catalog
from cc112.opendata import service as opendata
from cc112.opendata.catalog import DATASETS, LICENCE
from cc112.opendata.service import OUTSIDE, IncidentTables, Window


def _count(value: int | None) -> dict[str, Any]:
    return {"count": value, "suppressed": [] if value is not None else ["count"]}


def monthly_rows(t: IncidentTables) -> list[dict[str, Any]]:
    return [{"month": m.month, **_count(m.value("total"))} for m in t.months]


def by_type_rows(t: IncidentTables) -> list[dict[str, Any]]:
    rows = []
    for m in t.months:
        for code in sorted(m.by_type, key=lambda c: (-m.by_type[c], c)):
            name, name_en = t.types.get(code, (code, code))
            rows.append(
                {
                    "month": m.month,
                    "type_code": code,
                    "type_name": name,
                    "type_name_en": name_en,
                    **_count(m.value("type", code)),
                }
            )
    return rows


def _kecamatan(t: IncidentTables, code: str) -> dict[str, Any]:
    region = t.kecamatan.get(code)
    if code == OUTSIDE or region is None:
        return {"kecamatan_code": code, "kecamatan_name": "Di luar wilayah / tanpa lokasi" if code == OUTSIDE else code}
    return {"kecamatan_code": code, "kecamatan_name": region.name}


def by_kecamatan_rows(t: IncidentTables) -> list[dict[str, Any]]:
    rows = []
    for m in t.months:
        for code in [*t.kecamatan, OUTSIDE]:
            region = t.kecamatan.get(code)
            centroid = {
                "centroid_lat": _deg(region.lat if region else None),
                "centroid_lon": _deg(region.lon if region else None),
            }
            rows.append({"month": m.month, **_kecamatan(t, code), **centroid, **_count(m.value("kec", code))})
    return rows


def crosstab_rows(t: IncidentTables) -> list[dict[str, Any]]:
    rows = []
    for m in t.months:
        for type_code, kec in sorted(m.cells, key=lambda k: (k[0], k[1])):
            name, name_en = t.types.get(type_code, (type_code, type_code))
            rows.append(
                {
                    "month": m.month,
                    "type_code": type_code,
                    "type_name": name,
                    "type_name_en": name_en,
                    **_kecamatan(t, kec),
                    **_count(m.value("cell", type_code, kec)),
                }
            )
    return rows


def window_sum(values: list[int | None]) -> int | None:
    """A sum over months, only when every month in it is published (so it reveals nothing new)."""
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def kecamatan_features(t: IncidentTables) -> list[dict[str, Any]]:
    """One Point per kecamatan at its centroid, never at an incident."""
    features = []
    for code, region in t.kecamatan.items():
        if region.lat is None or region.lon is None:
            continue
        months = {m.month: m.value("kec", code) for m in t.months}
        total = window_sum(list(months.values()))
        features.append(
            {
                "type": "Feature",
                "id": code,
                "geometry": {"type": "Point", "coordinates": [_deg(region.lon), _deg(region.lat)]},
                "properties": {
                    "kecamatan_code": code,
                    "kecamatan_name": region.name,
                    "count": total,
                    "suppressed": [] if total is not None else ["count"],
                    "months": months,
                },
            }
        )
    return features


def hotspot_features(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One H3 polygon per published (month, cell): [lon, lat], closed, counter-clockwise (RFC 7946)."""
    features = []
    for row in rows:
        ring = [[lon, lat] for lat, lon in row["boundary"]]
        if _signed_area(ring) < 0:
            ring.reverse()
        ring.append(ring[0])
        features.append(
            {
                "type": "Feature",
                "id": f"{row['month']}/{row['h3_cell']}",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {k: v for k, v in row.items() if k != "boundary"},
            }
        )
    return features


def _signed_area(ring: list[list[float]]) -> float:
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(ring, ring[1:] + ring[:1], strict=True)) / 2


def _deg(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def check(name: str, fmt: str) -> None:
    """Unknown datasets are 404, formats a dataset does not come in 422."""
    if name not in DATASETS:
        raise NotFound(f"no dataset {name!r}; see /opendata/index.json")
    if fmt not in DATASETS[name].formats:
        raise Invalid(f"{name} is available as {', '.join(DATASETS[name].formats)}", field="format")


async def build(db: AsyncSession, w: Window, name: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]] | None]:
    """(rows, GeoJSON features or None) of one dataset."""
    if name == "agency-performance-monthly":
        return await opendata.agency_rows(db, w), None
    if name == "contacts-monthly":
        return await opendata.contact_rows(db, w), None
    if name == "hotspots":
        rows = await opendata.hotspot_rows(db, w)
        return [{k: v for k, v in r.items() if k != "boundary"} for r in rows], hotspot_features(rows)
    tables = await opendata.incident_tables(db, w)
    builders = {
        "incidents-monthly": monthly_rows,
        "incidents-monthly-by-type": by_type_rows,
        "incidents-by-kecamatan": by_kecamatan_rows,
        "incidents-monthly-by-type-kecamatan": crosstab_rows,
    }
    features = kecamatan_features(tables) if name == "incidents-by-kecamatan" else None
    return builders[name](tables), features


def metadata(w: Window, name: str) -> dict[str, Any]:
    d = DATASETS[name]
    return {
        "dataset": name,
        "title": d.title_id,
        "title_en": d.title_en,
        "licence": LICENCE,
        "attribution": catalog.ATTRIBUTION,
        "publisher": w.jurisdiction.name,
        "period": {"months": w.labels, "zone": w.zone},
        "generated_at": now().isoformat(timespec="seconds"),
        "suppression": {"min_cell": w.min_cell, "rule": catalog.rule(w.min_cell)["en"]},
        "dictionary": f"{catalog.DICTIONARY_URL}#{name}",
    }


def render(
    w: Window, name: str, fmt: str, rows: list[dict[str, Any]], features: list[dict[str, Any]] | None
) -> tuple[str, str]:
    """(body, media type) of the dataset in one format."""
    check(name, fmt)
    meta = metadata(w, name)
    if fmt == "json":
        return json.dumps({**meta, "rows": rows}, ensure_ascii=False), "application/json"
    if fmt == "geojson":
        body = {"type": "FeatureCollection", "name": name, **meta, "features": features or []}
        return json.dumps(body, ensure_ascii=False), "application/geo+json"
    return to_csv(w, name, rows), "text/csv; charset=utf-8"


def to_csv(w: Window, name: str, rows: list[dict[str, Any]]) -> str:
    """CSV with one comment line naming the licence and the dictionary; lists space-separated."""
    fields = [f.name for f in DATASETS[name].fields]
    out = io.StringIO()
    out.write(
        f"# {catalog.ATTRIBUTION}, {DATASETS[name].title_en} {w.labels[0]}..{w.labels[-1]}. "
        f"Licence {LICENCE['name']} ({LICENCE['url']}). Dictionary: {catalog.DICTIONARY_URL}. "
        f"Suppressed cells are empty and named in 'suppressed'.\n"
    )
    writer = csv.DictWriter(out, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: " ".join(v) if isinstance(v, list) else ("" if v is None else v) for k, v in row.items()})
    return out.getvalue()
