"""Incidents as public GeoReport v2 service requests: coarse places, public wording, no people.

What is published, by design (the API has no login, so everything here is public):
- never a reporter's number, name or e-mail (they are not even read from Open311 posts);
- positions rounded to 3 decimals (about 100 m); for sensitive types (domestic violence, child
  abuse, mental-health crisis) only the kecamatan centroid, no address, no postal code;
- the citizen's own words only for reports filed through Open311 itself (the filer chose a
  public API), with phone numbers and e-mail addresses masked; every other incident is described
  by its type and kecamatan, because call-takers' notes about callers are not public.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.agencies.models import Agency, AgencyTarget
from cc112.catalog.models import IncidentType, RoutingRule
from cc112.dispatch.models import Assignment
from cc112.geo.models import Jurisdiction, Region
from cc112.incidents.models import OPEN_STATUSES, Incident
from cc112.public.models import PublicTicket
from cc112.public.present import PUBLIC_STATUS

# Sources whose description the filer knowingly published (see the module docstring).
PUBLIC_DESCRIPTION_SOURCES = ("open311",)
EMERGENCY_NOTE = "Dalam keadaan darurat yang mengancam jiwa, segera telepon 112."
_PHONE = re.compile(r"\+?\d[\d\s().-]{5,}\d")
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # XML cannot carry them; JSON need not either


def w3(at: datetime | None, zone: ZoneInfo) -> str | None:
    """W3C date-time in the jurisdiction's zone, with its offset: 2026-11-28T10:15:00+08:00."""
    return at.astimezone(zone).isoformat(timespec="seconds") if at else None


def open_or_closed(status: str) -> str:
    return "open" if status in OPEN_STATUSES else "closed"


def service_name(itype: IncidentType, language: str) -> str:
    return itype.name_en if language == "en" else itype.name_id


def _looks_like_phone(found: str) -> bool:
    digits = re.sub(r"\D", "", found)
    return 8 <= len(digits) <= 15 and (found.startswith(("0", "+")) or digits.startswith("62"))


def scrub(text: str) -> str:
    """Mask what looks like an Indonesian phone number (08…, 0461…, +62…) or an e-mail address."""
    text = _EMAIL.sub("[email disembunyikan]", _CONTROL.sub("", text))
    return _PHONE.sub(lambda m: "[nomor disembunyikan]" if _looks_like_phone(m.group()) else m.group(), text)


def notice(agencies: Sequence[str]) -> str:
    """The service_notice: who acts on it, that it waits for a call-taker, and the 112 reminder."""
    who = f"diteruskan kepada {', '.join(agencies)}" if agencies else "diteruskan kepada instansi terkait"
    return f"Laporan diperiksa operator Command Center 112 lalu {who}. {EMERGENCY_NOTE}"


class Context:
    """Everything a page of requests needs, loaded in a few queries rather than per request."""

    def __init__(self, jur: Jurisdiction, language: str) -> None:
        self.jur = jur
        self.zone = ZoneInfo(jur.timezone)
        self.language = language
        self.regions: dict[int, Region] = {}
        self.agencies: dict[int, Agency] = {}
        self.assigned: dict[int, list[int]] = defaultdict(list)  # incident -> primary agency ids
        self.routed: dict[int, list[int]] = defaultdict(list)  # incident type -> primary agency ids
        self.targets: dict[tuple[int, int], list[AgencyTarget]] = defaultdict(list)
        self.sources: dict[int, str] = {}
        self.tickets: dict[int, str] = {}  # merged-into incident id -> ticket

    async def load(self, db: AsyncSession, rows: Sequence[tuple[Incident, IncidentType]]) -> Context:
        ids = [i.id for i, _t in rows]
        region_ids = {r for i, _t in rows for r in (i.region_id, i.desa_id) if r}
        if region_ids:
            self.regions = {r.id: r for r in await db.scalars(select(Region).where(Region.id.in_(region_ids)))}
        self.agencies = {a.id: a for a in await db.scalars(select(Agency).where(Agency.jurisdiction_id == self.jur.id))}
        if ids:
            for incident_id, agency_id in await db.execute(
                    select(Assignment.incident_id, Assignment.agency_id).where(
                        Assignment.incident_id.in_(ids), Assignment.role == "primary",
                        Assignment.status.not_in(("declined", "cancelled"))).order_by(Assignment.id)):
                self.assigned[incident_id].append(agency_id)
            self.sources = dict((await db.execute(
                select(PublicTicket.incident_id, PublicTicket.source).where(PublicTicket.incident_id.in_(ids)))).all())
        type_ids = {t.id for _i, t in rows}
        if type_ids:
            for type_id, agency_id in await db.execute(
                    select(RoutingRule.incident_type_id, RoutingRule.agency_id).where(
                        RoutingRule.incident_type_id.in_(type_ids), RoutingRule.role == "primary")
                    .order_by(RoutingRule.id)):
                self.routed[type_id].append(agency_id)
        if self.agencies:
            for target in await db.scalars(select(AgencyTarget).where(
                    AgencyTarget.agency_id.in_(list(self.agencies))).order_by(AgencyTarget.valid_from)):
                self.targets[(target.agency_id, target.priority)].append(target)
        merged = {i.merged_into_id for i, _t in rows if i.merged_into_id}
        if merged:
            self.tickets = dict((await db.execute(
                select(Incident.id, Incident.ticket).where(Incident.id.in_(merged)))).all())
        return self

    def primary_agencies(self, incident: Incident) -> list[Agency]:
        """Primary agencies actually assigned; before dispatch, the type's routing rules."""
        ids = self.assigned.get(incident.id) or self.routed.get(incident.incident_type_id, [])
        return [self.agencies[a] for a in dict.fromkeys(ids) if a in self.agencies]

    def expected(self, incident: Incident, agencies: Sequence[Agency]) -> datetime | None:
        """Created + the longest resolve target (in force when created) of the primary agencies."""
        seconds = []
        for agency in agencies:
            in_force = [t for t in self.targets.get((agency.id, incident.priority), [])
                        if t.valid_from <= incident.created_at]
            if in_force:
                seconds.append(in_force[-1].resolve_seconds)
        return incident.created_at + timedelta(seconds=max(seconds)) if seconds else None

    def kecamatan(self, incident: Incident) -> Region | None:
        return self.regions.get(incident.region_id) if incident.region_id else None

    def desa(self, incident: Incident) -> Region | None:
        return self.regions.get(incident.desa_id) if incident.desa_id else None


