"""POST Service Request: an Open311 post becomes an unverified citizen report.

Read from the post: service_code, jurisdiction_id, a location (lat & long, address_id = a
kecamatan/desa code, or address_string naming a kecamatan), description, phone (kept for updates,
never shown) and attribute[people_involved|landmark|kecamatan]. Never read or stored: email,
first_name, last_name, device_id, account_id, api_key (no key is needed) and media_url (a link
to somewhere else cannot be checked for personal data or malware).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cc112.agencies.models import Agency
from cc112.catalog.models import IncidentType, RoutingRule
from cc112.config import Settings
from cc112.contacts import phone as phones
from cc112.errors import Invalid
from cc112.geo.models import Jurisdiction, Region
from cc112.open311 import present
from cc112.open311.service import Problems, kecamatan, public_type, token_for
from cc112.public import service as public
from cc112.public.schemas import ReportCreate

MAX_DESCRIPTION = 2000
_ATTRIBUTE = re.compile(r"^attribute\[([A-Za-z0-9_]+)\](\[\])?$")


@dataclass
class PostIn:
    """The fields of a POST that we use (everything else in the form is ignored)."""

    jurisdiction_id: str | None = None
    service_code: str | None = None
    lat: str | None = None
    long: str | None = None
    address_string: str | None = None
    address_id: str | None = None
    description: str | None = None
    phone: str | None = None
    attributes: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_form(cls, items: Iterable[tuple[str, object]]) -> PostIn:
        post = cls()
        for key, value in items:
            if not isinstance(value, str):  # an uploaded file: not part of GeoReport v2
                continue
            value = value.strip()
            match = _ATTRIBUTE.match(key)
            if match:
                post.attributes.setdefault(match.group(1), []).append(value)
            elif key in ("jurisdiction_id", "service_code", "lat", "long", "address_string", "address_id",
                         "description", "phone") and value:
                setattr(post, key, value)
        return post

    def digest_fields(self) -> dict[str, object]:
        return {k: v for k, v in vars(self).items()}


def _coordinate(name: str, raw: str, limit: float, problems: list[str]) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or abs(value) > limit:
        problems.append(f"{name} must be a WGS84 number between -{limit:g} and {limit:g}")
        return None
    return value


async def _region(db: AsyncSession, jur: Jurisdiction, code: str) -> Region | None:
    return await db.scalar(select(Region).where(Region.jurisdiction_id == jur.id, Region.code == code.strip()))


async def _kecamatan_named(db: AsyncSession, jur: Jurisdiction, text: str) -> Region | None:
    """The kecamatan whose name appears as a word in a typed address (the longest name wins)."""
    def words(value: str) -> str:
        return " " + re.sub(r"[^a-z0-9]+", " ", value.lower()).strip() + " "

    found = [r for r in await kecamatan(db, jur) if words(r.name) in words(text)]
    return max(found, key=lambda r: len(r.name)) if found else None


@dataclass
class Located:
    lat: float | None = None
    lon: float | None = None
    region_code: str | None = None


async def _locate(db: AsyncSession, jur: Jurisdiction, post: PostIn, problems: list[str]) -> Located:
    if (post.lat is None) != (post.long is None):
        problems.append("send both lat and long, or neither")
    elif post.lat is not None and post.long is not None:
        lat = _coordinate("lat", post.lat, 90, problems)
        lon = _coordinate("long", post.long, 180, problems)
        return Located(lat=lat, lon=lon)
    if post.address_id:
        region = await _region(db, jur, post.address_id)
        if region is None:
            problems.append(f"address_id must be a kecamatan or desa code of {jur.name} (e.g. 72.01.04)")
            return Located()
        return Located(region_code=region.code)
    chosen = next(iter(post.attributes.get("kecamatan") or []), None)
    if chosen:
        return Located(region_code=chosen)  # checked with the other attributes
    if post.address_string:
        region = await _kecamatan_named(db, jur, post.address_string)
        if region is not None:
            return Located(region_code=region.code)
        problems.append(f"address_string does not name a kecamatan of {jur.name}; add the kecamatan, "
                        "or send lat & long or address_id")
        return Located()
    problems.append("a location is required: lat & long, address_string or address_id")
    return Located()


async def _attributes(db: AsyncSession, jur: Jurisdiction, post: PostIn, problems: list[str]) -> dict[str, object]:
    """attribute[...] values of the service definition; unknown attribute codes are ignored."""
    out: dict[str, object] = {}
    people = (post.attributes.get("people_involved") or [""])[0]
    if people:
        if not people.isdigit() or int(people) > 100000:
            problems.append("attribute[people_involved] must be a whole number from 0 to 100000")
        else:
            out["people_involved"] = int(people)
    landmark = (post.attributes.get("landmark") or [""])[0]
    if len(landmark) > 200:
        problems.append("attribute[landmark] is limited to 200 characters")
    elif landmark:
        out["landmark"] = landmark
    chosen = (post.attributes.get("kecamatan") or [""])[0]
    if chosen and chosen not in {r.code for r in await kecamatan(db, jur)}:
        problems.append("attribute[kecamatan] must be one of the kecamatan codes in the service definition")
    return out


def _phone(raw: str | None, problems: list[str]) -> None:
    try:
        phones.normalise(raw, field="phone")
    except Invalid:  # its message repeats the number; this one does not
        problems.append("phone is not a phone number; use 08xx…, 0461… or +62…")


@dataclass
class Checked:
    report_in: ReportCreate
    itype: IncidentType
    extra: dict[str, object]


async def check(*, db: AsyncSession, jur: Jurisdiction, post: PostIn) -> Checked:
    """Everything wrong with a post at once (400), or an unknown service_code (404); no writes."""
    if not post.service_code:
        raise Problems(["service_code was not provided"])
    itype = await public_type(db, jur, post.service_code)
    problems: list[str] = []
    where = await _locate(db, jur, post, problems)
    extra = await _attributes(db, jur, post, problems)
    _phone(post.phone, problems)
    description = post.description or ""
    if len(description) > MAX_DESCRIPTION:
        problems.append(f"description is limited to {MAX_DESCRIPTION} characters")
    if len(description) < 3:  # a report may be only a type and a place
        name = present.service_name(itype, "id")
        description = f"{name} (dilaporkan melalui Open311){': ' + description if description else ''}"
    if post.address_string and len(post.address_string) > 300:
        problems.append("address_string is limited to 300 characters")
    if problems:
        raise Problems(problems)
    try:
        report_in = ReportCreate(category=itype.code, description=description, lat=where.lat, lon=where.lon,
                                 region_code=where.region_code, address=post.address_string, phone=post.phone,
                                 accuracy_m=None, channel="app", website=None)
    except ValidationError as exc:
        raise Problems([f"{'.'.join(str(p) for p in e['loc']) or 'request'}: {e['msg']}" for e in exc.errors()])
    return Checked(report_in, itype, extra)


async def file(*, db: AsyncSession, settings: Settings, checked: Checked) -> dict[str, object]:
    """Create the report (flush only) and answer with the spec's POST fields."""
    submitted = await public.submit(db=db, report_in=checked.report_in, settings=settings, source="open311")
    for name, value in checked.extra.items():
        setattr(submitted.incident, name, value)
    await db.flush()
    agencies = list(await db.scalars(
        select(RoutingRule.agency_id).where(RoutingRule.incident_type_id == checked.itype.id,
                                            RoutingRule.role == "primary").order_by(RoutingRule.id)))
    names = [a.name for a in await db.scalars(select(Agency).where(Agency.id.in_(agencies)))] if agencies else []
    ticket = submitted.incident.ticket
    return {"service_request_id": ticket, "token": token_for(settings, ticket),
            "service_notice": present.notice(names), "account_id": None}
