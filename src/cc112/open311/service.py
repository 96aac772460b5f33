"""Open311 GeoReport v2 and the servicerequestupdates extension, without HTTP.

Services are the public incident types (service_code = type code); a service request is an
incident (service_request_id = its ticket); jurisdiction_id is the jurisdiction's Kemendagri code
and may be left out, since one endpoint serves one jurisdiction. No API key is needed: this is a
public service, protected by the public rate limits. Answers are plain dicts and lists that
api.py renders as JSON or XML.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.agencies.models import Agency
from cc112.catalog.models import IncidentType
from cc112.clock import now
from cc112.config import Settings
from cc112.errors import Invalid, NotFound
from cc112.events.models import Event
from cc112.geo.models import Jurisdiction, Region
from cc112.incidents.models import OPEN_STATUSES, Incident
from cc112.open311 import present
from cc112.public.service import PUBLIC_TEXT

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
# When the service list or the definitions last changed shape (the discovery changeset): bump it
# with any change to ATTRIBUTES or to what a service carries.
CHANGESET = "2026-11-28T00:00:00+08:00"
FORMATS = ("text/xml", "application/json")
WINDOW = timedelta(days=90)
MAX_RESULTS = 1000  # the spec's default response volume
MAX_IDS = 100
_W3 = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2}))?$")


class Problems(Invalid):
    """Several things wrong with one request: each becomes one entry of the spec's error array."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("; ".join(messages))
        self.messages = messages


async def jurisdiction(db: AsyncSession, settings: Settings, given: str | None) -> Jurisdiction:
    """This endpoint's jurisdiction; a jurisdiction_id naming another one is not found (404)."""
    code = (given or "").strip()
    jur = await db.scalar(select(Jurisdiction).where(Jurisdiction.code == settings.jurisdiction))
    if jur is None or (code and code != jur.code):
        raise NotFound(f"jurisdiction_id {code or settings.jurisdiction!r} was not found; "
                       f"this endpoint serves jurisdiction_id {settings.jurisdiction}")
    return jur


# --- query arguments --------------------------------------------------------------------------

def parse_when(name: str, raw: str, zone: ZoneInfo, *, end: bool = False) -> datetime:
    """A W3C date-time with its zone (…T08:00:00+08:00 or …Z); a bare date is local midnight
    (for end_date: the end of that day)."""
    value = raw.strip()
    try:
        if not _W3.match(value):
            raise ValueError(value)
        if "T" not in value:
            start = datetime.combine(date.fromisoformat(value), time(0), zone)
            return (start + timedelta(days=1) if end else start).astimezone(UTC)
        return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)
    except ValueError:
        raise Invalid(f"{name} must be a W3C date-time with a time zone, e.g. 2026-11-28T08:00:00+08:00 "
                      "or 2026-11-28T00:00:00Z")