def _place(ctx: Context, incident: Incident, itype: IncidentType) -> dict[str, object]:
    kec, desa = ctx.kecamatan(incident), ctx.desa(incident)
    if itype.is_sensitive:
        lat = round(kec.lat, 3) if kec and kec.lat is not None else None
        lon = round(kec.lon, 3) if kec and kec.lon is not None else None
        return {"address": None, "address_id": kec.code if kec else None, "zipcode": None, "lat": lat, "long": lon}
    parts = [incident.address, desa.name if desa else None, f"Kec. {kec.name}" if kec else None, ctx.jur.name]
    lat = round(incident.lat, 3) if incident.lat is not None else None
    lon = round(incident.lon, 3) if incident.lon is not None else None
    region = desa or kec
    address = _CONTROL.sub("", ", ".join(p for p in parts if p))
    return {"address": address, "address_id": region.code if region else None,
            "zipcode": desa.postal_code if desa and desa.postal_code else None, "lat": lat, "long": lon}


def _description(ctx: Context, incident: Incident, itype: IncidentType, name: str) -> str:
    if itype.is_sensitive:
        return f"Laporan {name}. Rincian tidak dipublikasikan untuk melindungi pihak yang terlibat."
    if ctx.sources.get(incident.id) in PUBLIC_DESCRIPTION_SOURCES and incident.description:
        return scrub(incident.description)
    kec = ctx.kecamatan(incident)
    return f"{name}, Kec. {kec.name}." if kec else f"{name}."


def _status_notes(ctx: Context, incident: Incident) -> str:
    if incident.status == "merged" and incident.merged_into_id in ctx.tickets:
        return f"Digabung dengan laporan {ctx.tickets[incident.merged_into_id]} tentang kejadian yang sama."
    return PUBLIC_STATUS.get(incident.status, incident.status)


def _updated(incident: Incident) -> datetime:
    if incident.status in OPEN_STATUSES:
        return incident.updated_at
    return incident.closed_at or incident.resolved_at or incident.updated_at


def request_row(ctx: Context, incident: Incident, itype: IncidentType) -> dict[str, object]:
    """One service request with every field of the spec present (null when unknown)."""
    name = service_name(itype, ctx.language)
    agencies = ctx.primary_agencies(incident)
    names = [a.name for a in agencies]
    return {
        "service_request_id": incident.ticket,
        "status": open_or_closed(incident.status),
        "status_notes": _status_notes(ctx, incident),
        "service_name": name,
        "service_code": itype.code,
        "description": _description(ctx, incident, itype, name),
        "agency_responsible": ", ".join(names) or None,
        "service_notice": notice(names),
        "requested_datetime": w3(incident.created_at, ctx.zone),
        "updated_datetime": w3(_updated(incident), ctx.zone),
        "expected_datetime": w3(ctx.expected(incident, agencies), ctx.zone),
        **_place(ctx, incident, itype),
        "media_url": None,
    }


async def request_rows(db: AsyncSession, *, jur: Jurisdiction, language: str,
                       rows: Sequence[tuple[Incident, IncidentType]]) -> list[dict[str, object]]:
    ctx = await Context(jur, language).load(db, rows)
    return [request_row(ctx, incident, itype) for incident, itype in rows]