def window(start_raw: str | None, end_raw: str | None, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """The spec's date range: the last 90 days by default, never more than 90 days."""
    start = parse_when("start_date", start_raw, zone) if start_raw else None
    end = parse_when("end_date", end_raw, zone, end=True) if end_raw else None
    if start is None and end is None:
        end = now()
        start = end - WINDOW
    elif start is None:
        assert end is not None
        start = end - WINDOW
    elif end is None:
        end = start + WINDOW
    if start > end:
        raise Invalid("start_date is after end_date")
    if end - start > WINDOW:
        raise Invalid("start_date and end_date may not span more than 90 days")
    return start, end


def split_list(raw: str | None, name: str, *, upper: bool = False) -> list[str]:
    """A comma-delimited argument (possibly declared several times, already joined by commas)."""
    items = [p.strip().upper() if upper else p.strip() for p in (raw or "").split(",") if p.strip()]
    if len(items) > MAX_IDS:
        raise Invalid(f"at most {MAX_IDS} values in {name}")
    return list(dict.fromkeys(items))


def parse_statuses(raw: str | None) -> set[str]:
    wanted = {s.lower() for s in split_list(raw, "status")}
    unknown = wanted - {"open", "closed"}
    if unknown:
        raise Invalid(f"status must be open or closed (comma-delimited), not {', '.join(sorted(unknown))}")
    return wanted


# --- discovery and services --------------------------------------------------------------------

def discovery(*, settings: Settings, jur: Jurisdiction, url: str) -> dict[str, object]:
    """The Service Discovery document (one GeoReport v2 endpoint, JSON and XML)."""
    return {
        "changeset": CHANGESET,
        "contact": f"Command Center 112 {jur.name}. Dalam keadaan darurat yang mengancam jiwa, telepon 112.",
        "key_service": "Tidak perlu API key: layanan ini publik dan dibatasi per alamat IP dan per nomor telepon. "
                       "No API key is needed: this public service is rate-limited per IP address and phone number.",
        "endpoints": [{
            "specification": SPECIFICATION, "url": url, "changeset": CHANGESET,
            "type": "production" if settings.env == "production" else "test", "formats": list(FORMATS),
        }],
    }


async def _public_types(db: AsyncSession, jur: Jurisdiction) -> list[IncidentType]:
    return list(await db.scalars(select(IncidentType).where(
        IncidentType.jurisdiction_id == jur.id, IncidentType.is_public.is_(True)).order_by(IncidentType.code)))


async def public_type(db: AsyncSession, jur: Jurisdiction, code: str) -> IncidentType:
    itype = await db.scalar(select(IncidentType).where(
        IncidentType.jurisdiction_id == jur.id, IncidentType.code == code.strip(), IncidentType.is_public.is_(True)))
    if itype is None:
        raise NotFound(f"service_code {code.strip()!r} was not found; see services.xml or services.json")
    return itype


def _service(itype: IncidentType, language: str) -> dict[str, object]:
    return {
        "service_code": itype.code,
        "service_name": present.service_name(itype, language),
        "description": f"{itype.name_id} ({itype.name_en}). {present.EMERGENCY_NOTE}",
        "metadata": True,
        "type": "realtime",
        "keywords": ", ".join(dict.fromkeys(itype.keywords.split())),
        "group": itype.cap_category,
    }


async def list_services(*, db: AsyncSession, settings: Settings, jur: Jurisdiction) -> list[dict[str, object]]:
    """GET Service List: every public incident type."""
    return [_service(t, settings.language) for t in await _public_types(db, jur)]


async def kecamatan(db: AsyncSession, jur: Jurisdiction) -> list[Region]:
    return list(await db.scalars(select(Region).where(
        Region.jurisdiction_id == jur.id, Region.level == "kecamatan").order_by(Region.name)))


async def get_definition(*, db: AsyncSession, jur: Jurisdiction, code: str) -> dict[str, object]:
    """GET Service Definition: the attributes a report of this type may carry."""
    itype = await public_type(db, jur, code)
    values = [{"key": r.code, "name": r.name} for r in await kecamatan(db, jur)]
    return {"service_code": itype.code, "attributes": [
        {"variable": True, "code": "people_involved", "datatype": "number", "required": False,
         "datatype_description": "Bilangan bulat 0–100000", "order": 1,
         "description": "Berapa orang yang terdampak atau terluka? (How many people are affected or hurt?)",
         "values": []},
        {"variable": True, "code": "landmark", "datatype": "string", "required": False,
         "datatype_description": "Paling banyak 200 karakter", "order": 2,
         "description": "Patokan terdekat, mis. masjid, sekolah, jembatan (nearest landmark)", "values": []},
        {"variable": True, "code": "kecamatan", "datatype": "singlevaluelist", "required": False,
         "datatype_description": None, "order": 3,
         "description": "Kecamatan tempat kejadian, bila posisi GPS tidak ada (kecamatan, when there is no GPS "
                        "position)", "values": values},
    ]}


# --- tokens ------------------------------------------------------------------------------------

def token_for(settings: Settings, ticket: str) -> str:
    """Requests are created at once, so a token is just the ticket with a keyed checksum."""
    mac = hmac.new(settings.secret_key.encode(), f"open311-token:{ticket}".encode(), hashlib.sha256)
    return f"{ticket}-{mac.hexdigest()[:16]}"


async def resolve_token(*, db: AsyncSession, settings: Settings, jur: Jurisdiction, token: str) -> list[dict[str, str]]:
    """GET service_request_id from a token."""
    ticket = token.strip().rsplit("-", 1)[0].upper()
    found = await db.scalar(select(Incident.id).where(Incident.jurisdiction_id == jur.id, Incident.ticket == ticket))
    if found is None or not hmac.compare_digest(token_for(settings, ticket), token.strip()):
        raise NotFound("token was not found")
    return [{"service_request_id": ticket, "token": token.strip()}]


# --- service requests ----------------------------------------------------------------------------

def _public_incidents(jur: Jurisdiction):  # type: ignore[no-untyped-def]
    return (select(Incident, IncidentType).join(IncidentType, IncidentType.id == Incident.incident_type_id)
            .where(Incident.jurisdiction_id == jur.id, Incident.is_exercise.is_(False),
                   IncidentType.is_public.is_(True)))


async def list_requests(*, db: AsyncSession, settings: Settings, jur: Jurisdiction, ids: str | None,
                        codes: str | None, statuses: str | None, start_date: str | None,
                        end_date: str | None) -> list[dict[str, object]]:
    """GET Service Requests: real incidents of public types, newest first, at most 1000.

    service_request_id overrides every other argument (as the spec says); otherwise the range is
    the last 90 days unless start_date/end_date say otherwise.
    """
    zone = ZoneInfo(jur.timezone)
    wanted_ids = split_list(ids, "service_request_id", upper=True)
    wanted_status = parse_statuses(statuses)
    wanted_codes = split_list(codes, "service_code")
    start, end = window(start_date, end_date, zone)
    stmt = _public_incidents(jur)
    if wanted_ids:
        stmt = stmt.where(Incident.ticket.in_(wanted_ids))
    else:
        stmt = stmt.where(Incident.created_at >= start, Incident.created_at <= end)
        if wanted_codes:
            stmt = stmt.where(IncidentType.code.in_(wanted_codes))
        if wanted_status == {"open"}:
            stmt = stmt.where(Incident.status.in_(OPEN_STATUSES))
        elif wanted_status == {"closed"}:
            stmt = stmt.where(Incident.status.not_in(OPEN_STATUSES))
    rows = (await db.execute(stmt.order_by(Incident.created_at.desc(), Incident.id.desc()).limit(MAX_RESULTS))).all()
    return await present.request_rows(db, jur=jur, language=settings.language, rows=[(i, t) for i, t in rows])


async def get_request(*, db: AsyncSession, settings: Settings, jur: Jurisdiction,
                      ticket: str) -> list[dict[str, object]]:
    """GET Service Request: one request, as a one-item list (the spec's shape)."""
    row = (await db.execute(_public_incidents(jur).where(Incident.ticket == ticket.strip().upper()))).first()
    if row is None:
        raise NotFound(f"service_request_id {ticket.strip()!r} was not found")
    return await present.request_rows(db, jur=jur, language=settings.language, rows=[(row[0], row[1])])


async def list_updates(*, db: AsyncSession, jur: Jurisdiction, ids: str | None, start_date: str | None,
                       end_date: str | None) -> list[dict[str, object]]:
    """servicerequestupdates: the public timeline (agency names and statuses), oldest first.

    Like GET requests, service_request_id overrides the date range.
    """
    zone = ZoneInfo(jur.timezone)
    wanted_ids = split_list(ids, "service_request_id", upper=True)
    start, end = window(start_date, end_date, zone)
    stmt = (select(Event, Incident.ticket).join(Incident, Incident.id == Event.incident_id)
            .join(IncidentType, IncidentType.id == Incident.incident_type_id)
            .where(Event.jurisdiction_id == jur.id, Event.kind.in_(list(PUBLIC_TEXT)), Event.is_exercise.is_(False),
                   Incident.is_exercise.is_(False), IncidentType.is_public.is_(True)))
    in_range = Incident.ticket.in_(wanted_ids) if wanted_ids else (Event.at >= start) & (Event.at <= end)
    rows = (await db.execute(stmt.where(in_range).order_by(Event.id).limit(MAX_RESULTS))).all()

    names = {a.code: a.name for a in await db.scalars(select(Agency).where(Agency.jurisdiction_id == jur.id))}
    updates: list[dict[str, object]] = []
    for ev, ticket in rows:
        payload = ev.payload or {}
        agency = names.get(str(payload.get("agency")), str(payload.get("agency") or "instansi terkait"))
        status = str(payload.get("incident_status") or payload.get("status") or "received")
        updates.append({
            "update_id": str(ev.id), "service_request_id": ticket, "status": present.open_or_closed(status),
            "updated_datetime": present.w3(ev.at, zone), "description": PUBLIC_TEXT[ev.kind].format(agency=agency),
            "media_url": None,
        })
    return updates
